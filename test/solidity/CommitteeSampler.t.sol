// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {CommitteeSampler} from "../../contracts/libraries/CommitteeSampler.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice The committee draw over many seeds against a real registry of eight providers, of
/// which three (provider, challenger, requester) must never sit and one has too little free stake.
contract CommitteeSamplerTest is MarketSetup {
    uint256 internal constant LOCK = 10e18;
    address[8] internal stakers;

    function setUp() public {
        _deployMarket();
        for (uint256 i; i < 8; ++i) {
            stakers[i] = address(uint160(0xC0 + i));
            _fund(stakers[i], 1e24);
            vm.prank(stakers[i]);
            // Stakes from 100 to 1,500 tokens: different weights below and above the cap.
            market.stake(100e18 + i * 200e18);
        }
        // stakers[7] cannot cover the lock: everything but 1 token is unstaking.
        uint256 free = market.freeStakeOf(stakers[7]);
        vm.prank(stakers[7]);
        market.requestUnstake(free - 1e18);
    }

    function _draw(bytes32 seed, uint256 size) internal view returns (address[] memory) {
        return CommitteeSampler.sample(
            IProviderRegistry(address(market)),
            seed,
            keccak256("job-1/round-0"),
            CommitteeSampler.Draw({
                size: size,
                lock: LOCK,
                weightCap: 1_000e18,
                maxAttempts: size * 32, // as HashworkDisputes.DRAW_ATTEMPTS_PER_SEAT
                excluded: [stakers[0], stakers[1], stakers[2]]
            })
        );
    }

    function testFuzz_sample_neverSeatsAnExcludedParty(bytes32 seed, uint8 size) public view {
        address[] memory chosen = _draw(seed, bound(size, 1, 5));
        for (uint256 i; i < chosen.length; ++i) {
            assertTrue(chosen[i] != stakers[0] && chosen[i] != stakers[1] && chosen[i] != stakers[2], "excluded party drawn");
        }
    }

    function testFuzz_sample_seatsEachVerifierOnce(bytes32 seed, uint8 size) public view {
        address[] memory chosen = _draw(seed, bound(size, 1, 5));
        for (uint256 i; i < chosen.length; ++i) {
            for (uint256 j = i + 1; j < chosen.length; ++j) assertTrue(chosen[i] != chosen[j], "seated twice");
        }
    }

    function testFuzz_sample_seatsOnlyProvidersWhoCanLock(bytes32 seed, uint8 size) public view {
        address[] memory chosen = _draw(seed, bound(size, 1, 5));
        for (uint256 i; i < chosen.length; ++i) {
            assertGe(market.freeStakeOf(chosen[i]), LOCK, "verifier cannot cover the lock");
            assertTrue(chosen[i] != stakers[7], "under-staked provider drawn");
        }
    }

    function testFuzz_sample_neverReturnsMoreThanAsked(bytes32 seed, uint8 size) public view {
        uint256 n = bound(size, 1, 8);
        assertLe(_draw(seed, n).length, n, "too many seats");
    }

    function testFuzz_sample_fillsThreeSeatsFromFourEligible(bytes32 seed) public view {
        // Four eligible providers (stakers 3..6) among eight, three seats, 96 attempts: even the
        // hardest last seat (two low-stake candidates left, ~20% per attempt) misses with
        // probability below 1e-8.
        assertEq(_draw(seed, 3).length, 3, "seats filled");
    }

    function test_sample_isDeterministicForASeed() public view {
        address[] memory a = _draw(keccak256("seed"), 3);
        address[] memory b = _draw(keccak256("seed"), 3);
        assertEq(a.length, b.length, "same length");
        for (uint256 i; i < a.length; ++i) assertEq(a[i], b[i], "same seats");
    }

    function test_sample_returnsNobodyWhenEveryoneIsExcluded() public view {
        address[] memory chosen = CommitteeSampler.sample(
            IProviderRegistry(address(market)),
            keccak256("seed"),
            keccak256("domain"),
            CommitteeSampler.Draw({
                size: 3,
                lock: 2_000e18,
                weightCap: 2_000e18,
                maxAttempts: 24,
                excluded: [address(0), address(0), address(0)]
            })
        );
        assertEq(chosen.length, 0, "nobody can lock 2,000 tokens");
    }
}
