// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IHashworkDisputes} from "./interfaces/IHashworkDisputes.sol";
import {IHashworkMarket} from "./interfaces/IHashworkMarket.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IVerifierPool} from "./interfaces/IVerifierPool.sol";
import {DisputeMath} from "./libraries/DisputeMath.sol";
import {JobRecord, JobRecordLib} from "./libraries/JobRecordLib.sol";
import {PayoutMath} from "./libraries/PayoutMath.sol";
import {VerifierPool} from "./VerifierPool.sol";

/// @title HashworkDisputes
/// @notice The market's dispute module (see `IHashworkDisputes`). It holds no tokens at rest:
/// bonds, slashed collateral and slashed verifier bonds sit in the market's ledger under this
/// contract's account, and every payout is a ledger transfer the recipient withdraws.
/// Committees are drawn from the `VerifierPool` this module creates.
contract HashworkDisputes is IHashworkDisputes, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Hard bounds on the parameters (governance cannot leave them).
    uint256 public constant MAX_COMMITTEE_SIZE = 15;
    /// @notice The most rounds a dispute may run before the arbiter decides.
    uint256 public constant MAX_ROUNDS = 4;
    /// @notice The highest audit rate, in basis points (20%).
    uint256 public constant MAX_AUDIT_RATE_BPS = 2_000;
    /// @notice The shortest commit or reveal period.
    uint256 public constant MIN_PERIOD = 1 minutes;
    /// @notice The longest commit or reveal period.
    uint256 public constant MAX_PERIOD = 7 days;
    /// @notice What the market's dispute deadline must leave beyond the rounds' commit and reveal
    /// periods: per round, time to draw (after its seed block) and to resolve (after its reveal
    /// deadline); after the last round, time for the arbiter. Without it the last round could
    /// only end in a void.
    uint256 public constant ROUND_ALLOWANCE = 5 minutes;
    /// @notice The arbiter's time after the last round (see `ROUND_ALLOWANCE`).
    uint256 public constant ARBITER_ALLOWANCE = 30 minutes;

    // Rounds index seats as round * _ROUND_STRIDE + seat; no round has more seats than this.
    uint256 private constant _ROUND_STRIDE = 32;

    IHashworkMarket private immutable _market;
    IERC20 private immutable _token;
    IVerifierPool private immutable _pool;

    /// @dev Every configuration ever set, by version: a dispute keeps the one it opened under,
    /// so a change applies only to later disputes.
    mapping(uint256 version => DisputeConfig) private _configs;
    /// @dev The block each version took effect in: the audit lottery of a result submitted in
    /// block b uses the rate in force at b, so a later change neither frees nor selects it.
    mapping(uint256 version => uint256 blockNumber) private _configSince;
    // Packed in one slot with the (always non-zero) arbiter, so opening a dispute when nothing
    // is held rewrites a warm non-zero slot instead of creating one (saves ~17k gas).
    address private _arbiter;
    uint96 private _held;
    // One slot, read by every opening: the current version, the seat blocks given back (in
    // `_freeSeatBlocks`) and the seat blocks ever created.
    uint16 private _configVersion;
    uint112 private _freeSeatBlockCount;
    uint112 private _seatBlocksCreated;
    mapping(uint256 jobId => Dispute) private _disputes;
    /// @dev Seats by seat block: a dispute takes a block when it opens and gives it back when it
    /// ends, and the next dispute overwrites its slots (5,000 gas a write instead of 22,100 for a
    /// fresh slot). Readers never look past a round's seat entries, so stale seats are harmless.
    mapping(uint256 seatBlock => mapping(uint256 roundSeat => Seat)) private _seats;
    mapping(uint256 index => uint256 seatBlock) private _freeSeatBlocks;
    /// @dev The challenger's hash, by seat block like the seats (a recycled slot costs 5,000 gas
    /// instead of 22,100): read while the dispute is open; afterwards it is in `DisputeOpened`.
    mapping(uint256 seatBlock => bytes32 challengerHash) private _challengerHashes;
    mapping(bytes32 commitment => uint256 blockNumber) private _challengeCommits;
    mapping(uint256 blockNumber => bytes32 blockHash) private _pinnedSeeds;

    constructor(IHashworkMarket market_, address owner_, address arbiter_, DisputeConfig memory config_)
        Ownable(owner_)
    {
        if (address(market_) == address(0)) revert DisputeZeroAddress();
        _market = market_;
        _token = IERC20(market_.token());
        _pool = _adoptOrCreatePool(market_);
        _setArbiter(arbiter_);
        _setConfig(config_);
        // Bonds are deposited into the market's ledger under this contract's account.
        _token.forceApprove(address(market_), type(uint256).max);
    }

    modifier onlyArbiter() {
        if (msg.sender != _arbiter) revert DisputeNotArbiter(msg.sender);
        _;
    }

    // ================================================================== opening

    /// @inheritdoc IHashworkDisputes
    function commitChallenge(bytes32 commitment) external {
        if (commitment == 0) revert DisputeZeroCommitment();
        // The commitment binds its challenger inside the hash, so a copy from another account
        // helps no one but must not fail the original: a repeat keeps the earliest block.
        if (_challengeCommits[commitment] != 0) return;
        _challengeCommits[commitment] = block.number;
        emit ChallengeCommitted(commitment, msg.sender);
    }

    /// @inheritdoc IHashworkDisputes
    function challenge(uint256 jobId, IJobMarket.SubmittedJob calldata terms, bytes32 challengerHash, bytes32 salt)
        external
        nonReentrant
    {
        if (msg.sender == terms.provider) revert DisputeProviderCannotChallenge(jobId);
        if (challengerHash == 0 || challengerHash == terms.resultHash) {
            revert DisputeInvalidChallengeHash(jobId, challengerHash);
        }
        // The commitment binds the challenger: a copy of this transaction from another account
        // finds no commitment, and a fresh one cannot be made and revealed in the same block.
        bytes32 commitment = DisputeMath.challengeCommitment(jobId, challengerHash, msg.sender, salt);
        uint256 committedAt = _challengeCommits[commitment];
        if (committedAt == 0) revert DisputeChallengeNotCommitted(jobId, commitment);
        if (committedAt >= block.number) revert DisputeChallengeRevealTooEarly(jobId, committedAt);
        delete _challengeCommits[commitment];
        uint256 bond = _configs[_configVersion].challengeBond;
        // The market checks the terms, the state (Submitted) and the challenge window.
        _market.openDispute(jobId, terms);
        _open(jobId, terms, msg.sender, challengerHash, bond, false);
        // Interactions last: pull the bond and park it in the market's ledger.
        _token.safeTransferFrom(msg.sender, address(this), bond);
        _market.deposit(address(this), bond);
    }

    /// @inheritdoc IHashworkDisputes
    function startAudit(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external nonReentrant {
        (bool selected, bool forced) = _selection(jobId, terms.submittedBlock);
        if (!selected) revert DisputeNotSelectedForAudit(jobId);
        // openDispute validates the terms (so `submittedBlock` and `reward` are real) and the window.
        _market.openDispute(jobId, terms);
        // The reserve pays what it holds, up to the budget: an audit never waits for funds.
        uint256 budget = _auditBudget();
        if (forced) {
            // Nobody pinned the seed: the audit is forced, not drawn, so it may spend no more than
            // this job's fee put into the reserve (the job's own daemon pins to avoid this).
            uint256 paidIn = PayoutMath.reserveShare(terms.reward, _feeBpsOf(jobId), _market.auditReserveBps());
            if (paidIn < budget) budget = paidIn;
        }
        budget = _market.fundAudit(budget);
        _open(jobId, terms, address(0), 0, budget, forced);
    }

    /// @inheritdoc IHashworkDisputes
    function pinAuditSeed(uint256 blockNumber) external {
        if (_pinnedSeeds[blockNumber] != 0) return;
        bytes32 seed = blockhash(blockNumber);
        if (seed == 0) revert DisputeAuditSeedUnavailable(blockNumber);
        _pinnedSeeds[blockNumber] = seed;
        emit AuditSeedPinned(blockNumber, seed);
    }

    // ================================================================== committee

    /// @inheritdoc IHashworkDisputes
    function drawCommittee(uint256 jobId, IJobMarket.SubmittedJob calldata terms)
        external
        nonReentrant
        returns (bool drawn)
    {
        Dispute storage d = _disputes[jobId];
        _expectPhase(jobId, d.phase, Phase.AwaitingDraw);
        _requireDisputedTerms(jobId, terms);
        uint256 seedBlock = d.seedBlock;
        if (block.number <= seedBlock) revert DisputeSeedNotReady(jobId, seedBlock);
        bytes32 seed = blockhash(seedBlock);
        uint8 round = d.round;
        if (seed == 0) {
            // More than 256 blocks old: nobody can read it any more, so draw from a new block.
            uint40 next = uint40(block.number + 1);
            d.seedBlock = next;
            emit DrawRescheduled(jobId, round, next);
            return false;
        }
        DisputeConfig storage c = _configs[d.configVersion];
        uint256 lock = c.verifierLock;
        // A forced audit pays its seats only the job's own reserve share: they risk in proportion.
        if (d.forced) lock = (lock * d.bond) / _budgetOf(c);
        address[] memory chosen;
        uint8[] memory votes;
        // A seat that locks nothing would vote at no risk (a forced audit of a job that paid no
        // reserve share): seat nobody, so the rounds fail and the arbiter decides. The pool keeps
        // only the seats a verifier's free bond covers in full.
        if (lock != 0) {
            (chosen, votes) = _pool.drawAndLock(
                uint48(d.snapshotBlock),
                keccak256(abi.encode(seed, jobId, round)),
                d.size,
                [terms.provider, d.challenger, _requesterOf(jobId)],
                lock
            );
        }
        uint256 members = chosen.length;
        if (members == 0) {
            // No eligible verifier bond at the snapshot, or none of it free to lock.
            _failRound(jobId, d, 0);
            return false;
        }
        uint40 commitDeadline = uint40(block.timestamp + c.commitPeriod);
        uint40 revealDeadline = commitDeadline + uint40(c.revealPeriod);
        d.phase = Phase.Voting;
        d.commitDeadline = commitDeadline;
        d.revealDeadline = revealDeadline;
        d.committed = 0;
        d.revealed = 0;
        d.members = uint8(members);
        uint256 base = uint256(round) * _ROUND_STRIDE;
        for (uint256 i; i < members; ++i) {
            // Only the first slot: the vote slot is written at commit. `setConfig` bounds
            // verifierLock so that a full round's lock fits in uint80.
            Seat storage seat = _seats[d.seatBlock][base + i];
            seat.verifier = chosen[i];
            seat.status = SeatStatus.Drawn;
            seat.votes = votes[i];
            seat.locked = uint80(lock * votes[i]);
        }
        emit CommitteeDrawn(jobId, round, chosen, votes, lock, commitDeadline, revealDeadline);
        return true;
    }

    /// @inheritdoc IHashworkDisputes
    function commitVote(uint256 jobId, uint8 seatIndex, bytes32 commitment) external {
        if (commitment == 0) revert DisputeZeroCommitment();
        Dispute storage d = _disputes[jobId];
        _expectPhase(jobId, d.phase, Phase.Voting);
        if (block.timestamp > d.commitDeadline) revert DisputeCommitClosed(jobId, d.commitDeadline);
        Seat storage seat = _seatOf(jobId, d, seatIndex);
        if (seat.status != SeatStatus.Drawn) revert DisputeAlreadyCommitted(jobId, msg.sender);
        seat.status = SeatStatus.Committed;
        seat.vote = commitment;
        d.committed += seat.votes;
        emit VoteCommitted(jobId, d.round, msg.sender, commitment);
    }

    /// @inheritdoc IHashworkDisputes
    function revealVote(uint256 jobId, uint8 seatIndex, bytes32 resultHash, bytes32 salt) external {
        Dispute storage d = _disputes[jobId];
        _expectPhase(jobId, d.phase, Phase.Voting);
        // Reveals wait until no one can still commit, so no vote can be copied.
        if (d.committed < d.size && block.timestamp <= d.commitDeadline) {
            revert DisputeRevealNotOpen(jobId, d.commitDeadline);
        }
        if (block.timestamp > d.revealDeadline) revert DisputeRevealClosed(jobId, d.revealDeadline);
        // Zero is no result: a committee cannot decide it, as the arbiter cannot name it.
        if (resultHash == 0) revert DisputeZeroOutcome(jobId);
        Seat storage seat = _seatOf(jobId, d, seatIndex);
        if (seat.status != SeatStatus.Committed) revert DisputeNothingToReveal(jobId, msg.sender);
        if (DisputeMath.voteCommitment(resultHash, salt, msg.sender) != seat.vote) {
            revert DisputeCommitmentMismatch(jobId, msg.sender);
        }
        seat.status = SeatStatus.Revealed;
        seat.vote = resultHash;
        d.revealed += seat.votes;
        emit VoteRevealed(jobId, d.round, msg.sender, resultHash);
    }

    // ================================================================== resolution

    /// @inheritdoc IHashworkDisputes
    function resolve(uint256 jobId, IJobMarket.SubmittedJob calldata terms)
        external
        nonReentrant
        returns (bool resolved)
    {
        Dispute storage d = _disputes[jobId];
        _expectPhase(jobId, d.phase, Phase.Voting);
        // Past the deadline only `voidDispute` acts: a late resolve would slash silent seats and
        // race the void. No terms check here: a decided round settles through the market, which
        // checks them against the job's commitment; an undecided one does not use them.
        uint256 deadline = JobRecord.wrap(_market.jobRecord(jobId)).deadline();
        if (block.timestamp > deadline) revert DisputeDeadlinePassed(jobId, deadline);
        uint256 size = d.size;
        uint256 revealed = d.revealed;
        bool everyoneDone = revealed == size || (block.timestamp > d.commitDeadline && revealed == d.committed);
        if (!everyoneDone && block.timestamp <= d.revealDeadline) revert DisputeVotingOngoing(jobId, d.revealDeadline);

        Seat[] memory seats = _roundSeats(d, d.round, d.members);
        (bytes32 winner, uint256 votes) = _majority(seats);
        if (revealed < DisputeMath.quorum(size) || votes * 2 <= revealed) {
            _closeFailedRound(jobId, d, seats);
            _failRound(jobId, d, revealed);
            return false;
        }
        (Seat[] memory honest, uint256 slashed) = _releaseSeats(jobId, d, seats, winner, true);
        d.pot += uint96(slashed);
        _held += uint96(slashed);
        bool providerRight = winner == terms.resultHash;
        bool challengerRight = d.challenger != address(0) && winner == _challengerHashes[d.seatBlock];
        _settle(jobId, terms, d, providerRight, challengerRight, honest, winner);
        emit DisputeResolved(jobId, providerRight, challengerRight, winner, votes);
        return true;
    }

    /// @inheritdoc IHashworkDisputes
    function arbitrate(uint256 jobId, IJobMarket.SubmittedJob calldata terms, bytes32 correctHash)
        external
        onlyArbiter
        nonReentrant
    {
        if (correctHash == 0) revert DisputeZeroOutcome(jobId);
        Dispute storage d = _disputes[jobId];
        _expectPhase(jobId, d.phase, Phase.AwaitingArbiter);
        _requireDisputedTerms(jobId, terms);
        bool providerRight = correctHash == terms.resultHash;
        // Like a committee's winner: the challenger is right only if it named the correct hash,
        // and the failed rounds' revealers of it share the pot.
        bool challengerRight = d.challenger != address(0) && correctHash == _challengerHashes[d.seatBlock];
        emit ArbiterDecided(jobId, msg.sender, providerRight);
        _settle(jobId, terms, d, providerRight, challengerRight, new Seat[](0), correctHash);
        emit DisputeResolved(jobId, providerRight, challengerRight, correctHash, 0);
    }

    /// @inheritdoc IHashworkDisputes
    function voidDispute(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external nonReentrant {
        Dispute storage d = _disputes[jobId];
        Phase phase = d.phase;
        if (phase != Phase.AwaitingDraw && phase != Phase.Voting && phase != Phase.AwaitingArbiter) {
            revert DisputeNotActive(jobId, phase);
        }
        IJobMarket.JobState marketState = _market.jobState(jobId);
        if (marketState == IJobMarket.JobState.Disputed) {
            // Reverts until the market's dispute deadline; refunds the requester and unlocks
            // the provider's collateral.
            _market.voidExpiredDispute(jobId, terms);
        } else if (marketState != IJobMarket.JobState.Voided) {
            revert DisputeMarketStateMismatch(jobId, marketState);
        }
        d.phase = Phase.Voided;
        if (phase == Phase.Voting) {
            Seat[] memory seats = _roundSeats(d, d.round, d.members);
            IVerifierPool.Release[] memory releases = new IVerifierPool.Release[](seats.length);
            for (uint256 i; i < seats.length; ++i) {
                releases[i] = IVerifierPool.Release(seats[i].verifier, seats[i].locked, 0);
            }
            _release(releases, seats.length);
        }
        // No decision: the failed rounds' revealers get their locks back, nobody is slashed.
        uint256 failedRounds = phase == Phase.AwaitingArbiter ? uint256(d.round) + 1 : d.round;
        if (failedRounds != 0) _closeFailedRounds(jobId, d, failedRounds, new Seat[](0), 0);
        _releaseSeatBlock(d.seatBlock);
        uint256 bond = d.bond;
        uint256 pot = d.pot;
        d.bond = 0;
        d.pot = 0;
        _held -= uint96(bond + pot);
        if (d.challenger == address(0)) {
            _refundAudit(jobId, bond);
        } else {
            _payOut(jobId, d.challenger, PayoutRole.Challenger, bond);
        }
        _payOut(jobId, _market.treasury(), PayoutRole.Treasury, pot);
        emit DisputeVoided(jobId, bond, pot);
    }

    // ================================================================== governance

    /// @inheritdoc IHashworkDisputes
    function setConfig(DisputeConfig calldata newConfig) external onlyOwner {
        _setConfig(newConfig);
    }

    /// @inheritdoc IHashworkDisputes
    function setArbiter(address newArbiter) external onlyOwner {
        _setArbiter(newArbiter);
    }

    /// @inheritdoc IHashworkDisputes
    function sharePool(address nextModule) external onlyOwner {
        _pool.addDisputeModule(nextModule);
    }

    // ================================================================== views

    /// @inheritdoc IHashworkDisputes
    function sweepSurplus() external nonReentrant {
        uint256 balance = _market.balanceOf(address(this));
        uint256 held = _held;
        if (balance <= held) revert DisputeNoSurplus();
        address treasury = _market.treasury();
        emit SurplusSwept(treasury, balance - held);
        _market.transferBalance(treasury, balance - held);
    }

    /// @inheritdoc IHashworkDisputes
    function market() external view returns (address) {
        return address(_market);
    }

    /// @inheritdoc IHashworkDisputes
    function verifierPool() external view returns (address) {
        return address(_pool);
    }

    /// @inheritdoc IHashworkDisputes
    function challengeCommitBlock(bytes32 commitment) external view returns (uint256) {
        return _challengeCommits[commitment];
    }

    /// @inheritdoc IHashworkDisputes
    function config() external view returns (DisputeConfig memory) {
        return _configs[_configVersion];
    }

    /// @inheritdoc IHashworkDisputes
    function disputeConfig(uint256 jobId) external view returns (DisputeConfig memory) {
        return _configs[_disputes[jobId].configVersion];
    }

    /// @inheritdoc IHashworkDisputes
    function minDisputeDuration() external view returns (uint256) {
        return _roundsDuration(_configs[_configVersion]);
    }

    /// @inheritdoc IHashworkDisputes
    function verifierLock() external view returns (uint256) {
        return _configs[_configVersion].verifierLock;
    }

    /// @inheritdoc IHashworkDisputes
    function arbiter() external view returns (address) {
        return _arbiter;
    }

    /// @inheritdoc IHashworkDisputes
    function getDispute(uint256 jobId) external view returns (Dispute memory dispute) {
        dispute = _disputes[jobId];
        Phase phase = dispute.phase;
        if (dispute.challenger != address(0) && phase != Phase.Resolved && phase != Phase.Voided) {
            dispute.challengerHash = _challengerHashes[dispute.seatBlock];
        }
    }

    /// @inheritdoc IHashworkDisputes
    function getCommittee(uint256 jobId, uint8 round) external view returns (Seat[] memory seats) {
        Dispute storage d = _disputes[jobId];
        Phase phase = d.phase;
        // A settled dispute's seats may already hold a later dispute's: they live in the events.
        if (round > d.round || phase == Phase.None || phase == Phase.Resolved || phase == Phase.Voided) return seats;
        if (round == d.round && phase == Phase.AwaitingDraw) return seats;
        uint256 members = round == d.round && phase == Phase.Voting ? d.members : _failedMembers(d, round);
        seats = _roundSeats(d, round, members);
        for (uint256 i; i < members; ++i) {
            // A seat that has not committed shows no vote (its slot may hold an older dispute's).
            if (seats[i].status == SeatStatus.Drawn) seats[i].vote = 0;
        }
    }

    /// @inheritdoc IHashworkDisputes
    function totalHeld() external view returns (uint256) {
        return _held;
    }

    /// @inheritdoc IHashworkDisputes
    function isSelectedForAudit(uint256 jobId, uint256 submittedBlock) external view returns (bool) {
        return submittedBlock < block.number && _isSelected(jobId, submittedBlock);
    }

    /// @inheritdoc IHashworkDisputes
    function auditSeed(uint256 blockNumber) external view returns (bytes32) {
        bytes32 seed = blockhash(blockNumber);
        return seed != 0 ? seed : _pinnedSeeds[blockNumber];
    }

    /// @inheritdoc IHashworkDisputes
    function auditBudget() external view returns (uint256) {
        return _auditBudget();
    }

    // ================================================================== internal: lifecycle

    function _open(
        uint256 jobId,
        IJobMarket.SubmittedJob calldata terms,
        address challenger,
        bytes32 challengerHash,
        uint256 bond,
        bool forced
    ) private {
        uint40 seedBlock = uint40(block.number + 1);
        // The next block's hash seeds the draw, over weights fixed before the submission.
        // A job enters `Disputed` once (the market refuses a second openDispute), so this
        // entry is always fresh.
        Dispute storage d = _disputes[jobId];
        d.challenger = challenger;
        d.bond = uint96(bond);
        d.seedBlock = seedBlock;
        d.phase = Phase.AwaitingDraw;
        uint16 version = _configVersion;
        d.configVersion = version;
        d.size = uint8(_configs[version].committeeSize);
        if (forced) d.forced = true;
        uint24 seatBlock = _takeSeatBlock();
        d.seatBlock = seatBlock;
        if (challengerHash != 0) _challengerHashes[seatBlock] = challengerHash;
        // The pool as it stood before the result was submitted: stake bonded once a liar knows
        // it will be disputed (a watcher's commitment, its own audit selection) never counts.
        d.snapshotBlock = uint40(terms.submittedBlock - 1);
        _held += uint96(bond);
        emit DisputeOpened(jobId, challenger, terms.provider, terms.resultHash, challengerHash, bond, seedBlock);
    }

    /// @dev Ends the current round undecided: next round with two more seats, or the arbiter.
    function _failRound(uint256 jobId, Dispute storage d, uint256 revealed) private {
        uint8 round = d.round;
        uint256 nextSeed;
        DisputeConfig storage c = _configs[d.configVersion];
        if (round + 1 < c.maxRounds) {
            nextSeed = block.number + 1;
            d.round = round + 1;
            d.size = uint8(DisputeMath.seatsFor(c.committeeSize, round + 1));
            d.seedBlock = uint40(nextSeed);
            d.phase = Phase.AwaitingDraw;
        } else {
            d.phase = Phase.AwaitingArbiter;
        }
        emit RoundFailed(jobId, round, revealed, nextSeed);
    }

    /// @dev Unlocks every seat of the round. With a decision, seats that did not vote for
    /// `winner` lose `verifierSlashBps` of their lock to this module; without one, only seats that
    /// did not reveal do. Returns the faithful seats (voted for the winner, or revealed) and the
    /// total slashed. The seats stay stored: a failed round's revealers share the pot once a round
    /// decides, and a settled dispute's seat block goes to the next dispute.
    function _releaseSeats(uint256 jobId, Dispute storage d, Seat[] memory seats, bytes32 winner, bool decided)
        private
        returns (Seat[] memory faithfulSeats, uint256 slashed)
    {
        faithfulSeats = new Seat[](seats.length);
        IVerifierPool.Release[] memory releases = new IVerifierPool.Release[](seats.length);
        uint256 h;
        uint256 n;
        uint256 slashBps = _configs[d.configVersion].verifierSlashBps;
        for (uint256 i; i < seats.length; ++i) {
            Seat memory seat = seats[i];
            bool revealed = seat.status == SeatStatus.Revealed;
            bool faithful = decided ? revealed && seat.vote == winner : revealed;
            if (faithful) {
                faithfulSeats[h++] = seat;
                // A failed round's revealers keep their lock until the decision tells who lied.
                if (decided) releases[n++] = IVerifierPool.Release(seat.verifier, seat.locked, 0);
                continue;
            }
            uint256 slash;
            (releases[n++], slash) = _slashRelease(jobId, d.round, seat, slashBps);
            slashed += slash;
        }
        assembly ("memory-safe") {
            mstore(faithfulSeats, h)
        }
        _release(releases, n);
    }

    /// @dev The release of a seat that loses `verifierSlashBps` of its lock (to this module).
    function _slashRelease(uint256 jobId, uint8 round, Seat memory seat, uint256 slashBps)
        private
        returns (IVerifierPool.Release memory release, uint256 slash)
    {
        slash = DisputeMath.slashOf(seat.locked, slashBps);
        if (slash != 0) emit VerifierSlashed(jobId, round, seat.verifier, slash);
        release = IVerifierPool.Release(seat.verifier, uint96(seat.locked - slash), uint96(slash));
    }

    /// @dev Settles the first `n` releases in the pool in one call; slashes go to this module.
    function _release(IVerifierPool.Release[] memory releases, uint256 n) private {
        if (n == 0) return;
        assembly ("memory-safe") {
            mstore(releases, n)
        }
        _pool.release(releases, address(this));
    }

    /// @dev A round without a decision: the seats that did not reveal lose their slash to the
    /// pot. Nothing here can tell which revealer was right, so their locks and the pot wait for
    /// the decision (`_closeFailedRounds`): then the revealers of the outcome share the pot and
    /// the others are slashed. The round's seats stay stored until then.
    function _closeFailedRound(uint256 jobId, Dispute storage d, Seat[] memory seats) private {
        (, uint256 slashed) = _releaseSeats(jobId, d, seats, bytes32(0), false);
        d.pot += uint96(slashed);
        d.failedRoundMembers |= uint32(seats.length) << (8 * d.round);
        _held += uint96(slashed);
    }

    /// @dev Settles the job in the market and pays everyone out of the bond, the slashed
    /// collateral and the pot. Effects (phase, held balances) come before the ledger transfers.
    function _settle(
        uint256 jobId,
        IJobMarket.SubmittedJob calldata terms,
        Dispute storage d,
        bool providerRight,
        bool challengerRight,
        Seat[] memory honest,
        bytes32 outcome
    ) private {
        uint256 bond = d.bond;
        uint256 pot = d.pot;
        // Every round so far failed when the arbiter decides; the last one decided otherwise.
        uint256 failedRounds = d.phase == Phase.AwaitingArbiter ? uint256(d.round) + 1 : d.round;
        d.phase = Phase.Resolved;
        // Read below, but written by no one before this call returns (every entry is nonReentrant).
        _releaseSeatBlock(d.seatBlock);
        d.bond = 0;
        d.pot = 0;
        _held -= uint96(bond + pot);
        DisputeConfig storage c = _configs[d.configVersion];
        uint256 fee = c.verifierFee;
        uint256 honestVotes = _votesOf(honest);
        bool audit = d.challenger == address(0);
        uint256 toVerifiers;
        if (providerRight) {
            uint256 rest;
            (toVerifiers, rest) = DisputeMath.splitBond(bond, fee, honestVotes);
            // A wrong challenger's bond compensates the provider; an audit's unused budget
            // goes back to the reserve it came from (first: the market forgets a finalized job's
            // dispute module, and only that module may refund).
            if (audit) _refundAudit(jobId, rest);
            _market.settleDispute(jobId, terms, true);
            if (!audit) _payOut(jobId, terms.provider, PayoutRole.Provider, rest);
        } else {
            // Refunds the requester's payment and credits the slashed collateral to this module.
            _market.settleDispute(jobId, terms, false);
            uint256 collateral = PayoutMath.collateral(terms.reward, terms.collateralPct);
            if (audit) {
                // The fee-paid budget pays the verifiers; the requester, the harmed party,
                // gets all the collateral.
                uint256 rest;
                (toVerifiers, rest) = DisputeMath.splitBond(bond, fee, honestVotes);
                _payOut(jobId, _requesterOf(jobId), PayoutRole.Requester, collateral);
                _refundAudit(jobId, rest);
            } else {
                uint256 toChallenger;
                uint256 toRequester;
                (toVerifiers, toChallenger, toRequester) = DisputeMath.splitCollateral(
                    collateral, fee, honestVotes, c.challengerRewardBps, challengerRight
                );
                _payOut(jobId, d.challenger, PayoutRole.Challenger, toChallenger + bond);
                _payOut(jobId, _requesterOf(jobId), PayoutRole.Requester, toRequester);
            }
        }
        // The pot (slashes of silent or minority seats) goes to every seat, of this round and of
        // the failed ones before it, that revealed the outcome; to the treasury if none did.
        Seat[] memory right = honest;
        if (failedRounds != 0) {
            uint256 lied;
            (right, lied) = _closeFailedRounds(jobId, d, failedRounds, honest, outcome);
            pot += lied;
        }
        if (right.length == 0) {
            _payOut(jobId, _market.treasury(), PayoutRole.Treasury, pot);
            return;
        }
        // One payout per seat when only this round's seats share the pot (the usual case).
        if (right.length == honest.length) {
            _payVerifiers(jobId, honest, toVerifiers + pot);
            return;
        }
        _payVerifiers(jobId, honest, toVerifiers);
        _payVerifiers(jobId, right, pot);
    }

    /// @dev Releases the locks the revealers of failed rounds 0 .. `rounds` - 1 kept. With an
    /// `outcome` (the hash a committee or the arbiter decided), those who revealed it are returned
    /// after `honest` (to share the pot) and the others lose their slash (returned as `lied`): a
    /// lie revealed in a round that failed is slashed once the decision is known. Without one (a
    /// void) nobody is paid or slashed: every lock is released.
    function _closeFailedRounds(uint256 jobId, Dispute storage d, uint256 rounds, Seat[] memory honest, bytes32 outcome)
        private
        returns (Seat[] memory right, uint256 lied)
    {
        uint256 total;
        for (uint256 r; r < rounds; ++r) {
            total += _failedMembers(d, r);
        }
        right = new Seat[](honest.length + total);
        IVerifierPool.Release[] memory releases = new IVerifierPool.Release[](total);
        uint256 n;
        for (; n < honest.length; ++n) {
            right[n] = honest[n];
        }
        uint256 k;
        uint256 slashBps = _configs[d.configVersion].verifierSlashBps;
        for (uint256 r; r < rounds; ++r) {
            Seat[] memory seats = _roundSeats(d, uint8(r), _failedMembers(d, r));
            for (uint256 i; i < seats.length; ++i) {
                Seat memory seat = seats[i];
                // Silent seats were slashed and released when their round failed.
                if (seat.status != SeatStatus.Revealed) continue;
                if (outcome != 0 && seat.vote != outcome) {
                    uint256 slash;
                    (releases[k++], slash) = _slashRelease(jobId, uint8(r), seat, slashBps);
                    lied += slash;
                } else {
                    if (outcome != 0) right[n++] = seat;
                    releases[k++] = IVerifierPool.Release(seat.verifier, seat.locked, 0);
                }
            }
        }
        assembly ("memory-safe") {
            mstore(right, n)
        }
        _release(releases, k);
    }

    /// @dev Pays `amount` to `seats` in proportion to their votes; the last takes the rounding
    /// remainder, so exactly `amount` is paid.
    function _payVerifiers(uint256 jobId, Seat[] memory seats, uint256 amount) private {
        uint256 votes = _votesOf(seats);
        uint256 paid;
        for (uint256 i; i < seats.length; ++i) {
            uint256 share = i + 1 == seats.length ? amount - paid : (amount * seats[i].votes) / votes;
            paid += share;
            _payOut(jobId, seats[i].verifier, PayoutRole.Verifier, share);
        }
    }

    function _votesOf(Seat[] memory seats) private pure returns (uint256 votes) {
        for (uint256 i; i < seats.length; ++i) {
            votes += seats[i].votes;
        }
    }

    function _payOut(uint256 jobId, address to, PayoutRole role, uint256 amount) private {
        if (amount == 0) return;
        _market.transferBalance(to, amount);
        emit DisputePayout(jobId, to, role, amount);
    }

    /// @dev What an audit's budget did not pay goes back to the reserve, never to the treasury:
    /// otherwise anyone could drain the reserve by forcing audits of its own jobs.
    function _refundAudit(uint256 jobId, uint256 amount) private {
        if (amount == 0) return;
        _market.refundAudit(jobId, amount);
        emit DisputePayout(jobId, address(_market), PayoutRole.AuditReserve, amount);
    }

    // ================================================================== internal: helpers

    /// @dev Boyer–Moore majority vote over the revealed seats, weighted by votes (a seat of
    /// weight w counts as w ballots): returns the only hash that can hold a strict majority, and
    /// its vote count.
    function _majority(Seat[] memory seats) private pure returns (bytes32 candidate, uint256 votes) {
        uint256 balance;
        for (uint256 i; i < seats.length; ++i) {
            if (seats[i].status != SeatStatus.Revealed) continue;
            uint256 w = seats[i].votes;
            if (seats[i].vote == candidate) {
                balance += w;
            } else if (w <= balance) {
                balance -= w;
            } else {
                candidate = seats[i].vote;
                balance = w - balance;
            }
        }
        for (uint256 i; i < seats.length; ++i) {
            if (seats[i].status == SeatStatus.Revealed && seats[i].vote == candidate) votes += seats[i].votes;
        }
    }

    function _roundSeats(Dispute storage d, uint8 round, uint256 members) private view returns (Seat[] memory seats) {
        seats = new Seat[](members);
        uint256 base = uint256(round) * _ROUND_STRIDE;
        uint256 seatBlock = d.seatBlock;
        for (uint256 i; i < members; ++i) {
            seats[i] = _seats[seatBlock][base + i];
        }
    }

    /// @dev How many seat entries failed round `round` held (0 if its draw seated nobody).
    function _failedMembers(Dispute storage d, uint256 round) private view returns (uint256) {
        return uint8(d.failedRoundMembers >> (8 * round));
    }

    /// @dev A seat block for a new dispute: the last one given back, or a new one.
    function _takeSeatBlock() private returns (uint24 seatBlock) {
        uint256 free = _freeSeatBlockCount;
        if (free != 0) {
            seatBlock = uint24(_freeSeatBlocks[free - 1]);
            _freeSeatBlockCount = uint112(free - 1);
        } else {
            // Numbered from 1, so a freed entry is never rewritten from zero. 2^24 disputes open
            // at once (each with a bond and ~1M gas) cannot happen, so uint24 never wraps.
            uint256 created = uint256(_seatBlocksCreated) + 1;
            seatBlock = uint24(created);
            _seatBlocksCreated = uint112(created);
        }
    }

    function _releaseSeatBlock(uint24 seatBlock) private {
        uint256 free = _freeSeatBlockCount;
        _freeSeatBlocks[free] = seatBlock;
        _freeSeatBlockCount = uint112(free + 1);
    }

    /// @dev The caller's seat: the index comes from `CommitteeDrawn`, which saves searching.
    function _seatOf(uint256 jobId, Dispute storage d, uint8 seatIndex) private view returns (Seat storage seat) {
        seat = _seats[d.seatBlock][uint256(d.round) * _ROUND_STRIDE + seatIndex];
        if (seatIndex >= d.members || seat.verifier != msg.sender) revert DisputeNotOnCommittee(jobId, msg.sender);
    }

    /// @dev The terms must be the job's committed terms and the market must still hold the job
    /// in `Disputed` (it may have been voided there directly).
    function _requireDisputedTerms(uint256 jobId, IJobMarket.SubmittedJob calldata terms) private view {
        JobRecord rec = JobRecord.wrap(_market.jobRecord(jobId));
        if (rec.state() != IJobMarket.JobState.Disputed) {
            revert DisputeMarketStateMismatch(jobId, _market.jobState(jobId));
        }
        if (JobRecordLib.commit(terms) != rec.commitment()) revert DisputeTermsMismatch(jobId);
        // Past the market's deadline only `voidDispute` may act: a late draw could seat bonds
        // already withdrawn, and a late decision would race the void.
        if (block.timestamp > rec.deadline()) revert DisputeDeadlinePassed(jobId, rec.deadline());
    }

    /// @dev The fee rate the job pays if its provider wins (the market charges the rate in force
    /// at the record's deadline, see `IMarketGovernance.feeChange`).
    function _feeBpsOf(uint256 jobId) private view returns (uint256) {
        (uint16 previousBps, uint256 effectiveAt) = _market.feeChange();
        return JobRecord.wrap(_market.jobRecord(jobId)).deadline() < effectiveAt ? previousBps : _market.feeBps();
    }

    function _expectPhase(uint256 jobId, Phase current, Phase expected) private pure {
        if (current != expected) revert DisputeWrongPhase(jobId, current, expected);
    }

    function _requesterOf(uint256 jobId) private pure returns (address) {
        return address(uint160(jobId >> 96));
    }

    /// @dev The audit lottery over the hash of the job's submission block (unknown when the
    /// provider signed). Past 256 blocks the hash is read from its pin; a seed nobody pinned
    /// while it was readable counts as selecting the job, so letting it expire dodges nothing.
    function _isSelected(uint256 jobId, uint256 submittedBlock) private view returns (bool selected) {
        (selected,) = _selection(jobId, submittedBlock);
    }

    /// @dev `forced`: selected because the seed aged out unpinned, not by the lottery.
    function _selection(uint256 jobId, uint256 submittedBlock) private view returns (bool selected, bool forced) {
        if (submittedBlock >= block.number) revert DisputeAuditSeedUnavailable(submittedBlock);
        uint256 version = _configVersion;
        while (version != 0 && _configSince[version] > submittedBlock) --version;
        uint256 rate = _configs[version].auditRateBps;
        if (rate == 0) return (false, false);
        bytes32 seed = blockhash(submittedBlock);
        if (seed == 0) seed = _pinnedSeeds[submittedBlock];
        if (seed == 0) return (true, true);
        return (DisputeMath.auditSelected(seed, jobId, rate), false);
    }

    function _auditBudget() private view returns (uint256) {
        return _budgetOf(_configs[_configVersion]);
    }

    /// @dev What a full audit under `c` can pay: the verifier fee for every seat of every round.
    function _budgetOf(DisputeConfig storage c) private view returns (uint256) {
        uint256 seats;
        for (uint256 r; r < c.maxRounds; ++r) {
            seats += DisputeMath.seatsFor(c.committeeSize, r);
        }
        return seats * c.verifierFee;
    }

    // ================================================================== internal: governance

    function _setConfig(DisputeConfig memory c) private {
        _requireWithin("committeeSize", c.committeeSize, 1, MAX_COMMITTEE_SIZE);
        if (c.committeeSize % 2 == 0) revert DisputeCommitteeSizeNotOdd(c.committeeSize);
        _requireWithin("maxRounds", c.maxRounds, 1, MAX_ROUNDS);
        _requireWithin("commitPeriod", c.commitPeriod, MIN_PERIOD, MAX_PERIOD);
        _requireWithin("revealPeriod", c.revealPeriod, MIN_PERIOD, MAX_PERIOD);
        _requireWithin("verifierSlashBps", c.verifierSlashBps, 1, DisputeMath.BPS);
        _requireWithin("challengerRewardBps", c.challengerRewardBps, 0, DisputeMath.BPS);
        _requireWithin("auditRateBps", c.auditRateBps, 0, MAX_AUDIT_RATE_BPS);
        // A seat records its lock in 80 bits, and one verifier may hold every seat of a round; a
        // bond of the market's minimum must cover one seat's lock, or seats would risk nothing.
        uint256 maxLock = _market.config().minStake;
        if (maxLock > type(uint80).max / _ROUND_STRIDE) maxLock = type(uint80).max / _ROUND_STRIDE;
        _requireWithin("verifierLock", c.verifierLock, 1, maxLock);
        _requireWithin("verifierFee", c.verifierFee, 1, type(uint96).max);
        // A wrong challenger's bond must pay every honest verifier of the largest round.
        uint256 largestRound = DisputeMath.seatsFor(c.committeeSize, c.maxRounds - 1);
        _requireWithin("challengeBond", c.challengeBond, uint256(c.verifierFee) * largestRound, type(uint96).max);
        // Every round, with its draw and resolution, and then the arbiter must fit inside the
        // market's dispute deadline, or a dispute could end only in a void.
        _requireWithin("roundsDuration", _roundsDuration(c), 0, _market.maxDisputeDuration());
        uint16 version = _configVersion;
        // The constructor writes version 0; every later change is a new version.
        if (_configs[version].committeeSize != 0) version = ++_configVersion;
        _configs[version] = c;
        _configSince[version] = block.number;
        emit ConfigChanged(c);
    }

    /// @dev A module that replaces another draws from the same bonds: it adopts the pool of the
    /// market's current module (which must then `sharePool` it); the first module creates one.
    function _adoptOrCreatePool(IHashworkMarket market_) private returns (IVerifierPool) {
        address current = market_.disputeModule();
        if (current.code.length != 0) {
            try IHashworkDisputes(current).verifierPool() returns (address pool) {
                if (pool.code.length != 0) return IVerifierPool(pool);
            } catch {}
        }
        return IVerifierPool(address(new VerifierPool(market_)));
    }

    function _roundsDuration(DisputeConfig memory c) private pure returns (uint256) {
        return uint256(c.maxRounds) * (uint256(c.commitPeriod) + c.revealPeriod + ROUND_ALLOWANCE) + ARBITER_ALLOWANCE;
    }

    function _setArbiter(address a) private {
        if (a == address(0)) revert DisputeZeroAddress();
        emit ArbiterChanged(_arbiter, a);
        _arbiter = a;
    }

    function _requireWithin(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert DisputeInvalidParameter(parameter, value, min, max);
    }
}
