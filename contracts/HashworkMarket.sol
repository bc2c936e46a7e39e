// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IDisputeHooks} from "./interfaces/IDisputeHooks.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IPayBuckets} from "./interfaces/IPayBuckets.sol";
import {JobRecord, JobRecordLib} from "./libraries/JobRecordLib.sol";
import {PayClocks, PayClocksLib} from "./libraries/PayClocks.sol";
import {PayoutMath} from "./libraries/PayoutMath.sol";
import {GovernanceForwarder} from "./modules/GovernanceForwarder.sol";
import {MarketAdmin} from "./modules/MarketAdmin.sol";
import {MarketGovernance} from "./modules/MarketGovernance.sol";
import {Reputation} from "./modules/Reputation.sol";
import {TokenVault} from "./modules/TokenVault.sol";

/// @title HashworkMarket
/// @notice The Hashwork market: escrow and job state machine, on top of the token vault, the
/// provider registry, reputation and governance modules, deployed as one contract so the hot
/// paths (post, claim, submit, finalize) make no cross-contract calls. Disputes live in a
/// separate module that reaches the market only through `IDisputeHooks`. The cold governance
/// functions run in a `MarketAdmin` it deploys, by delegatecall (`GovernanceForwarder`).
/// Fast-path jobs are paid through per-provider pay buckets (`IPayBuckets`), not one by one.
contract HashworkMarket is IJobMarket, IDisputeHooks, IPayBuckets, Reputation {
    /// @notice Largest batch accepted by the batch functions.
    uint256 public constant MAX_BATCH = 100;

    /// @inheritdoc IPayBuckets
    /// @dev A bucket takes a job only if its challenge ends before the bucket's opening + 2 *
    /// PAY_SEAL (the hostage rule, `_defer`), so no bucket's pay waits longer than that.
    uint256 public constant PAY_SEAL = 10 minutes;

    uint256 private constant _OPEN = 1 << uint8(JobState.Open);
    uint256 private constant _CLAIMED = 1 << uint8(JobState.Claimed);
    uint256 private constant _SUBMITTED = 1 << uint8(JobState.Submitted);
    uint256 private constant _DISPUTED = 1 << uint8(JobState.Disputed);
    // States whose record still holds the open terms (see JobRecordLib).
    uint256 private constant _TERMS_STORED = _OPEN | _CLAIMED | (1 << uint8(JobState.Cancelled))
        | (1 << uint8(JobState.Expired)) | (1 << uint8(JobState.TimedOut));

    mapping(uint256 jobId => JobRecord) private _jobs;
    // After every inherited variable: MarketAdmin's storage is a prefix that never reaches here.
    // Deferred pay (IPayBuckets): both buckets' clocks in one slot, each bucket's money in one.
    mapping(address provider => PayClocks) private _payClocks;
    mapping(address provider => PayPurse[2]) private _payPurses;

    /// @dev A fast-path call's work on its provider's pay buckets, held in memory and written
    /// once: the jobs' fee rate (the copy in `_stakeRules`, a slot the claim has already read:
    /// only a release touches the fee slot), the clocks, the bucket taking this call's jobs
    /// (`taking`, `index`) with its fields unpacked, and what goes into `PayDeferred`.
    struct Fill {
        uint256 feeRate;
        PayClocks clocks;
        bool released;
        bool taking;
        uint256 index;
        uint256 payout;
        uint256 fee;
        uint256 collateral;
        uint256 jobs;
        uint256 feeUnits;
        uint256 maturesAt;
        uint256 sealsAt;
        uint256 count;
        uint256[] jobIds;
    }

    constructor(
        IERC20 token_,
        address owner_,
        address treasury_,
        MarketConfig memory config_,
        uint16 feeBps_,
        uint32 maxDisputeDuration_
    )
        TokenVault(token_)
        MarketGovernance(owner_, treasury_, config_, feeBps_, maxDisputeDuration_)
        GovernanceForwarder(address(new MarketAdmin(token_, owner_, treasury_, config_, feeBps_, maxDisputeDuration_)))
    {}

    // ================================================================== posting

    /// @inheritdoc IJobMarket
    function postJob(JobRequest calldata request) external nonReentrant returns (uint256 jobId) {
        PostRules memory cfg = _postRulesWhenLive();
        uint64 nonce = _fundFromBalance(request.reward, 1);
        jobId = _post(request, cfg, nonce);
    }

    /// @inheritdoc IJobMarket
    function postJobWithPermit(
        JobRequest calldata request,
        uint256 permitValue,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 jobId) {
        PostRules memory cfg = _postRulesWhenLive();
        _tryPermit(permitValue, permitDeadline, v, r, s);
        uint64 nonce = _fundFromBalance(request.reward, 1);
        jobId = _post(request, cfg, nonce);
    }

    /// @inheritdoc IJobMarket
    function postJobs(JobRequest[] calldata requests) external nonReentrant returns (uint256[] memory jobIds) {
        uint256 n = requests.length;
        _requireBatch(n, n);
        PostRules memory cfg = _postRulesWhenLive();
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += requests[i].reward;
        }
        uint64 nonce = _fundFromBalance(total, n);
        jobIds = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            jobIds[i] = _post(requests[i], cfg, nonce + uint64(i));
        }
    }

    // ================================================================== claiming

    /// @inheritdoc IJobMarket
    function claimJob(uint256 jobId) external {
        (uint32 providerId, StakeInfo memory s) = _claimant();
        _claim(jobId, providerId, s);
        _stakes[msg.sender] = s;
    }

    /// @inheritdoc IJobMarket
    function claimJobs(uint256[] calldata jobIds) external {
        uint256 n = jobIds.length;
        _requireBatch(n, n);
        (uint32 providerId, StakeInfo memory s) = _claimant();
        for (uint256 i; i < n; ++i) {
            _claim(jobIds[i], providerId, s);
        }
        _stakes[msg.sender] = s;
    }

    // ================================================================== submitting

    /// @inheritdoc IJobMarket
    function submitResult(uint256 jobId, bytes32 resultHash, string calldata outputURI) external {
        _submit(jobId, _providerIds[msg.sender], resultHash, outputURI);
    }

    /// @inheritdoc IJobMarket
    function submitResults(uint256[] calldata jobIds, bytes32[] calldata resultHashes, string[] calldata outputURIs)
        external
    {
        uint256 n = jobIds.length;
        _requireBatch(n, resultHashes.length);
        _requireBatch(n, outputURIs.length);
        uint32 providerId = _providerIds[msg.sender];
        for (uint256 i; i < n; ++i) {
            _submit(jobIds[i], providerId, resultHashes[i], outputURIs[i]);
        }
    }

    // ================================================================== fast path

    /// @inheritdoc IJobMarket
    /// @dev The claim's checks and lock (`_lock`), then the submission from the same record read:
    /// the record and the stake record are written once. Any failure reverts the whole call, so a
    /// provider that loses a race locks nothing.
    function claimAndSubmit(uint256 jobId, bytes32 resultHash, string calldata outputURI) external {
        (uint32 providerId, StakeInfo memory s) = _claimant();
        // Claim first: a provider that lost the race reverts before reading its pay buckets
        // (so the claim counts only the stake free before this call's release).
        JobRecord rec = _jobs[jobId];
        (uint256 collateral,) = _lock(jobId, rec, providerId, s);
        Fill memory f = _startFill(s, 1);
        _fastSubmit(jobId, rec, resultHash, outputURI, f, collateral);
        _endFill(f, s);
    }

    /// @inheritdoc IJobMarket
    /// @dev Jobs no longer Open (another provider was first, or the requester cancelled) or past
    /// their claim deadline are skipped, so one lost race, or a job posted to expire while the
    /// provider ran it, does not cost the provider the whole batch; any other failure (too little
    /// free stake, a zero hash, a job designated to another provider, ...) reverts it all.
    function claimAndSubmitJobs(
        uint256[] calldata jobIds,
        bytes32[] calldata resultHashes,
        string[] calldata outputURIs
    ) external returns (uint256 submitted) {
        uint256 n = jobIds.length;
        _requireBatch(n, resultHashes.length);
        _requireBatch(n, outputURIs.length);
        (uint32 providerId, StakeInfo memory s) = _claimant();
        Fill memory f = _startFill(s, n);
        for (uint256 i; i < n; ++i) {
            uint256 jobId = jobIds[i];
            // The record is read once per job: `_lock` and `_fastSubmit` work on this copy.
            JobRecord rec = _jobs[jobId];
            if (rec.state() != JobState.Open || block.timestamp > rec.deadline()) continue;
            (uint256 collateral,) = _lock(jobId, rec, providerId, s);
            _fastSubmit(jobId, rec, resultHashes[i], outputURIs[i], f, collateral);
            unchecked {
                ++submitted; // at most MAX_BATCH
            }
        }
        _endFill(f, s);
    }

    // ================================================================== deferred pay

    /// @inheritdoc IPayBuckets
    function releasePay(address provider) external returns (uint256 paid) {
        PayClocks c = _payClocks[provider];
        StakeInfo memory s;
        bool released;
        for (uint256 i; i < 2; ++i) {
            if (c.jobs(i) == 0 || block.timestamp <= c.maturesAt(i)) continue;
            if (!released) (s, released) = (_stakes[provider], true);
            uint256 payout;
            (c, payout) = _release(provider, i, c, s);
            paid += payout;
        }
        if (!released) return 0;
        _payClocks[provider] = c;
        _stakes[provider] = s;
    }

    /// @inheritdoc IPayBuckets
    function pendingPayOf(address provider) external view returns (PayClocks clocks, PayPurse[2] memory purses) {
        return (_payClocks[provider], _payPurses[provider]);
    }

    // ================================================================== settlement (permissionless)

    /// @inheritdoc IJobMarket
    function finalizeJob(uint256 jobId, SubmittedJob calldata terms) external {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _SUBMITTED);
        if (rec.bucketMark() != 0) revert MarketPaidByBucket(jobId);
        if (block.timestamp <= rec.deadline()) revert MarketChallengeWindowOpen(jobId, rec.deadline());
        _payAndAccrue(jobId, rec, terms);
    }

    /// @inheritdoc IJobMarket
    /// @dev Jobs that are no longer Submitted (settled or disputed meanwhile) or whose window is
    /// still open are skipped, so nobody can fail a keeper's batch by settling one job first;
    /// so are jobs paid through a pay bucket (nothing is paid twice).
    /// Terms that do not match a Submitted job still revert: that is the caller's mistake.
    function finalizeJobs(uint256[] calldata jobIds, SubmittedJob[] calldata terms)
        external
        returns (uint256 settled)
    {
        uint256 n = jobIds.length;
        _requireBatch(n, terms.length);
        FeeState memory fees = _fees;
        for (uint256 i; i < n; ++i) {
            uint256 jobId = jobIds[i];
            JobRecord rec = _jobs[jobId];
            if (rec.state() != JobState.Submitted || rec.bucketMark() != 0 || block.timestamp <= rec.deadline()) {
                continue;
            }
            _requireTerms(jobId, rec, terms[i]);
            _addFee(fees, _payProvider(jobId, terms[i], _feeBpsFor(fees, rec.deadline())));
            ++settled;
        }
        _fees = fees;
    }

    /// @inheritdoc IJobMarket
    function cancelJob(uint256 jobId) external {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _OPEN);
        if (msg.sender != requesterOf(jobId)) revert MarketNotRequester(jobId, msg.sender);
        _jobs[jobId] = rec.withState(JobState.Cancelled);
        _credit(msg.sender, rec.reward());
        emit JobCancelled(jobId, msg.sender, rec.reward());
    }

    /// @inheritdoc IJobMarket
    function expireJob(uint256 jobId) external {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _OPEN);
        if (block.timestamp <= rec.deadline()) revert MarketClaimDeadlineNotReached(jobId, rec.deadline());
        _expire(jobId, rec);
    }

    /// @inheritdoc IJobMarket
    function timeOutJob(uint256 jobId) external {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _CLAIMED);
        if (block.timestamp <= rec.deadline()) revert MarketExecutionDeadlineNotReached(jobId, rec.deadline());
        _timeOut(jobId, rec);
    }

    /// @inheritdoc IJobMarket
    /// @dev Jobs that are not due (already settled by another keeper, or not late yet) are
    /// skipped rather than failing the whole batch. Returns how many were settled.
    function settleOverdueJobs(uint256[] calldata jobIds) external returns (uint256 settled) {
        uint256 n = jobIds.length;
        _requireBatch(n, n);
        for (uint256 i; i < n; ++i) {
            uint256 jobId = jobIds[i];
            JobRecord rec = _jobs[jobId];
            if (block.timestamp <= rec.deadline()) continue;
            JobState current = rec.state();
            if (current == JobState.Open) {
                _expire(jobId, rec);
            } else if (current == JobState.Claimed) {
                _timeOut(jobId, rec);
            } else {
                continue;
            }
            ++settled;
        }
    }

    // ================================================================== dispute seam

    /// @inheritdoc IDisputeHooks
    function openDispute(uint256 jobId, SubmittedJob calldata terms) external onlyDisputeModule {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _SUBMITTED);
        _requireTerms(jobId, rec, terms);
        if (block.timestamp > rec.deadline()) revert MarketChallengeWindowClosed(jobId, rec.deadline());
        // now <= challenge end <= the bucket's maturesAt: the job's pay is still in its bucket.
        uint8 mark = rec.bucketMark();
        if (mark != 0) _withdrawFromBucket(terms, mark - 1, rec.deadline());
        uint40 deadline = uint40(block.timestamp + _maxDisputeDuration);
        // The module that opened a dispute settles it, even if governance has since set another.
        _jobs[jobId] = rec.disputed(deadline, _disputeModuleNumber);
        emit JobDisputed(jobId, msg.sender, deadline);
    }

    /// @inheritdoc IDisputeHooks
    function settleDispute(uint256 jobId, SubmittedJob calldata terms, bool providerWon) external {
        JobRecord rec = _jobs[jobId];
        _requireModuleOf(rec);
        _expectState(jobId, rec, _DISPUTED);
        _requireTerms(jobId, rec, terms);
        // Past the deadline the dispute belongs to `voidExpiredDispute`: no late decision races it.
        if (block.timestamp > rec.deadline()) revert MarketDisputeDeadlinePassed(jobId, rec.deadline());
        if (providerWon) {
            _payAndAccrue(jobId, rec, terms);
            _recordDisputeWon(terms.provider);
            emit DisputeSettled(jobId, true, 0, 0);
            return;
        }
        uint256 collateral = PayoutMath.collateral(terms.reward, terms.collateralPct);
        _jobs[jobId] = rec.withState(JobState.Overturned);
        _slash(terms.provider, collateral, msg.sender);
        _credit(requesterOf(jobId), terms.reward);
        _recordDisputeLost(terms.provider);
        emit DisputeSettled(jobId, false, terms.reward, collateral);
    }

    /// @inheritdoc IDisputeHooks
    function voidExpiredDispute(uint256 jobId, SubmittedJob calldata terms) external {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _DISPUTED);
        _requireTerms(jobId, rec, terms);
        if (block.timestamp <= rec.deadline()) revert MarketDisputeDeadlineNotReached(jobId, rec.deadline());
        uint256 collateral = PayoutMath.collateral(terms.reward, terms.collateralPct);
        _jobs[jobId] = rec.withState(JobState.Voided);
        _unlock(terms.provider, collateral);
        _credit(requesterOf(jobId), terms.reward);
        emit DisputeVoided(jobId, terms.reward, collateral);
    }

    /// @inheritdoc IDisputeHooks
    function fundAudit(uint256 amount) external onlyDisputeModule returns (uint256 funded) {
        FeeState memory fees = _fees;
        funded = amount < fees.auditReserve ? amount : fees.auditReserve;
        // The reserve was already owed (to audits); now it is owed to the module instead.
        fees.auditReserve -= uint96(funded);
        _fees = fees;
        _credit(msg.sender, funded);
        emit AuditFunded(msg.sender, funded, fees.auditReserve);
    }

    /// @inheritdoc IDisputeHooks
    function refundAudit(uint256 jobId, uint256 amount) external {
        JobRecord rec = _jobs[jobId];
        // Only a record that went through a dispute names a module (bits 48..55 of an open job
        // are its reward's).
        _expectState(jobId, rec, _DISPUTED | (1 << uint8(JobState.Overturned)) | (1 << uint8(JobState.Voided)));
        _requireModuleOf(rec);
        _debit(msg.sender, amount);
        FeeState memory fees = _fees;
        // Back from the module's balance (saturating: see _creditReserve).
        _creditReserve(fees, amount);
        _fees = fees;
        emit AuditRefunded(msg.sender, amount, fees.auditReserve);
    }

    // ================================================================== views

    /// @inheritdoc IJobMarket
    function jobState(uint256 jobId) external view returns (JobState) {
        return _stateOf(jobId, _jobs[jobId]);
    }

    /// @inheritdoc IJobMarket
    function jobRecord(uint256 jobId) external view returns (uint256) {
        return JobRecord.unwrap(_jobs[jobId]);
    }

    /// @inheritdoc IJobMarket
    function getJob(uint256 jobId) external view returns (JobView memory job) {
        JobRecord rec = _jobs[jobId];
        job.state = _stateOf(jobId, rec);
        job.requester = requesterOf(jobId);
        job.deadline = rec.deadline();
        uint256 bit = 1 << uint8(job.state);
        if (bit & _TERMS_STORED == 0) {
            if (!rec.isEmpty()) job.commitment = rec.commitment();
            return job;
        }
        job.reward = rec.reward();
        job.provider = _providers[rec.providerId()];
        job.collateralPct = rec.collateralPct();
        job.collateral = PayoutMath.collateral(job.reward, job.collateralPct);
        job.minReputation = rec.minReputation();
        job.executionTime = rec.executionTime();
        job.challengeWindow = rec.challengeWindow();
    }

    /// @inheritdoc IDisputeHooks
    function disputeModuleOf(uint256 jobId) external view returns (address) {
        JobRecord rec = _jobs[jobId];
        uint256 bit = 1 << uint8(rec.state());
        if (bit & (_DISPUTED | (1 << uint8(JobState.Overturned)) | (1 << uint8(JobState.Voided))) == 0) return address(0);
        return _disputeModules[rec.disputeModule()];
    }

    /// @inheritdoc IJobMarket
    function requesterOf(uint256 jobId) public pure returns (address) {
        return address(uint160(jobId >> 96));
    }

    // ================================================================== internal

    /// @dev Reads the posting rules (one slot) and refuses new posts while paused.
    function _postRulesWhenLive() private view returns (PostRules memory rules) {
        rules = _postRules;
        if (rules.paused) revert MarketPaused();
    }

    /// @dev Debits `amount` from the caller's ledger balance, first pulling any shortfall from
    /// its allowance, and reserves `count` job nonces. The pull happens before the account is
    /// read for the write, so nothing a token callback credits in between is overwritten.
    function _fundFromBalance(uint256 amount, uint256 count) private returns (uint64 firstNonce) {
        uint256 shortfall;
        uint256 known = _accounts[msg.sender].balance;
        if (known < amount) {
            shortfall = amount - known;
            _pullExact(msg.sender, shortfall);
            emit Deposited(msg.sender, msg.sender, shortfall);
        }
        // Re-read after the pull: a token callback may have changed this account meanwhile.
        // If it shrank, the checked subtraction below reverts and nothing is lost.
        Account memory a = _accounts[msg.sender];
        firstNonce = a.jobNonce;
        // The result is <= a.balance (shortfall <= amount), so it fits in uint128.
        _accounts[msg.sender] =
            Account({balance: uint128(a.balance + shortfall - amount), jobNonce: firstNonce + uint64(count)});
    }

    function _post(JobRequest calldata q, PostRules memory cfg, uint64 nonce) private returns (uint256 jobId) {
        if (q.reward == 0) revert MarketZeroReward();
        if (q.reward < cfg.minReward) revert MarketRewardTooLow(q.reward, cfg.minReward);
        if (q.collateralPct < cfg.minCollateralPct || q.collateralPct > cfg.maxCollateralPct) {
            revert MarketInvalidCollateral(q.collateralPct, cfg.minCollateralPct, cfg.maxCollateralPct);
        }
        if (q.fuelLimit == 0) revert MarketZeroFuel();
        if (q.programHash == 0 || q.inputHash == 0) revert MarketZeroContentHash();
        uint256 latest = block.timestamp + cfg.maxClaimDelay;
        if (q.claimDeadline <= block.timestamp || q.claimDeadline > latest) {
            revert MarketInvalidClaimDeadline(q.claimDeadline, block.timestamp + 1, latest);
        }
        if (q.executionTime < cfg.minExecutionTime || q.executionTime > cfg.maxExecutionTime) {
            revert MarketInvalidExecutionTime(q.executionTime, cfg.minExecutionTime, cfg.maxExecutionTime);
        }
        if (q.challengeWindow < cfg.minChallengeWindow || q.challengeWindow > cfg.maxChallengeWindow) {
            revert MarketInvalidChallengeWindow(q.challengeWindow, cfg.minChallengeWindow, cfg.maxChallengeWindow);
        }
        if (q.minReputation > PayoutMath.MAX_SCORE) revert MarketInvalidMinReputation(q.minReputation);
        uint32 designatedId;
        if (q.designatedProvider != address(0)) {
            designatedId = _providerIds[q.designatedProvider];
            if (designatedId == 0) revert MarketUnknownProvider(q.designatedProvider);
        }
        jobId = (uint256(uint160(msg.sender)) << 96) | nonce;
        _jobs[jobId] = JobRecordLib.open(
            q.claimDeadline, q.reward, designatedId, q.collateralPct, q.minReputation, q.executionTime, q.challengeWindow
        );
        emit JobPosted(jobId, msg.sender, q);
    }

    /// @dev The caller's provider id and stake record, checked against pause and minimum stake.
    function _claimant() private view returns (uint32 providerId, StakeInfo memory s) {
        // Fields read through the pointer (one slot, loaded once): no memory copy of the rules.
        StakeRules storage cfg = _stakeRules;
        if (cfg.paused) revert MarketPaused();
        providerId = _providerIds[msg.sender];
        if (providerId == 0) revert RegistryNotProvider(msg.sender);
        s = _stakes[msg.sender];
        if (s.staked < cfg.minStake) revert RegistryBelowMinimumStake(msg.sender, s.staked, cfg.minStake);
    }

    /// @dev Claims one job, locking collateral in the in-memory stake record `s` (the caller
    /// writes it back once, also for batches).
    function _claim(uint256 jobId, uint32 providerId, StakeInfo memory s) private {
        JobRecord rec = _jobs[jobId];
        (, uint40 deadline) = _lock(jobId, rec, providerId, s);
        _jobs[jobId] = rec.claimed(deadline, providerId);
    }

    /// @dev The claim of the Open record `rec` without writing it: checks it, locks its
    /// collateral in `s` and emits `JobClaimed` (the caller writes the new record).
    function _lock(uint256 jobId, JobRecord rec, uint32 providerId, StakeInfo memory s)
        private
        returns (uint256 collateral, uint40 deadline)
    {
        _expectState(jobId, rec, _OPEN);
        if (block.timestamp > rec.deadline()) revert MarketClaimDeadlinePassed(jobId, rec.deadline());
        uint32 designated = rec.providerId();
        if (designated != 0 && designated != providerId) revert MarketNotDesignatedProvider(jobId, msg.sender);
        collateral = PayoutMath.collateral(rec.reward(), rec.collateralPct());
        uint256 free = s.staked - s.locked;
        if (collateral > free) revert RegistryInsufficientFreeStake(msg.sender, free, collateral);
        uint16 minReputation = rec.minReputation();
        if (minReputation != 0) {
            // Scored against everything the provider holds at once (its locked collateral is at
            // least the rewards in flight), so fees paid once cannot vouch for many jobs together.
            uint16 score = _scoreFor(msg.sender, s.feeUnits, rec.reward() + s.locked);
            if (score < minReputation) revert MarketReputationTooLow(jobId, score, minReputation);
        }
        // collateral <= free, so locked stays <= staked <= uint96 max.
        unchecked {
            s.locked += uint96(collateral);
        }
        deadline = uint40(block.timestamp + rec.executionTime());
        emit JobClaimed(jobId, msg.sender, collateral, deadline, s.locked);
    }

    /// @dev Checks a submission of a Claimed job and writes its Submitted record.
    function _submit(uint256 jobId, uint32 providerId, bytes32 resultHash, string calldata outputURI) private {
        JobRecord rec = _jobs[jobId];
        _expectState(jobId, rec, _CLAIMED);
        if (providerId == 0 || rec.providerId() != providerId) revert MarketNotClaimant(jobId, msg.sender);
        if (block.timestamp > rec.deadline()) revert MarketExecutionDeadlinePassed(jobId, rec.deadline());
        if (resultHash == 0) revert MarketZeroResultHash();
        (_jobs[jobId],,) = _submitted(jobId, rec, resultHash, outputURI);
    }

    /// @dev The fast path's submission of a job this call has just claimed from the Open record
    /// `rec` (`_lock`): the claimed state's checks hold by construction (Claimed, by this
    /// provider, execution deadline not before now), so only the hash is checked; the record is
    /// written once, with the job's pay in the call's bucket if it can go there.
    function _fastSubmit(
        uint256 jobId,
        JobRecord rec,
        bytes32 resultHash,
        string calldata outputURI,
        Fill memory f,
        uint256 collateral
    ) private {
        if (resultHash == 0) revert MarketZeroResultHash();
        (JobRecord done, uint256 reward, uint256 challengeEnd) = _submitted(jobId, rec, resultHash, outputURI);
        _jobs[jobId] = done.withBucketMark(_defer(f, jobId, reward, collateral, challengeEnd));
    }

    /// @dev Emits `ResultSubmitted` for a checked submission of the job `rec` holds the terms of
    /// (Open or Claimed: both keep them) and returns its new Submitted record (unmarked), its
    /// reward and its challenge end.
    function _submitted(uint256 jobId, JobRecord rec, bytes32 resultHash, string calldata outputURI)
        private
        returns (JobRecord, uint256, uint256)
    {
        // The terms (`SubmittedJob`) field by field: nothing is allocated per job.
        uint96 reward = rec.reward();
        uint16 collateralPct = rec.collateralPct();
        uint40 challengeEnd = uint40(block.timestamp + rec.challengeWindow());
        emit ResultSubmitted(
            jobId, msg.sender, resultHash, reward, collateralPct, uint64(block.number), challengeEnd, outputURI
        );
        uint256 commitment = JobRecordLib.commitFields(reward, collateralPct, msg.sender, resultHash, uint64(block.number));
        return (JobRecordLib.committed(JobState.Submitted, challengeEnd, commitment), reward, challengeEnd);
    }

    /// @dev Opens a fast-path call's fill: releases the caller's matured buckets into `s` and
    /// picks the bucket taking its jobs: the one still filling, else an empty one (opened now),
    /// else none (both sealed and not matured: the jobs are finalized one by one, as before). Under
    /// the hostage rule (`_defer`) that last case cannot arise, since the older bucket has matured
    /// by the time the newer one seals; it stays as a guard.
    function _startFill(StakeInfo memory s, uint256 n) private returns (Fill memory f) {
        PayClocks c = _payClocks[msg.sender];
        for (uint256 i; i < 2; ++i) {
            if (c.jobs(i) == 0 || block.timestamp <= c.maturesAt(i)) continue;
            (c,) = _release(msg.sender, i, c, s);
            f.released = true;
        }
        f.feeRate = _stakeRules.feeRate;
        f.clocks = c;
        uint256 index;
        bool open;
        if (block.timestamp < c.sealsAt(0)) {
            index = 0;
        } else if (block.timestamp < c.sealsAt(1)) {
            index = 1;
        } else if (c.jobs(0) == 0) {
            (index, open) = (0, true);
        } else if (c.jobs(1) == 0) {
            (index, open) = (1, true);
        } else {
            return f;
        }
        PayPurse storage p = _payPurses[msg.sender][index];
        (f.taking, f.index, f.payout, f.fee, f.collateral) = (true, index, p.payout, p.fee, p.collateral);
        (f.jobs, f.feeUnits, f.maturesAt) = (c.jobs(index), c.feeUnits(index), c.maturesAt(index));
        f.sealsAt = open ? block.timestamp + PAY_SEAL : c.sealsAt(index);
        f.jobIds = new uint256[](n);
    }

    /// @dev Puts one job's pay into the fill's bucket; returns the record's bucket mark (0: the
    /// job is finalized on its own, also when a bucket field would pass its limit).
    function _defer(Fill memory f, uint256 jobId, uint256 reward, uint256 collateral, uint256 challengeEnd)
        private
        view
        returns (uint8)
    {
        if (!f.taking) return 0;
        // The hostage rule: a bucket matures before its opening + 2 * PAY_SEAL whatever windows
        // its jobs have, so one long window cannot hold the others' pay; it is paid eagerly.
        unchecked {
            // sealsAt is a 40-bit time.
            if (challengeEnd >= f.sealsAt + PAY_SEAL) return 0;
        }
        // The rate a finalize would use: fee changes are scheduled past every live job's window.
        (uint256 payout, uint256 fee) = PayoutMath.splitFee(reward, _feeBpsFor(f.feeRate, challengeEnd));
        uint256 units;
        uint256 fees;
        // Every operand is below 2^100 (a uint96 reward, its collateral and fee; bucket fields of
        // at most 88 bits): no sum can overflow. The limits are checked below.
        unchecked {
            units = f.feeUnits + _feeUnits(fee);
            payout += f.payout;
            fees = f.fee + fee;
            collateral += f.collateral;
        }
        if (
            payout > type(uint88).max || fees > type(uint80).max || collateral > type(uint80).max
                || units > PayClocksLib.MAX_COUNT || f.jobs == PayClocksLib.MAX_COUNT
        ) return 0;
        (f.payout, f.fee, f.collateral, f.feeUnits) = (payout, fees, collateral, units);
        unchecked {
            ++f.jobs; // below MAX_COUNT, checked above
        }
        if (challengeEnd > f.maturesAt) f.maturesAt = challengeEnd;
        f.jobIds[f.count++] = jobId;
        return uint8(f.index + 1);
    }

    /// @dev Writes a fill back: the stake record, the clocks if anything moved, and the bucket
    /// with `PayDeferred` if it took jobs.
    function _endFill(Fill memory f, StakeInfo memory s) private {
        _stakes[msg.sender] = s;
        uint256 count = f.count;
        if (count == 0) {
            if (f.released) _payClocks[msg.sender] = f.clocks;
            return;
        }
        uint256 index = f.index;
        _payClocks[msg.sender] = f.clocks.withBucket(index, f.maturesAt, f.sealsAt, f.jobs, f.feeUnits);
        // The limits were checked in `_defer`.
        _payPurses[msg.sender][index] =
            PayPurse({payout: uint88(f.payout), fee: uint80(f.fee), collateral: uint80(f.collateral), used: 1});
        uint256[] memory ids = f.jobIds;
        // Trim the array to the jobs deferred (skipped or eager jobs leave it shorter).
        assembly ("memory-safe") {
            mstore(ids, count)
        }
        emit PayDeferred(msg.sender, uint8(index), ids);
    }

    /// @dev Pays out matured bucket `i` into the in-memory stake record `s` (the caller writes
    /// it, and the returned clocks, once) and accrues its fee, exactly as finalizing its jobs one
    /// by one would: payout into stake (the ledger if stake is full), collateral unlocked,
    /// saturating counters. Empties the bucket but keeps its clocks and money-slot marker.
    function _release(address provider, uint256 i, PayClocks c, StakeInfo memory s)
        private
        returns (PayClocks, uint256 payout)
    {
        PayPurse storage p = _payPurses[provider][i];
        payout = p.payout;
        uint256 fee = p.fee;
        uint256 collateral = p.collateral;
        uint256 jobs = c.jobs(i);
        s.locked -= uint96(collateral);
        uint256 staked = s.staked + payout;
        if (staked > type(uint96).max) {
            _credit(provider, payout);
            emit PayoutCreditedToBalance(0, provider, payout);
        } else {
            s.staked = uint96(staked);
        }
        uint256 done = s.completed + jobs;
        s.completed = done > type(uint32).max ? type(uint32).max : uint32(done);
        uint256 units = s.feeUnits + c.feeUnits(i);
        s.feeUnits = units > type(uint32).max ? type(uint32).max : uint32(units);
        FeeState memory fees = _fees;
        _addFee(fees, fee);
        _fees = fees;
        emit PayReleased(provider, uint8(i), jobs, payout, fee, collateral, s.locked);
        // `used` stays 1: the slot is never zeroed, so the next fill rewrites it for 5,000.
        (p.payout, p.fee, p.collateral) = (0, 0, 0);
        return (c.withBucket(i, c.maturesAt(i), c.sealsAt(i), 0, 0), payout);
    }

    /// @dev Takes a disputed job out of its bucket (its pay, fee, fee units, collateral and
    /// count), so the dispute settles it as any other job; its collateral stays locked for it.
    function _withdrawFromBucket(SubmittedJob calldata terms, uint256 i, uint256 challengeEnd) private {
        address provider = terms.provider;
        PayClocks c = _payClocks[provider];
        PayPurse memory p = _payPurses[provider][i];
        // The same rate and split as `_defer` computed (see there), so nothing here underflows.
        (uint256 payout, uint256 fee) = PayoutMath.splitFee(terms.reward, _feeBpsFor(_fees, challengeEnd));
        p.payout -= uint88(payout);
        p.fee -= uint80(fee);
        p.collateral -= uint80(PayoutMath.collateral(terms.reward, terms.collateralPct));
        _payPurses[provider][i] = p;
        _payClocks[provider] =
            c.withBucket(i, c.maturesAt(i), c.sealsAt(i), c.jobs(i) - 1, c.feeUnits(i) - _feeUnits(fee));
    }

    /// @dev Checks the terms, pays the provider and accrues the fee (one job's settlement).
    function _payAndAccrue(uint256 jobId, JobRecord rec, SubmittedJob calldata terms) private {
        _requireTerms(jobId, rec, terms);
        FeeState memory fees = _fees;
        _addFee(fees, _payProvider(jobId, terms, _feeBpsFor(fees, rec.deadline())));
        _fees = fees;
    }

    /// @dev Clears the job (a gas refund; its state now derives as Finalized), pays the reward
    /// minus the fee into the provider's stake, unlocks its collateral and counts the job.
    function _payProvider(uint256 jobId, SubmittedJob calldata terms, uint256 bps) private returns (uint256 fee) {
        _jobs[jobId] = JobRecord.wrap(0);
        uint256 payout;
        (payout, fee) = PayoutMath.splitFee(terms.reward, bps);
        uint256 collateral = PayoutMath.collateral(terms.reward, terms.collateralPct);
        address provider = terms.provider;
        StakeInfo memory s = _stakes[provider];
        s.locked -= uint96(collateral);
        uint256 staked = s.staked + payout;
        if (staked > type(uint96).max) {
            // Stake is full: pay into the ledger instead, so settlement can never revert.
            _credit(provider, payout);
            emit PayoutCreditedToBalance(jobId, provider, payout);
        } else {
            s.staked = uint96(staked);
        }
        // Saturating counters: settlement must never revert on them.
        if (s.completed != type(uint32).max) ++s.completed;
        uint256 units = s.feeUnits + _feeUnits(fee);
        s.feeUnits = units > type(uint32).max ? type(uint32).max : uint32(units);
        _stakes[provider] = s;
        emit JobFinalized(jobId, provider, payout, fee, collateral, s.locked);
    }

    function _expire(uint256 jobId, JobRecord rec) private {
        address requester = requesterOf(jobId);
        _jobs[jobId] = rec.withState(JobState.Expired);
        _credit(requester, rec.reward());
        emit JobExpired(jobId, requester, rec.reward());
    }

    function _timeOut(uint256 jobId, JobRecord rec) private {
        address requester = requesterOf(jobId);
        address provider = _providers[rec.providerId()];
        uint256 collateral = PayoutMath.collateral(rec.reward(), rec.collateralPct());
        _jobs[jobId] = rec.withState(JobState.TimedOut);
        // The requester is the harmed party: it gets its payment back and all the collateral.
        _slash(provider, collateral, requester);
        _credit(requester, rec.reward());
        _recordTimeout(provider);
        emit JobTimedOut(jobId, provider, requester, rec.reward(), collateral);
    }

    function _requireTerms(uint256 jobId, JobRecord rec, SubmittedJob calldata terms) private pure {
        if (JobRecordLib.commit(terms) != rec.commitment()) revert MarketTermsMismatch(jobId);
    }

    /// @dev Only the module that opened the record's dispute may settle it or refund its audit
    /// (a cleared, finalized record names no module).
    function _requireModuleOf(JobRecord rec) private view {
        address module = _disputeModules[rec.disputeModule()];
        if (msg.sender != module || module == address(0)) revert GovNotDisputeModule(msg.sender);
    }

    /// @dev The one transition check: the job must be in a state whose bit is set in `mask`.
    function _expectState(uint256 jobId, JobRecord rec, uint256 mask) private view {
        if (mask & (1 << uint8(rec.state())) == 0) {
            revert MarketUnexpectedJobState(jobId, _stateOf(jobId, rec), mask);
        }
    }

    /// @dev Finalized jobs have an empty slot; an empty slot whose nonce the requester has
    /// already used is Finalized, any other empty slot is None. A job paid through a bucket
    /// is Finalized once its challenge window has passed (its pay arrives with the release).
    function _stateOf(uint256 jobId, JobRecord rec) private view returns (JobState) {
        if (!rec.isEmpty()) {
            JobState current = rec.state();
            if (current == JobState.Submitted && rec.bucketMark() != 0 && block.timestamp > rec.deadline()) {
                return JobState.Finalized;
            }
            return current;
        }
        if (uint96(jobId) < _accounts[requesterOf(jobId)].jobNonce) return JobState.Finalized;
        return JobState.None;
    }

    function _requireBatch(uint256 n, uint256 other) private pure {
        if (n == 0 || n > MAX_BATCH || n != other) revert MarketInvalidBatch(n, MAX_BATCH);
    }
}
