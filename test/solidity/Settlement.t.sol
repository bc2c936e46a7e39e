// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {PayoutMath} from "../../contracts/libraries/PayoutMath.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice Fuzzes the payout and slashing paths end to end on the real market: every token
/// lands where the rules say, and the market's books match its token balance.
contract SettlementTest is MarketSetup {
    address internal requester = address(0xA11CE);
    address internal provider = address(0xB0B);

    function setUp() public {
        _deployMarket();
        _fund(requester, 1e30);
        _fund(provider, 1e30);
    }

    function _stake(uint256 amount) internal {
        vm.prank(provider);
        market.stake(amount);
    }

    /// @dev Posts, claims, submits and finalizes one job at 150 % collateral.
    function _finalizeOne(uint96 reward, bytes32 result) internal {
        _stake(PayoutMath.collateral(reward, 150) + MIN_STAKE);
        uint256 jobId = _postAndClaim(reward, 150);
        vm.prank(provider);
        market.submitResult(jobId, result, "");
        vm.warp(vm.getBlockTimestamp() + 601);
        market.finalizeJob(jobId, IJobMarket.SubmittedJob(reward, 150, provider, result, uint64(vm.getBlockNumber())));
    }

    function _postAndClaim(uint96 reward, uint16 pct) internal returns (uint256 jobId) {
        vm.prank(requester);
        jobId = market.postJob(_request(reward, pct));
        vm.prank(provider);
        market.claimJob(jobId);
    }

    function testFuzz_finalize_paysRewardMinusFeeAndUnlocksCollateral(uint96 reward, uint16 pct, uint16 bps) public {
        reward = uint96(bound(reward, MIN_REWARD, 1e27));
        pct = uint16(bound(pct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT));
        bps = uint16(bound(bps, 0, 1_000));
        market.setFeeBps(bps);
        // The new rate applies to jobs once it is in effect (jobs posted before keep theirs).
        (, uint256 effectiveAt) = market.feeChange();
        vm.warp(effectiveAt);
        uint256 collateral = PayoutMath.collateral(reward, pct);
        _stake(collateral + MIN_STAKE);
        uint256 jobId = _postAndClaim(reward, pct);
        IProviderRegistry.StakeInfo memory before = market.stakeOf(provider);
        assertEq(before.locked, collateral, "locked at claim");

        bytes32 result = keccak256("result");
        vm.prank(provider);
        market.submitResult(jobId, result, "");
        vm.warp(block.timestamp + 601);
        market.finalizeJob(jobId, IJobMarket.SubmittedJob(reward, pct, provider, result, uint64(block.number)));

        (uint256 payout, uint256 fee) = PayoutMath.splitFee(reward, bps);
        IProviderRegistry.StakeInfo memory afterward = market.stakeOf(provider);
        assertEq(afterward.staked, before.staked + payout, "stake grew by the payout");
        assertEq(afterward.locked, 0, "collateral unlocked");
        uint256 reserved = (fee * market.auditReserveBps()) / 10_000;
        assertEq(market.auditReserve(), reserved, "audit reserve's share of the fee");
        assertEq(market.accruedFees(), fee - reserved, "treasury's share of the fee");
        assertEq(uint8(market.jobState(jobId)), uint8(IJobMarket.JobState.Finalized), "finalized");
        assertEq(market.totalOwed(), token.balanceOf(address(market)), "books match tokens");
    }

    /// @dev Reputation counts each job's fee in whole reputation units (rounded down per job,
    /// not on the sum) and saturates at uint32 units (fees over 4.29 million tokens).
    function testFuzz_finalize_addsEachFeeToFeesPaidInWholeUnits(uint96 first, uint96 second, uint16 bps) public {
        first = uint96(bound(first, MIN_REWARD, first % 2 == 0 ? 1e21 : 1e27));
        second = uint96(bound(second, MIN_REWARD, second % 2 == 0 ? 1e21 : 1e27));
        bps = uint16(bound(bps, 0, 1_000));
        market.setFeeBps(bps);
        // The new rate applies to jobs once it is in effect (jobs posted before keep theirs).
        (, uint256 effectiveAt) = market.feeChange();
        vm.warp(effectiveAt);
        uint256 unit = market.reputationUnit();
        assertEq(unit, 1e15, "a thousandth of an 18-decimal token");
        _finalizeOne(first, keccak256("first"));
        _finalizeOne(second, keccak256("second"));
        (, uint256 fee1) = PayoutMath.splitFee(first, bps);
        (, uint256 fee2) = PayoutMath.splitFee(second, bps);
        uint256 units = fee1 / unit + fee2 / unit;
        if (units > type(uint32).max) units = type(uint32).max;
        assertEq(market.reputationOf(provider).feesPaid, units * unit, "feesPaid");
    }

    function testFuzz_timeOut_paysRequesterRewardAndCollateral(uint96 reward, uint16 pct, uint32 lateBy) public {
        reward = uint96(bound(reward, MIN_REWARD, 1e27));
        pct = uint16(bound(pct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT));
        uint256 collateral = PayoutMath.collateral(reward, pct);
        _stake(collateral + MIN_STAKE);
        uint256 jobId = _postAndClaim(reward, pct);
        uint256 stakedBefore = market.stakeOf(provider).staked;

        vm.warp(block.timestamp + 601 + bound(lateBy, 0, 365 days));
        market.timeOutJob(jobId);

        assertEq(market.balanceOf(requester), uint256(reward) + collateral, "requester made whole");
        IProviderRegistry.StakeInfo memory s = market.stakeOf(provider);
        assertEq(s.staked, stakedBefore - collateral, "collateral slashed");
        assertEq(s.locked, 0, "nothing left locked");
        assertEq(market.totalOwed(), token.balanceOf(address(market)), "books match tokens");
    }

    function testFuzz_claim_revertsWhenFreeStakeIsShort(uint96 stakeAmount, uint96 reward, uint16 pct) public {
        stakeAmount = uint96(bound(stakeAmount, MIN_STAKE, 1e27));
        pct = uint16(bound(pct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT));
        // Collateral >= reward (pct >= 100) > stake: the claim must not fit.
        reward = uint96(bound(reward, uint256(stakeAmount) + 1, 2e27));
        uint256 collateral = PayoutMath.collateral(reward, pct);
        _stake(stakeAmount);
        vm.prank(requester);
        uint256 jobId = market.postJob(_request(reward, pct));
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.RegistryInsufficientFreeStake.selector, provider, stakeAmount, collateral
            )
        );
        vm.prank(provider);
        market.claimJob(jobId);
    }
}
