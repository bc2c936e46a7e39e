// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DisputeMath} from "../../contracts/libraries/DisputeMath.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Every dispute split hands out exactly what it is given, never more.
contract DisputeMathTest is TestBase {
    function testFuzz_splitCollateral_sumsToTheCollateral(uint96 c, uint96 fee, uint8 honest, uint16 bps, bool right)
        public
        pure
    {
        bps = uint16(bound(bps, 0, 10_000));
        (uint256 v, uint256 ch, uint256 rq) = DisputeMath.splitCollateral(c, fee, honest, bps, right);
        assertEq(v + ch + rq, c, "verifiers + challenger + requester");
        assertLe(v, uint256(fee) * honest, "verifiers paid at most their fees");
        if (!right) assertEq(ch, 0, "no reward for a wrong challenger");
    }

    function testFuzz_splitBond_sumsToTheBond(uint96 bond, uint96 fee, uint8 honest) public pure {
        (uint256 v, uint256 p) = DisputeMath.splitBond(bond, fee, honest);
        assertEq(v + p, bond, "verifiers + provider");
        assertLe(v, uint256(fee) * honest, "verifiers paid at most their fees");
    }

    function testFuzz_shareOf_sharesSumToTheTotal(uint96 total, uint8 count) public pure {
        count = uint8(bound(count, 1, 21));
        uint256 sum;
        for (uint256 i; i < count; ++i) sum += DisputeMath.shareOf(total, count, i);
        assertEq(sum, total, "shares");
    }

    function testFuzz_slashOf_neverExceedsTheLock(uint96 lock, uint16 bps) public pure {
        bps = uint16(bound(bps, 0, 10_000));
        assertLe(DisputeMath.slashOf(lock, bps), lock, "slash within lock");
    }

    function testFuzz_quorum_isAStrictMajority(uint8 seats) public pure {
        seats = uint8(bound(seats, 1, 31));
        uint256 q = DisputeMath.quorum(seats);
        assertTrue(q * 2 > seats && (q - 1) * 2 <= seats, "smallest strict majority");
    }

    function testFuzz_auditSelected_neverAtRateZeroAlwaysAtFullRate(bytes32 h, uint256 jobId) public pure {
        assertTrue(!DisputeMath.auditSelected(h, jobId, 0), "rate 0 selects nothing");
        assertTrue(DisputeMath.auditSelected(h, jobId, 10_000), "rate 100% selects everything");
    }

    function test_voteCommitment_bindsTheVerifier() public pure {
        bytes32 a = DisputeMath.voteCommitment(keccak256("r"), keccak256("s"), address(1));
        bytes32 b = DisputeMath.voteCommitment(keccak256("r"), keccak256("s"), address(2));
        assertTrue(a != b, "same vote and salt, different verifier, different commitment");
    }
}
