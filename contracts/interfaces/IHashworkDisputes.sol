// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "./IJobMarket.sol";

/// @title Hashwork dispute module: bonded challenges, committee draws, commit–reveal votes,
/// random audits and the payouts that follow.
/// @notice A dispute moves through `AwaitingDraw → Voting → (Resolved | next round)`; after
/// `maxRounds` rounds without a decision the governance arbiter chooses between the two
/// hashes. Every step is a permissionless call except voting (the drawn verifiers) and
/// arbitration (the arbiter). If a dispute outlives the market's `maxDisputeDuration`,
/// anyone can void it: the requester is refunded, bonds and locks are returned.
/// All money stays in the market's ledger: the module's ledger balance there always equals
/// `totalHeld()` (open bonds plus slashed verifier stake awaiting distribution).
interface IHashworkDisputes {
    // ------------------------------------------------------------------ types

    /// @notice Where a dispute is. `None` means there never was one for the job.
    enum Phase {
        None,
        AwaitingDraw,
        Voting,
        AwaitingArbiter,
        Resolved,
        Voided
    }

    /// @notice A committee seat's progress in its round.
    enum SeatStatus {
        Empty,
        Drawn,
        Committed,
        Revealed
    }

    /// @notice Who a payout went to, for `DisputePayout`.
    enum PayoutRole {
        Requester,
        Challenger,
        Provider,
        Verifier,
        Treasury,
        /// An audit's unspent budget, back to the market's audit reserve (`to` is the market).
        AuditReserve
    }

    /// @notice Governance parameters, each bounded in `setConfig`.
    struct DisputeConfig {
        /// Bond a challenger posts; pays the provider and the verifiers if the challenger is wrong.
        uint96 challengeBond;
        /// Bond each drawn seat locks in the verifier pool for its duty (less if the verifier has less left).
        uint96 verifierLock;
        /// Pay per honest verifier, from the losing side's funds.
        uint96 verifierFee;
        /// Share of its lock a verifier loses for not revealing or voting against the majority.
        uint16 verifierSlashBps;
        /// Share of a wrong provider's slashed collateral (after verifier pay) the challenger earns.
        uint16 challengerRewardBps;
        /// Fraction of submitted jobs selected for a random audit, in basis points.
        uint16 auditRateBps;
        /// Verifiers in the first round (odd); each later round draws two more.
        uint8 committeeSize;
        /// Rounds before the arbiter decides.
        uint8 maxRounds;
        /// Seconds the committee has to commit after the draw.
        uint32 commitPeriod;
        /// Seconds to reveal after the commit period.
        uint32 revealPeriod;
    }

    /// @notice A dispute as stored (one entry per job).
    struct Dispute {
        /// Who challenged; zero for a random audit.
        address challenger;
        /// Bond (or, for an audit, the fee-paid budget) still held for this dispute.
        uint96 bond;
        /// The challenger's claimed result hash while the dispute is open; zero for an audit and
        /// once the dispute is resolved or voided (its storage is reused; `DisputeOpened` keeps it).
        bytes32 challengerHash;
        /// Block whose hash seeds the current round's draw.
        uint40 seedBlock;
        uint40 commitDeadline;
        uint40 revealDeadline;
        Phase phase;
        /// Zero-based round number.
        uint8 round;
        /// Seats (votes) in the current round.
        uint8 size;
        /// Votes committed and revealed so far in the current round (a verifier may hold several).
        uint8 committed;
        uint8 revealed;
        /// The pool's weights are read as they stood at the end of this block (the one before
        /// the result's submission, so stake brought once a dispute is foreseeable never counts)
        /// for every round.
        uint40 snapshotBlock;
        /// Distinct verifiers holding the current round's seats (entries in the seat list).
        uint8 members;
        /// The configuration this dispute opened under (`disputeConfig`): later changes never
        /// touch its bond, lock, fee, rounds or periods.
        uint16 configVersion;
        /// A forced audit (its lottery seed aged out unpinned): funded only by the job's own share
        /// of the reserve, so its seats lock (and risk) in proportion to what they are paid.
        bool forced;
        /// Where this dispute's seats are stored: seat storage is reused by later disputes once
        /// this one is settled (a finished round lives in the events).
        uint24 seatBlock;
        /// Slashed verifier bond not yet paid out: from failed rounds and minority seats; paid to
        /// the revealers of the outcome.
        uint96 pot;
        /// Seat entries of each failed round, one byte per round (round r at bits 8r..8r+7).
        uint32 failedRoundMembers;
    }

    /// @notice One verifier's place in a round: the draw is with replacement, so a verifier
    /// drawn k times holds one entry with k votes, and commits and reveals once.
    struct Seat {
        address verifier;
        SeatStatus status;
        /// Seats this verifier holds in the round (its votes).
        uint8 votes;
        /// Bond locked in the pool for these seats (verifierLock per vote, or what was left).
        uint80 locked;
        /// The vote commitment until revealed, then the revealed result hash.
        bytes32 vote;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The provider may not challenge its own result.
    error DisputeProviderCannotChallenge(uint256 jobId);
    /// @notice A challenge must name a non-zero hash that differs from the provider's.
    error DisputeInvalidChallengeHash(uint256 jobId, bytes32 challengerHash);
    /// @notice The settlement terms do not match the job's commitment in the market.
    error DisputeTermsMismatch(uint256 jobId);
    /// @notice The dispute is not in a phase that allows this call.
    error DisputeWrongPhase(uint256 jobId, Phase current, Phase expected);
    /// @notice The draw's seed block has not been mined yet.
    error DisputeSeedNotReady(uint256 jobId, uint256 seedBlock);
    /// @notice The caller holds no seat in the current round.
    error DisputeNotOnCommittee(uint256 jobId, address caller);
    /// @notice The commit period is over.
    error DisputeCommitClosed(uint256 jobId, uint256 commitDeadline);
    /// @notice Reveals open when every seat has committed or the commit period is over.
    error DisputeRevealNotOpen(uint256 jobId, uint256 commitDeadline);
    /// @notice The reveal period is over.
    error DisputeRevealClosed(uint256 jobId, uint256 revealDeadline);
    /// @notice The seat has already committed (or is past committing).
    error DisputeAlreadyCommitted(uint256 jobId, address verifier);
    /// @notice The seat has no commitment to reveal, or has already revealed.
    error DisputeNothingToReveal(uint256 jobId, address verifier);
    /// @notice The revealed vote and salt do not hash to the commitment.
    error DisputeCommitmentMismatch(uint256 jobId, address verifier);
    /// @notice A commitment must be non-zero.
    error DisputeZeroCommitment();
    /// @notice Votes are still coming in: every seat has not revealed and the deadlines have not passed.
    error DisputeVotingOngoing(uint256 jobId, uint256 revealDeadline);
    /// @notice Only the arbiter may decide a dispute that ran out of rounds.
    error DisputeNotArbiter(address caller);
    /// @notice That block's hash cannot be read (not mined yet, or more than 256 blocks old).
    error DisputeAuditSeedUnavailable(uint256 blockNumber);
    /// @notice The audit lottery did not select this job.
    error DisputeNotSelectedForAudit(uint256 jobId);
    /// @notice The market has already settled this dispute some other way.
    error DisputeMarketStateMismatch(uint256 jobId, IJobMarket.JobState marketState);
    /// @notice A governance parameter is out of its bounds.
    error DisputeInvalidParameter(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The zero address is not allowed here.
    error DisputeZeroAddress();
    /// @notice No challenge commitment `keccak256(abi.encode(jobId, challengerHash, msg.sender, salt))`
    /// was made by `commitChallenge`.
    error DisputeChallengeNotCommitted(uint256 jobId, bytes32 commitment);
    /// @notice A challenge must be revealed in a later block than its commitment.
    error DisputeChallengeRevealTooEarly(uint256 jobId, uint256 commitBlock);
    /// @notice Nothing in this module's ledger account is unowned.
    error DisputeNoSurplus();
    /// @notice The market's dispute deadline has passed: the dispute can only be voided now.
    error DisputeDeadlinePassed(uint256 jobId, uint256 deadline);
    /// @notice The dispute is not in a phase that can be voided (it is settled or never opened).
    error DisputeNotActive(uint256 jobId, Phase current);
    /// @notice The first round's committee size must be odd, so a full round always decides.
    error DisputeCommitteeSizeNotOdd(uint256 committeeSize);
    /// @notice Zero is no result hash: the arbiter cannot name it nor a verifier reveal it.
    error DisputeZeroOutcome(uint256 jobId);

    // ------------------------------------------------------------------ events

    /// @notice A dispute was opened by a challenge (`challenger` non-zero) or a random audit.
    /// @param jobId The disputed job.
    /// @param challenger The challenger (zero for an audit).
    /// @param provider The job's provider.
    /// @param providerHash The result hash the provider committed.
    /// @param challengerHash The hash the challenger names (zero for an audit).
    /// @param bond The challenger's bond (zero for an audit).
    /// @param seedBlock The block whose hash seeds the first draw.
    event DisputeOpened(
        uint256 indexed jobId,
        address indexed challenger,
        address indexed provider,
        bytes32 providerHash,
        bytes32 challengerHash,
        uint256 bond,
        uint256 seedBlock
    );
    /// @notice The seed block aged past 256 blocks before the draw; the draw uses a new one.
    /// @param jobId The disputed job.
    /// @param round The round whose draw moved.
    /// @param seedBlock The new seed block.
    event DrawRescheduled(uint256 indexed jobId, uint8 round, uint256 seedBlock);
    /// @notice A challenger committed to a challenge it will reveal in a later block.
    /// @param commitment The commitment.
    /// @param challenger The account that committed it.
    event ChallengeCommitted(bytes32 indexed commitment, address indexed challenger);
    /// @notice A committee was drawn: `verifiers[i]` holds `votes[i]` seats and locked up to
    /// `lockPerSeat` per seat in the verifier pool.
    /// @param jobId The disputed job.
    /// @param round The round drawn.
    /// @param verifiers The distinct verifiers seated.
    /// @param votes How many seats each holds.
    /// @param lockPerSeat Bond locked per seat.
    /// @param commitDeadline When vote commitments close (unix seconds).
    /// @param revealDeadline When reveals close (unix seconds).
    event CommitteeDrawn(
        uint256 indexed jobId,
        uint8 round,
        address[] verifiers,
        uint8[] votes,
        uint256 lockPerSeat,
        uint256 commitDeadline,
        uint256 revealDeadline
    );
    /// @notice A verifier committed `keccak256(abi.encode(resultHash, salt, verifier))`.
    /// @param jobId The disputed job.
    /// @param round The round.
    /// @param verifier The verifier that committed.
    /// @param commitment Its vote commitment.
    event VoteCommitted(uint256 indexed jobId, uint8 round, address indexed verifier, bytes32 commitment);
    /// @notice A verifier revealed its vote.
    /// @param jobId The disputed job.
    /// @param round The round.
    /// @param verifier The verifier that revealed.
    /// @param resultHash The result hash it voted for.
    event VoteRevealed(uint256 indexed jobId, uint8 round, address indexed verifier, bytes32 resultHash);
    /// @notice A verifier lost `amount` of its lock (no reveal, or against the majority).
    /// @param jobId The disputed job.
    /// @param round The round.
    /// @param verifier The verifier slashed.
    /// @param amount Tokens taken from its lock.
    event VerifierSlashed(uint256 indexed jobId, uint8 round, address indexed verifier, uint256 amount);
    /// @notice A round ended without a decision (no committee, no quorum, or no majority).
    /// `nextSeedBlock` is zero when the arbiter decides next.
    /// @param jobId The disputed job.
    /// @param round The round that failed.
    /// @param revealed Seats that revealed.
    /// @param nextSeedBlock The next round's seed block, or zero.
    event RoundFailed(uint256 indexed jobId, uint8 round, uint256 revealed, uint256 nextSeedBlock);
    /// @notice The arbiter decided a dispute that ran out of rounds.
    /// @param jobId The disputed job.
    /// @param arbiter The arbiter.
    /// @param providerRight Whether the provider's hash was the correct one.
    event ArbiterDecided(uint256 indexed jobId, address indexed arbiter, bool providerRight);
    /// @notice Every token the resolution moved, one event per recipient.
    /// @param jobId The disputed job.
    /// @param to The recipient.
    /// @param role Why it was paid.
    /// @param amount Tokens paid.
    event DisputePayout(uint256 indexed jobId, address indexed to, PayoutRole role, uint256 amount);
    /// @notice The dispute is over. `winningHash` is the majority vote (or the arbiter's pick).
    /// @param jobId The disputed job.
    /// @param providerRight Whether the provider's result stood.
    /// @param challengerRight Whether the challenger named the winning hash.
    /// @param winningHash The majority's (or the arbiter's) hash.
    /// @param honestVerifiers Seats that voted for it (zero when the arbiter decided).
    event DisputeResolved(
        uint256 indexed jobId,
        bool providerRight,
        bool challengerRight,
        bytes32 winningHash,
        uint256 honestVerifiers
    );
    /// @notice The dispute ran out of time and was voided: the requester was refunded by the
    /// market, the bond returned and the locks released.
    /// @param jobId The disputed job.
    /// @param bondReturned The challenger's bond returned.
    /// @param potToTreasury Tokens the dispute held that went to the treasury.
    event DisputeVoided(uint256 indexed jobId, uint256 bondReturned, uint256 potToTreasury);
    /// @notice Governance changed the parameters.
    /// @param config The new parameters.
    event ConfigChanged(DisputeConfig config);
    /// @notice Governance changed the arbiter.
    /// @param previous The old arbiter.
    /// @param current The new arbiter.
    event ArbiterChanged(address indexed previous, address indexed current);
    /// @notice The hash of `blockNumber` was stored so audits of jobs submitted in it stay
    /// decidable after the chain forgets it.
    /// @param blockNumber The submission block.
    /// @param seed Its hash.
    event AuditSeedPinned(uint256 indexed blockNumber, bytes32 seed);
    /// @notice Ledger tokens no dispute owned (a stray deposit) went to the treasury.
    /// @param to The treasury.
    /// @param amount Tokens sent.
    event SurplusSwept(address indexed to, uint256 amount);

    // ------------------------------------------------------------------ actions

    /// @notice First step of a challenge: commit to
    /// `keccak256(abi.encode(jobId, challengerHash, challenger, salt))`. The commitment hides the
    /// job and the hash, and binds the challenger, so nobody can copy it out of the mempool.
    /// Committing an existing commitment again does nothing (the earliest block stands), so a
    /// copy sent ahead of the original cannot make it fail.
    /// @param commitment The challenge commitment.
    function commitChallenge(bytes32 commitment) external;

    /// @notice Second step, in a later block than the commitment and inside the challenge window:
    /// challenge a submitted result, naming the hash you believe is right and posting
    /// `challengeBond` (pulled by allowance to this module).
    /// @param jobId The submitted job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    /// @param challengerHash The result hash the challenger believes is right.
    /// @param salt The salt of its commitment.
    function challenge(uint256 jobId, IJobMarket.SubmittedJob calldata terms, bytes32 challengerHash, bytes32 salt)
        external;

    /// @notice Open a random audit of a submitted job the lottery selected (see
    /// `isSelectedForAudit`), paid from the market's audit reserve (what it holds, up to the
    /// budget: an audit is never refused for want of funds).
    /// @param jobId The submitted job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function startAudit(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external;

    /// @notice Store the hash of `blockNumber` (while the chain can still read it: 256 blocks),
    /// so the audit lottery of jobs submitted in that block stays decidable for their whole
    /// challenge window. Idempotent. A submission block nobody pinned in time counts as selecting
    /// its jobs: providers (and keepers) pin, nobody gains by letting a seed expire.
    /// @param blockNumber A submission block at most 256 blocks old.
    function pinAuditSeed(uint256 blockNumber) external;

    /// @notice Draw the current round's committee from the seed block's hash. If that hash is
    /// no longer readable (more than 256 blocks old), reschedule to a new seed block instead.
    /// @return drawn Whether a committee was seated (false if rescheduled or the round failed).
    /// @param jobId The disputed job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function drawCommittee(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external returns (bool drawn);

    /// @notice Commit a vote for every seat the caller holds, as entry `seatIndex` (its position
    /// in `CommitteeDrawn.verifiers`): `keccak256(abi.encode(resultHash, salt, msg.sender))`.
    /// @param jobId The disputed job.
    /// @param seatIndex The caller's position in `CommitteeDrawn.verifiers`.
    /// @param commitment `keccak256(abi.encode(resultHash, salt, msg.sender))`.
    function commitVote(uint256 jobId, uint8 seatIndex, bytes32 commitment) external;

    /// @notice Reveal a committed vote.
    /// @param jobId The disputed job.
    /// @param seatIndex The caller's position in `CommitteeDrawn.verifiers`.
    /// @param resultHash The hash it voted for.
    /// @param salt The salt of its commitment.
    function revealVote(uint256 jobId, uint8 seatIndex, bytes32 resultHash, bytes32 salt) external;

    /// @notice Tally the current round once every seat revealed or the deadlines passed; pay
    /// out if a majority decided, otherwise start the next round (or hand over to the arbiter).
    /// @return resolved Whether the dispute is now resolved.
    /// @param jobId The disputed job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function resolve(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external returns (bool resolved);

    /// @notice The arbiter's decision after `maxRounds` undecided rounds: the correct result hash,
    /// found by re-executing the job, decides as a committee's winner would. The provider is right
    /// if it is the provider's hash, the challenger only if it is the challenger's, and the failed
    /// rounds' revealers of it share the pot while those of any other hash are slashed.
    /// @param jobId The disputed job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    /// @param correctHash The correct result hash (not zero).
    function arbitrate(uint256 jobId, IJobMarket.SubmittedJob calldata terms, bytes32 correctHash) external;

    /// @notice After the market's dispute deadline, anyone may void the dispute.
    /// @param jobId The disputed job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function voidDispute(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external;

    // ------------------------------------------------------------------ governance

    /// @notice Set every parameter at once (each bounded; see `docs/economics.md`).
    /// @param newConfig The new parameters.
    function setConfig(DisputeConfig calldata newConfig) external;

    /// @notice Set the arbiter that decides disputes no committee could.
    /// @param newArbiter The new arbiter.
    function setArbiter(address newArbiter) external;

    /// @notice Let `nextModule` (a replacement deployed while this module is the market's, which
    /// adopted this module's verifier pool) lock, unlock and slash in the pool: part of the same
    /// governance batch as `market.setDisputeModule(nextModule)`, so the bonds carry over.
    /// @param nextModule The replacement module.
    function sharePool(address nextModule) external;

    // ------------------------------------------------------------------ views

    /// @notice The market this module serves.
    function market() external view returns (address);

    /// @notice The verifier pool this module draws committees from (created with it).
    function verifierPool() external view returns (address);

    /// @notice The block in which `commitment` was made by `commitChallenge` (0: never, or used).
    /// @param commitment A challenge commitment.
    /// @return The block it was made in, or 0.
    function challengeCommitBlock(bytes32 commitment) external view returns (uint256);

    /// @notice Current parameters: what disputes opened from now on get.
    function config() external view returns (DisputeConfig memory);

    /// @notice The configuration a job's dispute opened under (its terms: bond, verifier fee and
    /// lock, rounds and periods). Version 0 for a job that was never disputed.
    /// @param jobId The job.
    /// @return The configuration its dispute opened under.
    function disputeConfig(uint256 jobId) external view returns (DisputeConfig memory);

    /// @notice How long a dispute under the current configuration may take: every round's commit
    /// and reveal periods plus `ROUND_ALLOWANCE` each (draw and resolution), then
    /// `ARBITER_ALLOWANCE`. The market refuses a dispute deadline shorter than this.
    function minDisputeDuration() external view returns (uint256);

    /// @notice The bond each seat of a new dispute locks (`config().verifierLock`): the market
    /// refuses a minimum stake below it.
    function verifierLock() external view returns (uint256);

    /// @notice The arbiter.
    function arbiter() external view returns (address);

    /// @notice The dispute for `jobId` (phase `None` if none).
    /// @param jobId The job.
    /// @return The dispute record.
    function getDispute(uint256 jobId) external view returns (Dispute memory);

    /// @notice The seats of `round` of the dispute for `jobId` while it is open: the current
    /// round's once drawn, and every failed round's (kept until the decision pays their
    /// revealers). Empty once the dispute is resolved or voided: its seat storage then serves
    /// later disputes, and its rounds live in the events (`CommitteeDrawn`, `VoteRevealed`, …).
    /// @param jobId The disputed job.
    /// @param round The round.
    /// @return seats Its seats.
    function getCommittee(uint256 jobId, uint8 round) external view returns (Seat[] memory seats);

    /// @notice Tokens this module is owed in the market's ledger (open bonds and pots).
    function totalHeld() external view returns (uint256);

    /// @notice Send ledger tokens this module holds beyond `totalHeld()` (someone's stray
    /// deposit) to the market's treasury, restoring `balance == totalHeld()`.
    function sweepSurplus() external;

    /// @notice Whether the audit lottery selects `jobId` submitted in `submittedBlock` (false
    /// when that block's hash is not readable).
    /// @param jobId The job.
    /// @param submittedBlock The block its result was submitted in.
    /// @return Whether the lottery selects it.
    function isSelectedForAudit(uint256 jobId, uint256 submittedBlock) external view returns (bool);

    /// @notice The audit seed of jobs submitted in `blockNumber`: its hash while readable, then
    /// its pin (zero if never pinned).
    /// @param blockNumber A submission block.
    /// @return The seed (zero if unknown).
    function auditSeed(uint256 blockNumber) external view returns (bytes32);

    /// @notice The budget a random audit takes from fees: the fee of every seat of every round.
    function auditBudget() external view returns (uint256);
}
