// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HashworkDisputes} from "../../../contracts/HashworkDisputes.sol";
import {HashworkMarket} from "../../../contracts/HashworkMarket.sol";
import {IHashworkDisputes} from "../../../contracts/interfaces/IHashworkDisputes.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {DisputeMath} from "../../../contracts/libraries/DisputeMath.sol";
import {HashworkToken} from "../../../contracts/token/HashworkToken.sol";
import {MarketHandler} from "./MarketHandler.t.sol";

/// @notice The market handler plus disputes: challenges, random audits, committee draws (fresh
/// and stale seeds), commits and reveals in random patterns (silent, minority, majority either
/// way), resolutions, arbitration and voiding. Each dispute action moves some dispute one step
/// forward, so sequences of 32 calls reach resolutions often.
contract DisputeHandler is MarketHandler {
    HashworkDisputes internal immutable disputes;
    address internal immutable arbiter;

    constructor(
        HashworkMarket market_,
        HashworkToken token_,
        HashworkDisputes disputes_,
        address arbiter_,
        address[] memory actors_,
        address[] memory providers_
    ) MarketHandler(market_, token_, actors_, providers_) {
        disputes = disputes_;
        arbiter = arbiter_;
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
        vm.roll(block.number + 1);
        vm.prank(a);
        disputes.challenge(id, t, alternative, bytes32(0));
        calls["challenge"]++;
    }

    /// @dev Starts an audit of a submitted job if the lottery picked it and fees can pay.
    function audit(uint256 jobSeed) external {
        (uint256 id, bool found) = _challengeable(jobSeed);
        if (!found) return;
        IJobMarket.SubmittedJob memory t = termsOf[id];
        if (!disputes.isSelectedForAudit(id, t.submittedBlock)) return;
        if (market.accruedFees() < disputes.auditBudget()) return;
        disputes.startAudit(id, t);
        calls["audit"]++;
    }

    // ------------------------------------------------------------------ progress

    /// @dev Moves one open dispute a step: draw, commit, reveal, resolve or arbitrate.
    /// `pattern` decides per seat whether it votes and for which hash.
    function advanceDispute(uint256 jobSeed, uint256 pattern) external {
        (uint256 id, bool found) = _disputed(jobSeed);
        if (!found) return;
        IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
        if (d.phase == IHashworkDisputes.Phase.AwaitingDraw) {
            // Mine past the seed block; now and then let it go stale, to exercise the re-draw.
            uint256 target = uint256(d.seedBlock) + (pattern % 7 == 0 ? 300 : 1);
            if (block.number < target) vm.roll(target);
            disputes.drawCommittee(id, termsOf[id]);
            calls["draw"]++;
        } else if (d.phase == IHashworkDisputes.Phase.Voting) {
            _vote(id, d, pattern);
        } else if (d.phase == IHashworkDisputes.Phase.AwaitingArbiter) {
            vm.prank(arbiter);
            disputes.arbitrate(id, termsOf[id], pattern % 2 == 0);
            calls["arbitrate"]++;
        }
    }

    /// @dev Voids an open dispute once the market's dispute deadline has passed.
    function voidDispute(uint256 jobSeed) external {
        (uint256 id, bool found) = _disputed(jobSeed);
        if (!found) return;
        uint256 deadline = market.getJob(id).deadline;
        if (block.timestamp <= deadline) vm.warp(deadline + 1);
        disputes.voidDispute(id, termsOf[id]);
        calls["voidDispute"]++;
    }

    // ------------------------------------------------------------------ internal

    function _vote(uint256 id, IHashworkDisputes.Dispute memory d, uint256 pattern) private {
        IHashworkDisputes.Seat[] memory seats = disputes.getCommittee(id, d.round);
        bytes32 alternative = keccak256(abi.encode("alternative", id));
        if (d.committed < d.size && block.timestamp <= d.commitDeadline && pattern % 5 != 0) {
            for (uint256 i; i < seats.length; ++i) {
                if (seats[i].status != IHashworkDisputes.SeatStatus.Drawn || (pattern >> (2 * i)) & 3 == 0) continue;
                bytes32 vote = (pattern >> (2 * i)) & 3 == 1 ? alternative : termsOf[id].resultHash;
                vm.prank(seats[i].verifier);
                disputes.commitVote(id, uint8(i), DisputeMath.voteCommitment(vote, _salt(id, i), seats[i].verifier));
            }
            calls["commit"]++;
            return;
        }
        if (block.timestamp <= d.commitDeadline) vm.warp(d.commitDeadline + 1);
        if (d.revealed < d.committed && block.timestamp <= d.revealDeadline && pattern % 3 != 0) {
            for (uint256 i; i < seats.length; ++i) {
                if (seats[i].status != IHashworkDisputes.SeatStatus.Committed) continue;
                bytes32 vote = (pattern >> (2 * i)) & 3 == 1 ? alternative : termsOf[id].resultHash;
                vm.prank(seats[i].verifier);
                disputes.revealVote(id, uint8(i), vote, _salt(id, i));
            }
            calls["reveal"]++;
            return;
        }
        if (block.timestamp <= d.revealDeadline) vm.warp(d.revealDeadline + 1);
        disputes.resolve(id, termsOf[id]);
        calls["resolve"]++;
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
            claimDeadline: uint40(block.timestamp + 1 hours),
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
        vm.prank(provider);
        market.claimJob(id);
        vm.prank(provider);
        market.submitResult(id, keccak256(abi.encode("result", id)), "");
        termsOf[id] = IJobMarket.SubmittedJob(10e18, 150, provider, keccak256(abi.encode("result", id)), uint64(block.number));
    }

    function _challengeable(uint256 seed) private view returns (uint256 id, bool found) {
        uint256 n = jobIds.length;
        for (uint256 k; k < n; ++k) {
            id = jobIds[(seed + k) % n];
            if (market.jobState(id) == IJobMarket.JobState.Submitted && block.timestamp <= market.getJob(id).deadline) {
                return (id, true);
            }
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
