// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HashworkMarket} from "../../../contracts/HashworkMarket.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {IPayBuckets} from "../../../contracts/interfaces/IPayBuckets.sol";
import {PayClocks} from "../../../contracts/libraries/PayClocks.sol";
import {HashworkToken} from "../../../contracts/token/HashworkToken.sol";
import {TestBase} from "./TestBase.sol";

/// @dev The handlers are test roots (`*.t.sol`) on purpose: the invariant runner only fuzzes
/// contracts it can match to an artifact, and artifacts are written for root files only (with
/// the settings hardhat.config.ts gives every file under test/solidity, so that the code the
/// suites deploy matches the artifact).
/// @notice Drives random sequences of market actions for the solvency invariant. Each action
/// picks its actors and jobs from the fuzzer's seeds and only calls what is valid right now, so
/// nearly every call lands; `calls` counts the ones that did.
contract MarketHandler is TestBase {
    HashworkMarket internal immutable market;
    HashworkToken internal immutable token;
    address[] public actors;
    address[] public providers;

    uint256[] public jobIds;
    mapping(uint256 jobId => IJobMarket.SubmittedJob) public termsOf;
    mapping(bytes32 action => uint256) public calls;

    /// @notice Ghost: per provider, the protocol fees of its finalized jobs, each rounded down
    /// to whole reputation units (1e15 wei for an 18-decimal token) when it was paid.
    mapping(address provider => uint256) public feeUnitsOf;
    /// @notice Ghost: jobs whose fee is already in `feeUnitsOf` (each job pays once).
    mapping(uint256 jobId => bool) public feeCounted;
    mapping(uint256 => uint256) internal deadlineAtSettlement;
    /// @notice Thousandths of a token: the market counts fees paid in these steps.
    uint256 public constant REPUTATION_UNIT = 1e15;

    constructor(HashworkMarket market_, HashworkToken token_, address[] memory actors_, address[] memory providers_) {
        market = market_;
        token = token_;
        actors = actors_;
        providers = providers_;
    }

    function jobCount() external view returns (uint256) {
        return jobIds.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }

    // ------------------------------------------------------------------ ledger

    function deposit(uint256 actorSeed, uint256 amount) external {
        address a = _actor(actorSeed);
        amount = bound(amount, 1, token.balanceOf(a) / 4 + 1);
        vm.prank(a);
        market.deposit(a, amount);
        calls["deposit"]++;
    }

    function withdraw(uint256 actorSeed, uint256 amount) external {
        address a = _actor(actorSeed);
        uint256 balance = market.balanceOf(a);
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        vm.prank(a);
        market.withdraw(a, amount);
        calls["withdraw"]++;
    }

    // ------------------------------------------------------------------ jobs

    /// @dev Rewards and collateral ratios inside the market's current bounds (0.01 token and
    /// 100..300 % unless `setJobValueBounds` moved them); one post in four pays at most one
    /// token, so many fees are a fraction of a reputation unit and the rounding matters.
    function post(uint256 actorSeed, uint96 reward, uint16 pct, uint24 window, uint8 count) external {
        address a = _actor(actorSeed);
        IMarketGovernance.MarketConfig memory cfg = market.config();
        reward = uint96(bound(reward, cfg.minReward, actorSeed % 4 == 0 ? 1e18 : 1_000e18));
        pct = uint16(bound(pct, cfg.minCollateralPct, cfg.maxCollateralPct));
        count = uint8(bound(count, 1, 3));
        IJobMarket.JobRequest[] memory requests = new IJobMarket.JobRequest[](count);
        for (uint256 i; i < count; ++i) {
            requests[i] = IJobMarket.JobRequest({
                programHash: keccak256("program"),
                inputHash: keccak256(abi.encode(jobIds.length + i)),
                fuelLimit: 1_000_000,
                reward: reward,
                collateralPct: pct,
                claimDeadline: uint40(block.timestamp + 1 hours),
                executionTime: 1 hours,
                challengeWindow: uint24(bound(window, 1, 1 days)),
                minReputation: 0,
                designatedProvider: address(0),
                programURI: "",
                inputURI: ""
            });
        }
        vm.prank(a);
        uint256[] memory ids = market.postJobs(requests);
        for (uint256 i; i < ids.length; ++i) jobIds.push(ids[i]);
        calls["post"]++;
    }

    function claim(uint256 providerSeed, uint256 jobSeed) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Open);
        if (!found) return;
        IJobMarket.JobView memory j = market.getJob(id);
        if (block.timestamp > j.deadline) return;
        address p = _provider(providerSeed);
        if (market.freeStakeOf(p) < j.collateral || market.stakeOf(p).staked < market.config().minStake) return;
        vm.prank(p);
        market.claimJob(id);
        calls["claim"]++;
    }

    function submit(uint256 jobSeed, bytes32 result) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Claimed);
        if (!found) return;
        IJobMarket.JobView memory j = market.getJob(id);
        if (block.timestamp > j.deadline) return;
        if (result == 0) result = keccak256("result");
        vm.prank(j.provider);
        market.submitResult(id, result, "");
        termsOf[id] = IJobMarket.SubmittedJob(uint96(j.reward), j.collateralPct, j.provider, result, uint64(block.number));
        calls["submit"]++;
    }

    /// @notice The fast path: an open job claimed and submitted in one call.
    function claimAndSubmit(uint256 providerSeed, uint256 jobSeed, bytes32 result) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Open);
        if (!found) return;
        IJobMarket.JobView memory j = market.getJob(id);
        if (block.timestamp > j.deadline) return;
        address p = _provider(providerSeed);
        if (market.freeStakeOf(p) < j.collateral || market.stakeOf(p).staked < market.config().minStake) return;
        if (result == 0) result = keccak256("fast");
        _countReleases(p);
        vm.prank(p);
        market.claimAndSubmit(id, result, "");
        termsOf[id] = IJobMarket.SubmittedJob(uint96(j.reward), j.collateralPct, p, result, uint64(block.number));
        calls["claimAndSubmit"]++;
    }

    /// @notice The fast path's batch over up to `count` jobs from `jobSeed` on, open or not (the
    /// market skips the ones no longer open); it only sends a batch the provider's stake covers.
    function claimAndSubmitJobs(uint256 providerSeed, uint256 jobSeed, uint8 count) external {
        uint256 n = jobIds.length;
        if (n == 0) return;
        count = uint8(bound(count, 1, n < 8 ? n : 8));
        address p = _provider(providerSeed);
        if (market.stakeOf(p).staked < market.config().minStake) return;
        uint256[] memory ids = new uint256[](count);
        bytes32[] memory results = new bytes32[](count);
        IJobMarket.SubmittedJob[] memory terms = new IJobMarket.SubmittedJob[](count);
        uint256 need;
        uint256 open;
        for (uint256 i; i < count; ++i) {
            ids[i] = jobIds[(jobSeed + i) % n];
            results[i] = keccak256(abi.encode("fast", ids[i]));
            IJobMarket.JobView memory j = market.getJob(ids[i]);
            if (j.state != IJobMarket.JobState.Open) continue;
            if (block.timestamp > j.deadline) return;
            need += j.collateral;
            ++open;
            terms[i] = IJobMarket.SubmittedJob(uint96(j.reward), j.collateralPct, p, results[i], uint64(block.number));
        }
        // A release at the start of the call frees stake first; count only what is free now.
        if (market.freeStakeOf(p) < need) return;
        _countReleases(p);
        vm.prank(p);
        uint256 submitted = market.claimAndSubmitJobs(ids, results, new string[](count));
        assertEq(submitted, open, "every open member submitted, every other skipped");
        for (uint256 i; i < count; ++i) {
            if (terms[i].provider != address(0)) termsOf[ids[i]] = terms[i];
        }
        calls["claimAndSubmitJobs"] += submitted;
    }

    /// @notice Anyone releases a provider's matured pay buckets (a no-op when none matured).
    function releasePay(uint256 providerSeed) external {
        address p = _provider(providerSeed);
        _countReleases(p);
        market.releasePay(p);
        calls["releasePay"]++;
    }

    /// @notice Whether a job's pay sits in a bucket: a Submitted record with a bucket mark
    /// (whatever `jobState` says: past its window it reads Finalized).
    function bucketed(uint256 id) public view returns (bool) {
        uint256 rec = market.jobRecord(id);
        return uint8(rec) == uint8(IJobMarket.JobState.Submitted) && uint8(rec >> 48) != 0;
    }

    function finalize(uint256 jobSeed) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Submitted);
        if (!found || block.timestamp <= market.getJob(id).deadline) return;
        _noteDeadline(id);
        market.finalizeJob(id, termsOf[id]);
        _countFee(id);
        calls["finalize"]++;
    }

    /// @dev Batch settlement: every Submitted job past its window, plus all overdue jobs.
    function settleAllDue() external {
        uint256 n = jobIds.length;
        uint256[] memory due = new uint256[](n);
        uint256[] memory overdue = new uint256[](n);
        uint256 d;
        uint256 o;
        for (uint256 k; k < n && d < 100 && o < 100; ++k) {
            uint256 id = jobIds[k];
            IJobMarket.JobState s = market.jobState(id);
            if (block.timestamp <= market.getJob(id).deadline) continue;
            if (s == IJobMarket.JobState.Submitted) due[d++] = id;
            else if (s == IJobMarket.JobState.Open || s == IJobMarket.JobState.Claimed) overdue[o++] = id;
        }
        if (d > 0) {
            uint256[] memory ids = new uint256[](d);
            IJobMarket.SubmittedJob[] memory terms = new IJobMarket.SubmittedJob[](d);
            for (uint256 i; i < d; ++i) {
                ids[i] = due[i];
                terms[i] = termsOf[due[i]];
                _noteDeadline(due[i]);
            }
            market.finalizeJobs(ids, terms);
            // Every job listed is Submitted with its window closed, so the batch must settle them
            // all: each is counted (a job the market skipped would break the fee invariant).
            for (uint256 i; i < d; ++i) _countFee(ids[i]);
            calls["finalizeJobs"]++;
        }
        if (o > 0) {
            uint256[] memory ids = new uint256[](o);
            for (uint256 i; i < o; ++i) ids[i] = overdue[i];
            market.settleOverdueJobs(ids);
            calls["settleOverdueJobs"]++;
        }
    }

    function cancel(uint256 jobSeed) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Open);
        if (!found) return;
        vm.prank(market.requesterOf(id));
        market.cancelJob(id);
        calls["cancel"]++;
    }

    function expire(uint256 jobSeed) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Open);
        if (!found || block.timestamp <= market.getJob(id).deadline) return;
        market.expireJob(id);
        calls["expire"]++;
    }

    function timeOut(uint256 jobSeed) external {
        (uint256 id, bool found) = _job(jobSeed, IJobMarket.JobState.Claimed);
        if (!found || block.timestamp <= market.getJob(id).deadline) return;
        market.timeOutJob(id);
        calls["timeOut"]++;
    }

    // ------------------------------------------------------------------ stake

    function stake(uint256 providerSeed, uint256 amount) external {
        address p = _provider(providerSeed);
        amount = bound(amount, 1, token.balanceOf(p) / 4 + 1);
        vm.prank(p);
        market.stake(amount);
        calls["stake"]++;
    }

    function requestUnstake(uint256 providerSeed, uint256 amount) external {
        address p = _provider(providerSeed);
        uint256 free = market.freeStakeOf(p);
        if (free == 0) return;
        amount = bound(amount, 1, free);
        vm.prank(p);
        market.requestUnstake(amount);
        calls["requestUnstake"]++;
    }

    function withdrawUnstaked(uint256 providerSeed) external {
        address p = _provider(providerSeed);
        if (market.unbondingOf(p).amount == 0 || block.timestamp < market.unbondingOf(p).unlockAt) return;
        vm.prank(p);
        market.withdrawUnstaked(p);
        calls["withdrawUnstaked"]++;
    }

    /// @dev Only the treasury may withdraw fees; the audit reserve stays in the market.
    function withdrawFees() external {
        if (market.accruedFees() == 0) return;
        vm.prank(market.treasury());
        market.withdrawFees();
        calls["withdrawFees"]++;
    }

    // ------------------------------------------------------------------ governance

    /// @dev The owner changes the fee rate: jobs posted before it keep the old rate (a job pays
    /// the new one only if its deadline is past the change's effective time). One at a time.
    function setFeeBps(uint16 bps) external {
        (, uint256 effectiveAt) = market.feeChange();
        if (block.timestamp < effectiveAt) return;
        bps = uint16(bound(bps, 0, market.MAX_FEE_BPS()));
        vm.prank(market.owner());
        market.setFeeBps(bps);
        calls["setFeeBps"]++;
    }

    /// @dev The owner moves the job value bounds. Jobs already posted keep their terms. The
    /// bounds always admit a 10-token job at 150 % (the dispute handler posts those).
    function setJobValueBounds(uint96 minReward, uint16 minPct, uint16 maxPct) external {
        minReward = uint96(bound(minReward, 1e15, 1e18));
        minPct = uint16(bound(minPct, 1, 150));
        maxPct = uint16(bound(maxPct, 150, 500));
        vm.prank(market.owner());
        market.setJobValueBounds(minReward, minPct, maxPct);
        calls["setJobValueBounds"]++;
    }

    // ------------------------------------------------------------------ time

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 1, 3 days));
        calls["warp"]++;
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The record's deadline just before a settling call (a finalized record is cleared).
    function _noteDeadline(uint256 id) internal {
        deadlineAtSettlement[id] = market.getJob(id).deadline;
    }

    /// @dev Adds a job just finalized to the fee ghost, at the rate its deadline selects.
    function _countFee(uint256 id) internal {
        if (feeCounted[id]) return;
        feeCounted[id] = true;
        IJobMarket.SubmittedJob memory t = termsOf[id];
        (uint16 previousBps, uint256 effectiveAt) = market.feeChange();
        uint256 bps = deadlineAtSettlement[id] < effectiveAt ? previousBps : market.feeBps();
        uint256 fee = (uint256(t.reward) * bps) / 10_000;
        feeUnitsOf[t.provider] += fee / REPUTATION_UNIT;
        if (fee >= REPUTATION_UNIT) calls["feeUnitsCounted"]++;
        if (fee % REPUTATION_UNIT != 0) calls["feeRoundedDown"]++;
    }

    /// @dev Before a call that releases `p`'s matured buckets: their fee units join the ghost
    /// (a release counts them exactly as finalizing each job would have).
    function _countReleases(address p) internal {
        (PayClocks c,) = market.pendingPayOf(p);
        for (uint256 i; i < 2; ++i) {
            if (c.jobs(i) == 0 || block.timestamp <= c.maturesAt(i)) continue;
            feeUnitsOf[p] += c.feeUnits(i);
            calls["bucketsReleased"]++;
        }
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }

    function _provider(uint256 seed) private view returns (address) {
        return providers[seed % providers.length];
    }

    /// @dev The first job at or after `seed` (cyclically) in `wanted` state.
    function _job(uint256 seed, IJobMarket.JobState wanted) private view returns (uint256 id, bool found) {
        uint256 n = jobIds.length;
        if (n == 0) return (0, false);
        uint256 start = seed % n;
        for (uint256 k; k < n; ++k) {
            id = jobIds[(start + k) % n];
            if (market.jobState(id) == wanted) return (id, true);
        }
        return (0, false);
    }
}
