// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HeadCheckpoints} from "../../contracts/libraries/HeadCheckpoints.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Exposes the library on one trace (external calls, so reverts can be expected).
contract HeadCheckpointsHarness {
    using HeadCheckpoints for HeadCheckpoints.Trace;

    HeadCheckpoints.Trace private _trace;

    function push(uint48 key, uint256 value) external {
        _trace.push(key, value);
    }

    function lookup(uint48 key) external view returns (uint256) {
        return _trace.lookup(key);
    }

    function latest() external view returns (uint256) {
        return _trace.latest();
    }

    function length() external view returns (uint256) {
        return _trace.length();
    }
}

/// @notice The one-slot-head checkpoints against a plain reference: every lookup of every key
/// equals the last value pushed at or before it.
contract HeadCheckpointsTest is TestBase {
    HeadCheckpointsHarness private trace;
    uint48[] private refKeys;
    uint256[] private refValues;

    function setUp() public {
        trace = new HeadCheckpointsHarness();
    }

    function _reference(uint48 key) private view returns (uint256 value) {
        for (uint256 i; i < refKeys.length && refKeys[i] <= key; ++i) value = refValues[i];
    }

    function _push(uint48 key, uint256 value) private {
        trace.push(key, value);
        uint256 n = refKeys.length;
        if (n != 0 && refKeys[n - 1] == key) {
            refValues[n - 1] = value;
        } else {
            refKeys.push(key);
            refValues.push(value);
        }
    }

    function testFuzz_lookupMatchesTheReference(uint256 seed) public {
        uint256 pushes = 1 + (seed % 24);
        uint48 key = uint48(uint256(keccak256(abi.encode(seed, "start"))) % 1000);
        for (uint256 i; i < pushes; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Steps of 0 (same block: the value is replaced), 1, or more.
            key += uint48(r % 4);
            _push(key, (r >> 8) % 3 == 0 ? 0 : uint160(r >> 16));
        }
        assertEq(trace.length(), refKeys.length, "length");
        assertEq(trace.latest(), refValues[refValues.length - 1], "latest");
        uint48 last = refKeys[refKeys.length - 1];
        uint48 first = refKeys[0];
        for (uint48 k = first > 2 ? first - 2 : 0; k <= last + 2; ++k) {
            assertEq(trace.lookup(k), _reference(k), "lookup");
        }
    }

    function test_lookupOfAnEmptyTraceIsZero() public view {
        assertEq(trace.lookup(0), 0, "empty");
        assertEq(trace.lookup(type(uint48).max), 0, "empty, any key");
        assertEq(trace.latest(), 0, "latest");
    }

    function test_aPushInTheSameBlockReplacesTheValue() public {
        trace.push(5, 1);
        trace.push(5, 2);
        assertEq(trace.length(), 1, "one checkpoint");
        assertEq(trace.lookup(5), 2, "replaced");
        assertEq(trace.lookup(4), 0, "before it");
    }

    function test_push_revertsForAnEarlierKey() public {
        trace.push(5, 1);
        vm.expectRevert(abi.encodeWithSelector(HeadCheckpoints.HeadCheckpointUnorderedKey.selector, 4, 5));
        trace.push(4, 1);
    }

    function test_push_revertsForAValueAbove160Bits() public {
        uint256 tooLarge = uint256(type(uint160).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(HeadCheckpoints.HeadCheckpointValueTooLarge.selector, tooLarge));
        trace.push(1, tooLarge);
    }
}
