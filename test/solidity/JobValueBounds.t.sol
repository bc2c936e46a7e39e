// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {PayoutMath} from "../../contracts/libraries/PayoutMath.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice Every job puts something at stake: `postJob(s)` refuses a reward below the governance
/// minimum and a collateral ratio outside the governance bounds, and accepts every value inside,
/// whatever bounds the owner set (fuzzed) and under the local ones (0.01 token, 100..300 %).
contract JobValueBoundsTest is MarketSetup {
    address internal requester = address(0xA11CE);

    function setUp() public {
        _deployMarket();
        _fund(requester, uint256(type(uint96).max) * 4);
    }

    // ------------------------------------------------------------------ reward

    function testFuzz_postJob_refusesARewardBelowTheMinimum(uint96 minReward, uint96 reward, uint16 pct) public {
        minReward = uint96(bound(minReward, 2, type(uint96).max));
        reward = uint96(bound(reward, 1, minReward - 1));
        pct = uint16(bound(pct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT));
        market.setJobValueBounds(minReward, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketRewardTooLow.selector, reward, minReward));
        vm.prank(requester);
        market.postJob(_request(reward, pct));
    }

    /// @dev The reward is checked first: a reward too low is reported as such whatever the ratio.
    function testFuzz_postJob_reportsALowRewardBeforeABadRatio(uint96 reward, uint16 pct) public {
        reward = uint96(bound(reward, 1, MIN_REWARD - 1));
        pct = uint16(bound(pct, MAX_COLLATERAL_PCT + 1, type(uint16).max));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketRewardTooLow.selector, reward, MIN_REWARD));
        vm.prank(requester);
        market.postJob(_request(reward, pct));
    }

    function testFuzz_postJob_refusesAZeroRewardAsZeroWhateverTheMinimum(uint96 minReward) public {
        minReward = uint96(bound(minReward, 1, type(uint96).max));
        market.setJobValueBounds(minReward, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT);
        vm.expectRevert(IJobMarket.MarketZeroReward.selector);
        vm.prank(requester);
        market.postJob(_request(0, 150));
    }

    function test_postJob_refusesOneWeiBelowTheLocalMinimumReward() public {
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketRewardTooLow.selector, MIN_REWARD - 1, MIN_REWARD));
        vm.prank(requester);
        market.postJob(_request(MIN_REWARD - 1, 150));
    }

    // ------------------------------------------------------------------ collateral

    /// @dev Includes a zero ratio (refused even when the minimum is the hard floor, 1 %).
    function testFuzz_postJob_refusesCollateralBelowTheMinimum(uint16 minPct, uint16 maxPct, uint16 pct, uint96 reward)
        public
    {
        minPct = uint16(bound(minPct, 1, 1_000));
        maxPct = uint16(bound(maxPct, minPct, 1_000));
        pct = uint16(bound(pct, 0, minPct - 1));
        reward = uint96(bound(reward, MIN_REWARD, 1e27));
        market.setJobValueBounds(MIN_REWARD, minPct, maxPct);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketInvalidCollateral.selector, pct, minPct, maxPct));
        vm.prank(requester);
        market.postJob(_request(reward, pct));
    }

    function testFuzz_postJob_refusesCollateralAboveTheMaximum(uint16 minPct, uint16 maxPct, uint16 pct, uint96 reward)
        public
    {
        maxPct = uint16(bound(maxPct, 1, 1_000));
        minPct = uint16(bound(minPct, 1, maxPct));
        pct = uint16(bound(pct, uint256(maxPct) + 1, type(uint16).max));
        reward = uint96(bound(reward, MIN_REWARD, 1e27));
        market.setJobValueBounds(MIN_REWARD, minPct, maxPct);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketInvalidCollateral.selector, pct, minPct, maxPct));
        vm.prank(requester);
        market.postJob(_request(reward, pct));
    }

    function test_postJob_refusesAZeroRatioUnderTheLocalBounds() public {
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.MarketInvalidCollateral.selector, 0, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT)
        );
        vm.prank(requester);
        market.postJob(_request(1e18, 0));
    }

    function test_postJob_refuses99PercentUnderTheLocalBounds() public {
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.MarketInvalidCollateral.selector, 99, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT)
        );
        vm.prank(requester);
        market.postJob(_request(1e18, 99));
    }

    function test_postJob_refuses301PercentUnderTheLocalBounds() public {
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.MarketInvalidCollateral.selector, 301, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT)
        );
        vm.prank(requester);
        market.postJob(_request(1e18, 301));
    }

    // ------------------------------------------------------------------ inside the bounds

    function testFuzz_postJob_acceptsEveryRewardAndRatioInsideTheBounds(
        uint96 minReward,
        uint16 minPct,
        uint16 maxPct,
        uint96 reward,
        uint16 pct
    ) public {
        minReward = uint96(bound(minReward, 1, type(uint96).max));
        minPct = uint16(bound(minPct, 1, 1_000));
        maxPct = uint16(bound(maxPct, minPct, 1_000));
        reward = uint96(bound(reward, minReward, type(uint96).max));
        pct = uint16(bound(pct, minPct, maxPct));
        market.setJobValueBounds(minReward, minPct, maxPct);
        _expectPosted(reward, pct);
    }

    function testFuzz_postJob_acceptsEveryRewardAndRatioInsideTheLocalBounds(uint96 reward, uint16 pct) public {
        reward = uint96(bound(reward, MIN_REWARD, type(uint96).max));
        pct = uint16(bound(pct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT));
        _expectPosted(reward, pct);
    }

    function test_postJob_acceptsTheMinimumRewardAtTheLowestRatio() public {
        _expectPosted(MIN_REWARD, MIN_COLLATERAL_PCT);
    }

    function test_postJob_acceptsTheMinimumRewardAtTheHighestRatio() public {
        _expectPosted(MIN_REWARD, MAX_COLLATERAL_PCT);
    }

    // ------------------------------------------------------------------ batches

    /// @dev One request outside the local bounds fails the whole batch: nothing is posted.
    function testFuzz_postJobs_refusesTheBatchIfAnyRequestIsOutside(
        uint256 n,
        uint256 badIndex,
        uint96 reward,
        uint16 pct,
        bool badReward
    ) public {
        n = bound(n, 1, 5);
        badIndex = bound(badIndex, 0, n - 1);
        IJobMarket.JobRequest[] memory requests = new IJobMarket.JobRequest[](n);
        for (uint256 i; i < n; ++i) requests[i] = _request(1e18, 150);
        bytes memory expected;
        if (badReward) {
            reward = uint96(bound(reward, 1, MIN_REWARD - 1));
            requests[badIndex].reward = reward;
            expected = abi.encodeWithSelector(IJobMarket.MarketRewardTooLow.selector, reward, MIN_REWARD);
        } else {
            pct = uint16(pct < MIN_COLLATERAL_PCT ? uint256(pct) : bound(pct, MAX_COLLATERAL_PCT + 1, type(uint16).max));
            requests[badIndex].collateralPct = pct;
            expected = abi.encodeWithSelector(
                IJobMarket.MarketInvalidCollateral.selector, pct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT
            );
        }
        uint256 balanceBefore = token.balanceOf(requester);
        vm.expectRevert(expected);
        vm.prank(requester);
        market.postJobs(requests);
        assertEq(token.balanceOf(requester), balanceBefore, "nothing was pulled");
        assertEq(uint8(market.jobState(_jobId(0))), uint8(IJobMarket.JobState.None), "nothing was posted");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Posts and checks the stored job: open, the terms as asked, and collateral at stake.
    function _expectPosted(uint96 reward, uint16 pct) private {
        uint256 before = token.balanceOf(requester);
        vm.prank(requester);
        uint256 id = market.postJob(_request(reward, pct));
        assertEq(id, _jobId(0), "first job id");
        IJobMarket.JobView memory j = market.getJob(id);
        assertEq(uint8(j.state), uint8(IJobMarket.JobState.Open), "open");
        assertEq(j.reward, reward, "reward");
        assertEq(j.collateralPct, pct, "collateralPct");
        assertEq(j.collateral, PayoutMath.collateral(reward, pct), "collateral");
        assertGe(j.collateral, 1, "something at stake");
        assertEq(token.balanceOf(requester), before - reward, "reward escrowed");
    }

    function _jobId(uint256 nonce) private view returns (uint256) {
        return (uint256(uint160(requester)) << 96) | nonce;
    }
}
