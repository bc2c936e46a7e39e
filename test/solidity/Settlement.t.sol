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

    function _postAndClaim(uint96 reward, uint16 pct) internal returns (uint256 jobId) {
        vm.prank(requester);
        jobId = market.postJob(_request(reward, pct));
        vm.prank(provider);
        market.claimJob(jobId);
    }

    function testFuzz_finalize_paysRewardMinusFeeAndUnlocksCollateral(uint96 reward, uint16 pct, uint16 bps) public {
        reward = uint96(bound(reward, 1, 1e27));
        pct = uint16(bound(pct, 0, 1_000));
        bps = uint16(bound(bps, 0, 1_000));
        market.setFeeBps(bps);
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

    function testFuzz_timeOut_paysRequesterRewardAndCollateral(uint96 reward, uint16 pct, uint32 lateBy) public {
        reward = uint96(bound(reward, 1, 1e27));
        pct = uint16(bound(pct, 0, 1_000));
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
        pct = uint16(bound(pct, 100, 1_000));
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
