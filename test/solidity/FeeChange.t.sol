// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {IMarketGovernance} from "../../contracts/interfaces/IMarketGovernance.sol";
import {PayoutMath} from "../../contracts/libraries/PayoutMath.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice A fee change never reaches a job posted before it, whenever the change lands in the
/// job's life (before the claim, before the submission, in the challenge window, after it) and
/// however late the job is finalized; jobs posted once it is in effect pay the new rate.
contract FeeChangeTest is MarketSetup {
    address internal requester = address(0xA11CE);
    address internal provider = address(0xB0B);

    function setUp() public {
        _deployMarket();
        _fund(requester, 1e30);
        _fund(provider, 1e30);
        vm.prank(provider);
        market.stake(1e28);
    }

    /// @dev Finalizes `jobId` and returns the protocol fee it paid (the treasury's and the reserve's shares).
    function _finalizeFee(uint256 jobId, IJobMarket.SubmittedJob memory terms) internal returns (uint256) {
        uint256 before = market.accruedFees() + market.auditReserve();
        market.finalizeJob(jobId, terms);
        return market.accruedFees() + market.auditReserve() - before;
    }

    function testFuzz_feeChange_neverReachesAJobPostedBeforeIt(
        uint96 reward,
        uint16 newBps,
        uint8 when,
        uint32 lateBy
    ) public {
        reward = uint96(bound(reward, MIN_REWARD, 1e27));
        newBps = uint16(bound(newBps, 0, market.MAX_FEE_BPS()));
        when = uint8(bound(when, 0, 3));
        vm.prank(requester);
        uint256 jobId = market.postJob(_request(reward, 150));
        if (when == 0) market.setFeeBps(newBps); // after the post, before the claim
        vm.warp(vm.getBlockTimestamp() + 60);
        vm.prank(provider);
        market.claimJob(jobId);
        if (when == 1) market.setFeeBps(newBps); // during the execution
        vm.warp(vm.getBlockTimestamp() + 300);
        bytes32 result = keccak256("result");
        vm.prank(provider);
        market.submitResult(jobId, result, "");
        IJobMarket.SubmittedJob memory terms = IJobMarket.SubmittedJob(reward, 150, provider, result, uint64(vm.getBlockNumber()));
        if (when == 2) market.setFeeBps(newBps); // in the challenge window
        vm.warp(vm.getBlockTimestamp() + 601);
        if (when == 3) market.setFeeBps(newBps); // after the window, before anyone finalized
        vm.warp(vm.getBlockTimestamp() + bound(lateBy, 0, 400 days));
        (, uint256 fee) = PayoutMath.splitFee(reward, FEE_BPS);
        assertEq(_finalizeFee(jobId, terms), fee, "the fee the job was posted under");
    }

    function testFuzz_feeChange_appliesToJobsPostedOnceItIsInEffect(uint96 reward, uint16 newBps, uint32 after_) public {
        reward = uint96(bound(reward, MIN_REWARD, 1e27));
        newBps = uint16(bound(newBps, 0, market.MAX_FEE_BPS()));
        market.setFeeBps(newBps);
        (, uint256 effectiveAt) = market.feeChange();
        vm.warp(effectiveAt + bound(after_, 0, 365 days));
        vm.prank(requester);
        uint256 jobId = market.postJob(_request(reward, 150));
        vm.prank(provider);
        market.claimJob(jobId);
        bytes32 result = keccak256("result");
        vm.prank(provider);
        market.submitResult(jobId, result, "");
        IJobMarket.SubmittedJob memory terms = IJobMarket.SubmittedJob(reward, 150, provider, result, uint64(vm.getBlockNumber()));
        vm.warp(vm.getBlockTimestamp() + 601);
        (, uint256 fee) = PayoutMath.splitFee(reward, newBps);
        assertEq(_finalizeFee(jobId, terms), fee, "the new fee");
    }

    function testFuzz_feeChange_waitsAtLeastTheLongestJobLifetime(uint16 newBps, uint32 at) public {
        newBps = uint16(bound(newBps, 0, market.MAX_FEE_BPS()));
        vm.warp(vm.getBlockTimestamp() + bound(at, 0, 3_650 days));
        market.setFeeBps(newBps);
        IMarketGovernance.MarketConfig memory c = market.config();
        uint256 lifetime = uint256(c.maxClaimDelay) + c.maxExecutionTime + c.maxChallengeWindow + market.maxDisputeDuration();
        (, uint256 effectiveAt) = market.feeChange();
        assertGe(effectiveAt, vm.getBlockTimestamp() + lifetime, "effective after every open job's life");
        assertLe(effectiveAt, vm.getBlockTimestamp() + lifetime + 1 days - 1, "rounded up to a day, no more");
    }
}
