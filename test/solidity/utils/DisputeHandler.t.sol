// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HashworkDisputes} from "../../../contracts/HashworkDisputes.sol";
import {HashworkMarket} from "../../../contracts/HashworkMarket.sol";
import {VerifierPool} from "../../../contracts/VerifierPool.sol";
import {IHashworkDisputes} from "../../../contracts/interfaces/IHashworkDisputes.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IVerifierPool} from "../../../contracts/interfaces/IVerifierPool.sol";
import {DisputeMath} from "../../../contracts/libraries/DisputeMath.sol";
import {HashworkToken} from "../../../contracts/token/HashworkToken.sol";
import {MarketHandler} from "./MarketHandler.t.sol";

/// @notice The market handler plus disputes and the verifier pool: challenges, random audits,
/// committee draws (fresh and stale seeds), commits and reveals in random patterns (silent,
/// minority, majority either way), resolutions, arbitration and voiding; and, at any time
/// (including while disputes are open), bonds, top-ups, withdrawal requests, withdrawals and
/// new pool members. Each dispute action moves some dispute one step forward, so sequences of
/// 32 calls reach resolutions often.
contract DisputeHandler is MarketHandler {
    HashworkDisputes internal immutable disputes;
    VerifierPool internal immutable pool;
    address internal immutable arbiter;

    /// @notice Every account that may bond in the pool. The first `dedicatedCount` verify only;
    /// the rest are also requesters/challengers or providers (so exclusions matter).
    address[] public members;
    uint256 public immutable dedicatedCount;

    /// @notice The seed of the current round's draw (what the module passed to `pool.draw`).
    mapping(uint256 jobId => bytes32) public drawSeedOf;
    /// @notice The pool's total weight at the dispute's snapshot block, read after that block
    /// ended, plus one (0: not read yet).
    mapping(uint256 jobId => uint256) public snapshotWeightOf;

    constructor(
        HashworkMarket market_,
        HashworkToken token_,
        HashworkDisputes disputes_,
        address arbiter_,
        address[] memory actors_,
        address[] memory providers_,
        address[] memory verifiers_
    ) MarketHandler(market_, token_, actors_, providers_) {
        disputes = disputes_;
        pool = VerifierPool(disputes_.verifierPool());
        arbiter = arbiter_;
        dedicatedCount = verifiers_.length;
        for (uint256 i; i < verifiers_.length; ++i) members.push(verifiers_[i]);
        members.push(actors_[0]);
        members.push(providers_[0]);
    }

    function memberCount() external view returns (uint256) {
        return members.length;
    }

    // ------------------------------------------------------------------ opening

    /// @dev Challenges a submitted job in its window, submitting a fresh one first if none is.
    function challenge(uint256 actorSeed, uint256 jobSeed) external {
        (uint256 id, bool found) = _challengeable(jobSeed);
        if (!found) {
            id = _freshSubmittedJob(actorSeed);
            if (id == 0) return;
        }
        IJobMarket.SubmittedJob memory t = termsOf[id];
        address a = actors[actorSeed % actors.length];
        bytes32 alternative = keccak256(abi.encode("alternative", id));
        vm.prank(a);
        disputes.commitChallenge(DisputeMath.challengeCommitment(id, alternative, a, bytes32(0)));
        vm.roll(vm.getBlockNumber() + 1);
        vm.prank(a);
        disputes.challenge(id, t, alternative, bytes32(0));
        calls["challenge"]++;
    }

    /// @dev Starts an audit of a submitted job the lottery picked, submitting a fresh one first if
    /// none is picked. The audit reserve pays what it holds (possibly nothing): an audit never
    /// waits for funds.
    function audit(uint256 actorSeed, uint256 jobSeed) external {
        (uint256 id, bool found) = _auditable(jobSeed);
        if (!found) {
            id = _freshSubmittedJob(actorSeed);
            if (id == 0) return;
            // The lottery reads the submission block's hash: it must be over.
            vm.roll(vm.getBlockNumber() + 1);
            if (!disputes.isSelectedForAudit(id, termsOf[id].submittedBlock)) return;
        }
        disputes.startAudit(id, termsOf[id]);
        calls["audit"]++;
    }

    // ------------------------------------------------------------------ progress

    /// @dev Moves one open dispute a step: draw, commit, reveal, resolve or arbitrate.
    /// `pattern` decides per seat whether it votes and for which hash.
    function advanceDispute(uint256 jobSeed, uint256 pattern) external {
        (uint256 id, bool found) = _disputed(jobSeed);
        if (found) _advance(id, pattern);
    }

    /// @dev Moves one open dispute 2 to 8 steps (a fresh pattern each), so that sequences reach
    /// second rounds and the arbiter.
    function driveDispute(uint256 jobSeed, uint256 pattern, uint256 steps) external {
        (uint256 id, bool found) = _disputed(jobSeed);
        if (!found) return;
        steps = bound(steps, 2, 8);
        for (uint256 i; i < steps; ++i) {
            IHashworkDisputes.Phase p = disputes.getDispute(id).phase;
            if (p == IHashworkDisputes.Phase.Resolved || p == IHashworkDisputes.Phase.Voided) return;
            _advance(id, uint256(keccak256(abi.encode(pattern, i))));
        }
    }

    /// @dev Voids an open dispute once the market's dispute deadline has passed.
    function voidDispute(uint256 jobSeed) external {
        (uint256 id, bool found) = _disputed(jobSeed);
        if (!found) return;
        uint256 deadline = market.getJob(id).deadline;
        if (vm.getBlockTimestamp() <= deadline) vm.warp(deadline + 1);
        disputes.voidDispute(id, termsOf[id]);
        calls["voidDispute"]++;
    }

    // ------------------------------------------------------------------ verifier pool

    /// @dev A member bonds (or tops up) at least what takes it to the minimum.
    function bond(uint256 memberSeed, uint256 amount) external {
        address v = members[memberSeed % members.length];
        if (_bondAs(v, amount)) calls["bond"]++;
    }

    /// @dev An account with no weight joins the pool while a dispute is open: in the dispute's
    /// own block (it counts for that snapshot) or in a later one (it must not).
    function joinDuringDispute(uint256 memberSeed, uint256 amount, bool nextBlock) external {
        (, bool open) = _disputed(0);
        if (!open) return;
        uint256 n = members.length;
        for (uint256 k; k < n; ++k) {
            address v = members[(memberSeed + k) % n];
            if (pool.memberOf(v).bonded != 0) continue;
            if (nextBlock) vm.roll(vm.getBlockNumber() + 1);
            if (_bondAs(v, amount)) calls["join"]++;
            return;
        }
    }

    /// @dev A member takes part (leaving 0 or at least the minimum) or all of its bond out of
    /// its weight; seated members included, whose locks then answer from what is pending.
    function requestWithdrawal(uint256 memberSeed, uint256 amount, bool all) external {
        (address v, bool found) = _member(memberSeed, true);
        if (!found) return;
        uint256 bonded = pool.memberOf(v).bonded;
        uint256 minimum = pool.minimumBond();
        amount = all || bonded <= minimum ? bonded : bound(amount, 1, bonded - minimum);
        vm.prank(v);
        pool.requestWithdrawal(amount);
        calls["requestWithdrawal"]++;
    }

    /// @dev A member withdraws what is pending and not locked, waiting out the delay if `wait`.
    function withdrawBond(uint256 memberSeed, bool wait) external {
        (address v, bool found) = _member(memberSeed, false);
        if (!found) return;
        uint256 unlockAt = pool.memberOf(v).unlockAt;
        if (vm.getBlockTimestamp() < unlockAt) {
            if (!wait) return;
            vm.warp(unlockAt);
        }
        vm.prank(v);
        pool.withdraw(v);
        calls["withdrawBond"]++;
    }

    /// @dev Someone deposits into the module's or the pool's ledger account; the sweep sends
    /// exactly that surplus to the treasury (both books stay exact).
    function strayDepositAndSweep(uint256 actorSeed, uint256 amount, bool toPool) external {
        address a = actors[actorSeed % actors.length];
        amount = bound(amount, 1, 100e18);
        vm.prank(a);
        market.deposit(toPool ? address(pool) : address(disputes), amount);
        if (toPool) pool.sweepSurplus();
        else disputes.sweepSurplus();
        calls["sweep"]++;
    }

    // ------------------------------------------------------------------ internal

    function _advance(uint256 id, uint256 pattern) private {
        IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
        if (d.phase == IHashworkDisputes.Phase.AwaitingDraw) {
            // Mine past the seed block; now and then let it go stale, to exercise the re-draw.
            uint256 target = uint256(d.seedBlock) + (pattern % 7 == 0 ? 300 : 1);
            if (vm.getBlockNumber() < target) vm.roll(target);
            if (snapshotWeightOf[id] == 0) snapshotWeightOf[id] = pool.totalWeightAt(d.snapshotBlock) + 1;
            bytes32 seed = blockhash(d.seedBlock);
            if (disputes.drawCommittee(id, termsOf[id])) {
                drawSeedOf[id] = keccak256(abi.encode(seed, id, d.round));
                calls["drawn"]++;
            }
            calls["draw"]++;
        } else if (d.phase == IHashworkDisputes.Phase.Voting) {
            _vote(id, d, pattern);
        } else if (d.phase == IHashworkDisputes.Phase.AwaitingArbiter) {
            _noteDeadline(id);
            vm.prank(arbiter);
            // The provider's hash, the alternative the votes used, or a third hash.
            bytes32 correct = pattern % 3 == 0
                ? termsOf[id].resultHash
                : pattern % 3 == 1 ? keccak256(abi.encode("alternative", id)) : keccak256(abi.encode("third", id));
            disputes.arbitrate(id, termsOf[id], correct);
            _countFeeIfFinalized(id);
            calls["arbitrate"]++;
        }
    }

    function _bondAs(address v, uint256 amount) private returns (bool) {
        uint256 bonded = pool.memberOf(v).bonded;
        uint256 minimum = pool.minimumBond();
        uint256 least = bonded >= minimum ? 1 : minimum - bonded;
        amount = bound(amount, least, least + 1_000e18);
        if (token.balanceOf(v) < amount) return false;
        vm.prank(v);
        pool.bond(amount);
        return true;
    }

    /// @dev The first member at or after `seed` with weight (`bonded`) or with an unlocked
    /// pending withdrawal (`!bonded`).
    function _member(uint256 seed, bool bonded) private view returns (address v, bool found) {
        uint256 n = members.length;
        for (uint256 k; k < n; ++k) {
            v = members[(seed + k) % n];
            IVerifierPool.Member memory m = pool.memberOf(v);
            if (bonded ? m.bonded != 0 : m.pending > (m.locked > m.bonded ? m.locked - m.bonded : 0)) {
                return (v, true);
            }
        }
        return (address(0), false);
    }

    function _vote(uint256 id, IHashworkDisputes.Dispute memory d, uint256 pattern) private {
        IHashworkDisputes.Seat[] memory seats = disputes.getCommittee(id, d.round);
        bytes32 alternative = keccak256(abi.encode("alternative", id));
        if (d.committed < d.size && vm.getBlockTimestamp() <= d.commitDeadline && pattern % 5 != 0) {
            for (uint256 i; i < seats.length; ++i) {
                if (seats[i].status != IHashworkDisputes.SeatStatus.Drawn || (pattern >> (2 * i)) & 3 == 0) continue;
                bytes32 vote = (pattern >> (2 * i)) & 3 == 1 ? alternative : termsOf[id].resultHash;
                vm.prank(seats[i].verifier);
                disputes.commitVote(id, uint8(i), DisputeMath.voteCommitment(vote, _salt(id, i), seats[i].verifier));
            }
            calls["commit"]++;
            return;
        }
        if (vm.getBlockTimestamp() <= d.commitDeadline) vm.warp(d.commitDeadline + 1);
        if (d.revealed < d.committed && vm.getBlockTimestamp() <= d.revealDeadline && pattern % 3 != 0) {
            for (uint256 i; i < seats.length; ++i) {
                if (seats[i].status != IHashworkDisputes.SeatStatus.Committed) continue;
                bytes32 vote = (pattern >> (2 * i)) & 3 == 1 ? alternative : termsOf[id].resultHash;
                vm.prank(seats[i].verifier);
                disputes.revealVote(id, uint8(i), vote, _salt(id, i));
            }
            calls["reveal"]++;
            return;
        }
        if (vm.getBlockTimestamp() <= d.revealDeadline) vm.warp(d.revealDeadline + 1);
        _noteDeadline(id);
        disputes.resolve(id, termsOf[id]);
        _countFeeIfFinalized(id);
        calls["resolve"]++;
    }

    /// @dev A dispute the provider won pays it like a finalization (the fee counts the same).
    function _countFeeIfFinalized(uint256 id) private {
        if (market.jobState(id) == IJobMarket.JobState.Finalized) {
            _countFee(id);
            calls["disputeWonFee"]++;
        }
    }

    function _salt(uint256 id, uint256 seat) private pure returns (bytes32) {
        return keccak256(abi.encode("salt", id, seat));
    }

    /// @dev Posts, claims and submits one job; returns 0 if no provider can take it.
    function _freshSubmittedJob(uint256 seed) private returns (uint256 id) {
        address requester = actors[seed % actors.length];
        address provider = providers[(seed >> 8) % providers.length];
        if (market.freeStakeOf(provider) < 15e18 || market.stakeOf(provider).staked < market.config().minStake) {
            return 0;
        }
        IJobMarket.JobRequest memory r = IJobMarket.JobRequest({
            programHash: keccak256("program"),
            inputHash: keccak256(abi.encode(jobIds.length)),
            fuelLimit: 1_000_000,
            reward: 10e18,
            collateralPct: 150,
            claimDeadline: uint40(vm.getBlockTimestamp() + 1 hours),
            executionTime: 1 hours,
            challengeWindow: 1 days,
            minReputation: 0,
            designatedProvider: address(0),
            programURI: "",
            inputURI: ""
        });
        vm.prank(requester);
        id = market.postJob(r);
        jobIds.push(id);
        // Disputes draw from the pool as it stood before the submission's block: submit in a
        // fresh block so bonds made until now count. Half the jobs take the fast path.
        if ((seed >> 16) & 1 == 0) {
            vm.prank(provider);
            market.claimJob(id);
            vm.roll(vm.getBlockNumber() + 1);
            vm.prank(provider);
            market.submitResult(id, keccak256(abi.encode("result", id)), "");
        } else {
            vm.roll(vm.getBlockNumber() + 1);
            _countReleases(provider);
            vm.prank(provider);
            market.claimAndSubmit(id, keccak256(abi.encode("result", id)), "");
            calls["claimAndSubmit"]++;
        }
        termsOf[id] = IJobMarket.SubmittedJob(10e18, 150, provider, keccak256(abi.encode("result", id)), uint64(vm.getBlockNumber()));
    }

    function _challengeable(uint256 seed) private view returns (uint256 id, bool found) {
        uint256 n = jobIds.length;
        for (uint256 k; k < n; ++k) {
            id = jobIds[(seed + k) % n];
            if (market.jobState(id) == IJobMarket.JobState.Submitted && vm.getBlockTimestamp() <= market.getJob(id).deadline) {
                return (id, true);
            }
        }
        return (0, false);
    }

    function _auditable(uint256 seed) private view returns (uint256 id, bool found) {
        uint256 n = jobIds.length;
        for (uint256 k; k < n; ++k) {
            id = jobIds[(seed + k) % n];
            IJobMarket.SubmittedJob memory t = termsOf[id];
            if (
                market.jobState(id) == IJobMarket.JobState.Submitted && vm.getBlockTimestamp() <= market.getJob(id).deadline
                    && disputes.isSelectedForAudit(id, t.submittedBlock)
            ) return (id, true);
        }
        return (0, false);
    }

    function _disputed(uint256 seed) private view returns (uint256 id, bool found) {
        uint256 n = jobIds.length;
        for (uint256 k; k < n; ++k) {
            id = jobIds[(seed + k) % n];
            IHashworkDisputes.Phase p = disputes.getDispute(id).phase;
            if (
                p == IHashworkDisputes.Phase.AwaitingDraw || p == IHashworkDisputes.Phase.Voting
                    || p == IHashworkDisputes.Phase.AwaitingArbiter
            ) return (id, true);
        }
        return (0, false);
    }
}
