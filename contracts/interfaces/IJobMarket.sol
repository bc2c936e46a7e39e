// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork job market: the job state machine and its escrow.
/// @notice A requester escrows a reward for one deterministic, fuel-metered WebAssembly run.
/// A staked provider claims the job (locking collateral), runs it off-chain and commits a result
/// hash; after the challenge window anyone may finalize it. Every settlement is permissionless.
/// @dev Job ids are `uint256(uint160(requester)) << 96 | nonce`: the requester is part of the id,
/// so it needs no storage. Each job lives in one packed storage slot (see `JobRecordLib`).
interface IJobMarket {
    /// @notice The lifecycle of a job. `Finalized` jobs have their slot cleared (gas refund);
    /// their state is derived from the requester's nonce.
    enum JobState {
        None, // no such job
        Open, // posted, waiting for a provider
        Claimed, // a provider locked collateral and is executing
        Submitted, // a result hash is committed; the challenge window is running
        Disputed, // the dispute module is deciding between two result hashes
        Finalized, // the provider was paid (after the window, or after winning a dispute)
        Cancelled, // the requester withdrew an unclaimed job
        Expired, // nobody claimed it before the claim deadline
        TimedOut, // the provider missed its execution deadline and was slashed
        Overturned, // the provider lost a dispute and was slashed
        Voided // a dispute was never resolved in time; everyone got their funds back
    }

    /// @notice What a requester asks for. URIs and hashes are emitted, never stored.
    /// @param programHash keccak256 of the wasm module's bytes.
    /// @param inputHash keccak256 of the input bytes.
    /// @param fuelLimit Fuel the program may burn before it ends with status OutOfFuel.
    /// @param reward Tokens paid to the provider on success (minus the protocol fee).
    /// @param collateralPct Collateral the provider locks, in percent of the reward (150 = 1.5x).
    /// @param claimDeadline Unix time after which an unclaimed job can be expired.
    /// @param executionTime Seconds the provider has between claim and submit.
    /// @param challengeWindow Seconds during which a submitted result may be challenged.
    /// @param minReputation Minimum provider `score` (0-10000) required to claim; 0 for none.
    /// @param designatedProvider The only provider allowed to claim, or address(0) for anyone.
    /// @param programURI Where to fetch the program (a hint; content is verified by hash).
    /// @param inputURI Where to fetch the input (a hint; content is verified by hash).
    struct JobRequest {
        bytes32 programHash;
        bytes32 inputHash;
        uint64 fuelLimit;
        uint96 reward;
        uint16 collateralPct;
        uint40 claimDeadline;
        uint24 executionTime;
        uint24 challengeWindow;
        uint16 minReputation;
        address designatedProvider;
        string programURI;
        string inputURI;
    }

    /// @notice The terms a submitted job is settled on. Committed by hash at submit time and
    /// emitted in `ResultSubmitted`, so keepers can settle from that one event.
    /// @dev `submittedBlock` is the block the result was committed in: its hash, unknown to the
    /// provider when it signed, seeds the random-audit lottery.
    struct SubmittedJob {
        uint96 reward;
        uint16 collateralPct;
        address provider;
        bytes32 resultHash;
        uint64 submittedBlock;
    }

    /// @notice A decoded job record for auditors and clients. While Open or Claimed (and in
    /// Cancelled, Expired, TimedOut) the terms are stored; from Submitted on only `commitment`
    /// is, and the terms are in the `ResultSubmitted` event.
    struct JobView {
        JobState state;
        address requester;
        uint256 deadline;
        uint256 reward;
        address provider;
        uint256 collateral;
        uint16 collateralPct;
        uint16 minReputation;
        uint24 executionTime;
        uint24 challengeWindow;
        uint256 commitment;
    }

    /// @notice The job is not in one of the states the call needs.
    /// @param expectedStates Bitmask: bit `uint8(state)` is set for every acceptable state.
    error MarketUnexpectedJobState(uint256 jobId, JobState current, uint256 expectedStates);
    /// @notice A job must pay something.
    error MarketZeroReward();
    /// @notice The reward is below the governance minimum.
    error MarketRewardTooLow(uint256 reward, uint256 minimum);
    /// @notice The collateral ratio is outside the governance bounds (never zero).
    error MarketInvalidCollateral(uint256 collateralPct, uint256 min, uint256 max);
    /// @notice A job must allow some fuel.
    error MarketZeroFuel();
    /// @notice The program and input must be identified by hash.
    error MarketZeroContentHash();
    /// @notice The claim deadline is in the past or beyond `maxClaimDelay` from now.
    error MarketInvalidClaimDeadline(uint256 claimDeadline, uint256 earliest, uint256 latest);
    /// @notice The execution time is outside the governance bounds.
    error MarketInvalidExecutionTime(uint256 executionTime, uint256 min, uint256 max);
    /// @notice The challenge window is outside the governance bounds.
    error MarketInvalidChallengeWindow(uint256 challengeWindow, uint256 min, uint256 max);
    /// @notice Reputation scores run from 0 to 10000.
    error MarketInvalidMinReputation(uint256 minReputation);
    /// @notice The designated provider has never registered.
    error MarketUnknownProvider(address provider);
    /// @notice New posts and claims are paused by governance.
    error MarketPaused();
    /// @notice The job names another provider.
    error MarketNotDesignatedProvider(uint256 jobId, address caller);
    /// @notice The claim deadline has passed; the job can only be expired.
    error MarketClaimDeadlinePassed(uint256 jobId, uint256 claimDeadline);
    /// @notice The claim deadline has not passed yet, so the job cannot be expired.
    error MarketClaimDeadlineNotReached(uint256 jobId, uint256 claimDeadline);
    /// @notice The provider's score is below the job's minimum.
    error MarketReputationTooLow(uint256 jobId, uint256 score, uint256 required);
    /// @notice Only the provider that claimed the job may submit its result.
    error MarketNotClaimant(uint256 jobId, address caller);
    /// @notice The execution deadline has passed; the job can only be timed out.
    error MarketExecutionDeadlinePassed(uint256 jobId, uint256 executionDeadline);
    /// @notice The execution deadline has not passed yet, so the job cannot be timed out.
    error MarketExecutionDeadlineNotReached(uint256 jobId, uint256 executionDeadline);
    /// @notice A result hash of zero is not a commitment.
    error MarketZeroResultHash();
    /// @notice The challenge window is still open: the job cannot be finalized yet.
    error MarketChallengeWindowOpen(uint256 jobId, uint256 challengeEnd);
    /// @notice The challenge window has closed: the job can no longer be disputed.
    error MarketChallengeWindowClosed(uint256 jobId, uint256 challengeEnd);
    /// @notice The terms passed do not match the job's on-chain commitment.
    error MarketTermsMismatch(uint256 jobId);
    /// @notice Only the requester may cancel its job.
    error MarketNotRequester(uint256 jobId, address caller);
    /// @notice A batch must hold between 1 and `MAX_BATCH` items, with matching lengths.
    error MarketInvalidBatch(uint256 length, uint256 maxLength);
    /// @notice The dispute has not run past its deadline yet.
    error MarketDisputeDeadlineNotReached(uint256 jobId, uint256 deadline);
    /// @notice The dispute ran past its deadline: it can only be voided now.
    error MarketDisputeDeadlinePassed(uint256 jobId, uint256 deadline);

    /// @notice A job was posted and its reward escrowed.
    /// @param jobId The new job's id.
    /// @param requester The account that posted and paid for it.
    /// @param request The job's terms.
    event JobPosted(uint256 indexed jobId, address indexed requester, JobRequest request);
    /// @notice A provider claimed a job and locked `collateral` of its stake; `totalLocked` is
    /// all its locked stake now. This is the stake-lock event of a claim (one per job).
    /// @param jobId The job claimed.
    /// @param provider The provider that claimed it.
    /// @param collateral Stake locked as the job's collateral.
    /// @param executionDeadline When the result is due (unix seconds).
    /// @param totalLocked The provider's locked stake afterwards.
    event JobClaimed(
        uint256 indexed jobId,
        address indexed provider,
        uint256 collateral,
        uint256 executionDeadline,
        uint256 totalLocked
    );
    /// @notice A provider committed a result; the job can be challenged until `challengeEnd`.
    /// @dev Carries every field of `SubmittedJob` so a keeper can settle from this event alone.
    /// @param jobId The job.
    /// @param provider The provider that committed the result.
    /// @param resultHash The committed result hash.
    /// @param reward The job's reward.
    /// @param collateralPct Collateral as a percentage of the reward.
    /// @param submittedBlock The block the result was committed in.
    /// @param challengeEnd When the challenge window closes (unix seconds).
    /// @param outputURI Where the provider serves the output (a hint).
    event ResultSubmitted(
        uint256 indexed jobId,
        address indexed provider,
        bytes32 resultHash,
        uint96 reward,
        uint16 collateralPct,
        uint64 submittedBlock,
        uint256 challengeEnd,
        string outputURI
    );
    /// @notice The job settled in the provider's favour: it was paid and its collateral unlocked;
    /// `totalLocked` is all its locked stake now. This is the stake-unlock event of a settlement.
    /// @param jobId The job.
    /// @param provider The provider paid.
    /// @param providerPayout The reward less the protocol fee.
    /// @param protocolFee The fee kept by the protocol.
    /// @param collateralUnlocked Collateral unlocked.
    /// @param totalLocked The provider's locked stake afterwards.
    event JobFinalized(
        uint256 indexed jobId,
        address indexed provider,
        uint256 providerPayout,
        uint256 protocolFee,
        uint256 collateralUnlocked,
        uint256 totalLocked
    );
    /// @notice The provider's stake was full (uint96), so `amount` of its payout went to its
    /// ledger balance instead.
    /// @param jobId The job.
    /// @param provider The provider paid.
    /// @param amount The part of its payout credited to its ledger balance.
    event PayoutCreditedToBalance(uint256 indexed jobId, address indexed provider, uint256 amount);
    /// @notice The requester cancelled an unclaimed job; the reward was refunded.
    /// @param jobId The job.
    /// @param requester The requester refunded.
    /// @param refund The reward refunded.
    event JobCancelled(uint256 indexed jobId, address indexed requester, uint256 refund);
    /// @notice Nobody claimed the job in time; the reward was refunded.
    /// @param jobId The job.
    /// @param requester The requester refunded.
    /// @param refund The reward refunded.
    event JobExpired(uint256 indexed jobId, address indexed requester, uint256 refund);
    /// @notice The provider missed its deadline: reward refunded, collateral paid to the requester.
    /// @param jobId The job.
    /// @param provider The provider that missed its deadline.
    /// @param requester The requester refunded and paid the collateral.
    /// @param refund The reward refunded.
    /// @param collateralSlashed The collateral paid to the requester.
    event JobTimedOut(
        uint256 indexed jobId,
        address indexed provider,
        address indexed requester,
        uint256 refund,
        uint256 collateralSlashed
    );

    /// @notice Post a job paid from the caller's ledger balance; any shortfall is pulled from
    /// the caller's token allowance. Returns the new job id.
    /// @param request The job's terms.
    /// @return jobId The new job's id.
    function postJob(JobRequest calldata request) external returns (uint256 jobId);

    /// @notice Like `postJob`, but first applies an EIP-2612 permit for the shortfall.
    /// @param request The job's terms.
    /// @param permitValue The permit's value.
    /// @param permitDeadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    /// @return jobId The new job's id.
    function postJobWithPermit(
        JobRequest calldata request,
        uint256 permitValue,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 jobId);

    /// @notice Post many jobs in one transaction; the total shortfall is pulled once.
    /// @param requests The jobs' terms.
    /// @return jobIds The new jobs' ids, in order.
    function postJobs(JobRequest[] calldata requests) external returns (uint256[] memory jobIds);

    /// @notice Claim an open job as a registered, staked provider.
    /// @param jobId The open job to claim.
    function claimJob(uint256 jobId) external;

    /// @notice Claim several open jobs in one transaction.
    /// @param jobIds The open jobs to claim.
    function claimJobs(uint256[] calldata jobIds) external;

    /// @notice Commit the result hash of a claimed job, with a hint of where its output is served.
    /// @param jobId The claimed job.
    /// @param resultHash The result hash.
    /// @param outputURI Where the output is served (a hint).
    function submitResult(uint256 jobId, bytes32 resultHash, string calldata outputURI) external;

    /// @notice Claim an open job and commit its result in one transaction (the fast path, for a
    /// job the provider ran before claiming). Emits `JobClaimed` then `ResultSubmitted`; the
    /// challenge window, the audit lottery (seeded by this block's hash) and disputes are those
    /// of a job claimed and submitted apart. Reverts as `claimJob` or `submitResult` would. The
    /// job is paid through the provider's pay bucket, not by `finalizeJob` (`IPayBuckets`:
    /// `PayDeferred`; the call also releases the provider's matured buckets, after the claim:
    /// a provider that lost the race reverts before reading them), unless neither bucket can
    /// take it.
    /// @param jobId The open job.
    /// @param resultHash The result hash.
    /// @param outputURI Where the output is served (a hint).
    function claimAndSubmit(uint256 jobId, bytes32 resultHash, string calldata outputURI) external;

    /// @notice The fast path for several jobs in one transaction. Jobs that are no longer open
    /// (claimed by someone else, cancelled) or past their claim deadline are skipped; anything
    /// else that `claimAndSubmit` would refuse reverts the whole batch.
    /// @param jobIds The open jobs.
    /// @param resultHashes Their result hashes, in order.
    /// @param outputURIs Where each output is served, in order.
    /// @return submitted How many jobs were claimed and submitted (the rest were skipped).
    function claimAndSubmitJobs(
        uint256[] calldata jobIds,
        bytes32[] calldata resultHashes,
        string[] calldata outputURIs
    ) external returns (uint256 submitted);

    /// @notice Commit several results in one transaction.
    /// @param jobIds The claimed jobs.
    /// @param resultHashes Their result hashes, in order.
    /// @param outputURIs Where each output is served, in order.
    function submitResults(
        uint256[] calldata jobIds,
        bytes32[] calldata resultHashes,
        string[] calldata outputURIs
    ) external;

    /// @notice Pay a submitted job whose challenge window has passed. Permissionless. A fast-path
    /// job paid through a pay bucket reverts `MarketPaidByBucket` (its bucket's release pays it).
    /// @param jobId The submitted job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function finalizeJob(uint256 jobId, SubmittedJob calldata terms) external;

    /// @notice Finalize several jobs in one transaction. Permissionless. Jobs that are no longer
    /// `Submitted`, or whose window is still open, are skipped.
    /// @return settled How many jobs were finalized.
    /// @param jobIds The submitted jobs.
    /// @param terms Their settlement terms, in order.
    function finalizeJobs(uint256[] calldata jobIds, SubmittedJob[] calldata terms) external returns (uint256 settled);

    /// @notice Withdraw an unclaimed job and refund its reward. Requester only.
    /// @param jobId The unclaimed job.
    function cancelJob(uint256 jobId) external;

    /// @notice Refund a job nobody claimed before its claim deadline. Permissionless.
    /// @param jobId The job nobody claimed.
    function expireJob(uint256 jobId) external;

    /// @notice Slash a provider that missed its execution deadline and refund the requester.
    /// Permissionless.
    /// @param jobId The claimed job past its execution deadline.
    function timeOutJob(uint256 jobId) external;

    /// @notice Settle several jobs that are due for expiry or time-out. Permissionless.
    /// @param jobIds The jobs to expire or time out.
    /// @return settled How many jobs were settled.
    function settleOverdueJobs(uint256[] calldata jobIds) external returns (uint256 settled);

    /// @notice The derived state of a job (the single source for every transition check).
    /// @param jobId The job.
    /// @return Its state.
    function jobState(uint256 jobId) external view returns (JobState);

    /// @notice The job's packed record: state, deadline, and either its open terms or its
    /// result commitment. See `JobRecordLib` for the layout.
    /// @param jobId The job.
    /// @return Its packed record.
    function jobRecord(uint256 jobId) external view returns (uint256);

    /// @notice The decoded job (see `JobView`).
    /// @param jobId The job.
    /// @return The decoded job.
    function getJob(uint256 jobId) external view returns (JobView memory);

    /// @notice The requester encoded in a job id.
    /// @param jobId A job id.
    /// @return The requester it encodes.
    function requesterOf(uint256 jobId) external pure returns (address);
}
