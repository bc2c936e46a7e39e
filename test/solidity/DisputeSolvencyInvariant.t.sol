// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HashworkDisputes} from "../../contracts/HashworkDisputes.sol";
import {VerifierPool} from "../../contracts/VerifierPool.sol";
import {IHashworkDisputes} from "../../contracts/interfaces/IHashworkDisputes.sol";
import {IHashworkMarket} from "../../contracts/interfaces/IHashworkMarket.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {IPayBuckets} from "../../contracts/interfaces/IPayBuckets.sol";
import {IVerifierPool} from "../../contracts/interfaces/IVerifierPool.sol";
import {DisputeHandler} from "./utils/DisputeHandler.t.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice The solvency invariants with the dispute module and its verifier pool installed:
/// after any sequence of market actions mixed with challenges, audits, draws, votes,
/// resolutions, arbitration and voiding, and with bonds, withdrawals and new pool members at
/// any time (open disputes included), the market holds exactly what it owes, the module's and
/// the pool's ledger balances are exactly what they hold, market stake locks are live
/// collateral only, pool locks are exactly the seats of voting rounds, and every committee is
/// the pool's draw as of its dispute's snapshot block.
contract DisputeSolvencyInvariantTest is MarketSetup {
    DisputeHandler internal handler;
    HashworkDisputes internal disputes;
    VerifierPool internal pool;
    address internal arbiter = address(0xA4B1);

    function setUp() public {
        _deployMarket();
        disputes = new HashworkDisputes(IHashworkMarket(address(market)), address(this), arbiter, _config());
        market.setDisputeModule(address(disputes));
        pool = VerifierPool(disputes.verifierPool());
        address[] memory actors = new address[](3);
        address[] memory providers = new address[](6);
        address[] memory verifiers = new address[](6);
        for (uint256 i; i < 3; ++i) actors[i] = address(uint160(0xA1 + i));
        for (uint256 i; i < 6; ++i) providers[i] = address(uint160(0xB1 + i));
        for (uint256 i; i < 6; ++i) verifiers[i] = address(uint160(0xC1 + i));
        handler = new DisputeHandler(market, token, disputes, arbiter, actors, providers, verifiers);
        for (uint256 i; i < 3; ++i) {
            _fund(actors[i], 1e24);
            vm.prank(actors[i]);
            token.approve(address(disputes), type(uint256).max);
        }
        for (uint256 i; i < 6; ++i) {
            _fund(providers[i], 1e24);
            vm.prank(providers[i]);
            market.stake(1_000e18);
        }
        for (uint256 i; i < 6; ++i) token.mint(verifiers[i], 1e24);
        for (uint256 i; i < handler.memberCount(); ++i) {
            vm.prank(handler.members(i));
            token.approve(address(pool), type(uint256).max);
        }
        // Three dedicated verifiers and the two parties who also verify start bonded; the other
        // three dedicated verifiers join later (the handler's `bond` / `joinDuringDispute`).
        _bond(verifiers[0], 100e18);
        _bond(verifiers[1], 250e18);
        _bond(verifiers[2], 1_000e18);
        _bond(actors[0], 300e18);
        _bond(providers[0], 300e18);
        targetContract(address(handler));
    }

    /// @dev The handler can drive a dispute all the way: otherwise the invariants prove little.
    function test_handler_reachesEveryDisputeStep() public {
        handler.challenge(0, 0);
        // 682 = 0b1010101010: every seat votes for the provider; not a multiple of 3, 5 or 7, so the
        // handler neither skips a step nor lets the seed go stale.
        for (uint256 i; i < 4; ++i) handler.advanceDispute(0, 682); // draw, commit, reveal, resolve
        assertGe(handler.calls("challenge"), 1, "challenge");
        assertGe(handler.calls("drawn"), 1, "drawn");
        assertGe(handler.calls("commit"), 1, "commit");
        assertGe(handler.calls("reveal"), 1, "reveal");
        assertGe(handler.calls("resolve"), 1, "resolve");
        uint256 id = handler.jobIds(0);
        assertTrue(disputes.getDispute(id).phase == IHashworkDisputes.Phase.Resolved, "resolved");
    }

    /// @dev A fast-path job (`claimAndSubmit`) is challenged and its dispute driven to the end.
    function test_handler_disputesAFastPathJob() public {
        handler.challenge(1 << 16, 0);
        assertEq(handler.calls("claimAndSubmit"), 1, "the job took the fast path");
        for (uint256 i; i < 4; ++i) handler.advanceDispute(0, 682);
        uint256 id = handler.jobIds(0);
        assertTrue(disputes.getDispute(id).phase == IHashworkDisputes.Phase.Resolved, "resolved");
        assertEq(token.balanceOf(address(market)), market.totalOwed(), "solvent");
    }

    /// @dev A dispute the provider wins settles the job, and the handler counts its fee.
    function test_handler_countsTheFeeOfADisputeTheProviderWon() public {
        handler.challenge(0, 0);
        for (uint256 i; i < 4; ++i) handler.advanceDispute(0, 682); // every seat backs the provider
        uint256 id = handler.jobIds(0);
        (,, address provider,,) = handler.termsOf(id);
        assertEq(handler.calls("disputeWonFee"), 1, "fee counted on the dispute's settlement");
        assertEq(handler.feeUnitsOf(provider), 100, "10 tokens at 1 % is 100 units");
        assertEq(market.reputationOf(provider).feesPaid, 100 * handler.REPUTATION_UNIT(), "feesPaid");
    }

    /// @dev Through the handler, a silent round slashes seated members: bonded at exactly the
    /// minimum, each is left below it, so its rest moves to pending and its weight to zero
    /// (what `invariant_noBondIsBelowTheMinimum` checks after every call).
    function test_handler_slashesSilentMembersBelowTheMinimum() public {
        // The three dedicated verifiers hold exactly the minimum (the other members are parties).
        _requestWithdrawal(handler.members(1), 150e18);
        _requestWithdrawal(handler.members(2), 900e18);
        handler.challenge(0, 0);
        uint256 id = handler.jobIds(0);
        // 15: not a multiple of 7 (fresh seed), of 5 (nobody commits) and of 3.
        handler.advanceDispute(0, 15); // draw
        IHashworkDisputes.Seat[] memory seats = disputes.getCommittee(id, 0);
        assertGe(seats.length, 1, "a committee was drawn");
        uint256[] memory pendingBefore = new uint256[](seats.length);
        for (uint256 s; s < seats.length; ++s) pendingBefore[s] = pool.memberOf(seats[s].verifier).pending;
        handler.advanceDispute(0, 15); // nobody voted: resolve the failed round
        assertEq(handler.calls("resolve"), 1, "resolve");
        for (uint256 s; s < seats.length; ++s) {
            IVerifierPool.Member memory m = pool.memberOf(seats[s].verifier);
            assertEq(m.bonded, 0, "a silent member below the minimum keeps no bond");
            assertGe(m.pending, pendingBefore[s] + 1, "its rest is pending");
            assertLe(m.pending, pendingBefore[s] + 100e18 - 1, "it was slashed");
            assertEq(pool.weightAt(seats[s].verifier, vm.getBlockNumber()), 0, "no weight");
        }
    }

    /// @dev The pool actions land, joins included, while a dispute is open.
    function test_handler_changesThePoolDuringAnOpenDispute() public {
        handler.challenge(0, 0);
        uint256 id = handler.jobIds(0);
        uint48 snapshot = disputes.getDispute(id).snapshotBlock;
        uint256 totalAtSnapshot = pool.totalWeightAt(snapshot);
        handler.joinDuringDispute(3, 500e18, true);
        handler.bond(0, 50e18);
        handler.requestWithdrawal(1, 0, true);
        handler.withdrawBond(1, true);
        assertEq(handler.calls("join"), 1, "join");
        assertEq(handler.calls("bond"), 1, "bond");
        assertEq(handler.calls("requestWithdrawal"), 1, "requestWithdrawal");
        assertEq(handler.calls("withdrawBond"), 1, "withdrawBond");
        assertEq(pool.weightAt(handler.members(3), snapshot), 0, "a later member has no weight at the snapshot");
        assertEq(pool.totalWeightAt(snapshot), totalAtSnapshot, "the snapshot is unchanged");
    }

    // ------------------------------------------------------------------ tokens and ledgers

    function invariant_tokensHeldEqualTotalOwed() public view {
        assertEq(token.balanceOf(address(market)), market.totalOwed(), "token balance vs totalOwed");
        assertEq(token.balanceOf(address(disputes)), 0, "the module holds no tokens at rest");
        assertEq(token.balanceOf(address(pool)), 0, "the pool holds no tokens at rest");
    }

    function invariant_moduleLedgerBalanceIsExactlyWhatItHolds() public view {
        uint256 held;
        for (uint256 k; k < handler.jobCount(); ++k) {
            IHashworkDisputes.Dispute memory d = disputes.getDispute(handler.jobIds(k));
            held += uint256(d.bond) + d.pot;
        }
        assertEq(disputes.totalHeld(), held, "totalHeld vs open bonds and pots");
        assertEq(market.balanceOf(address(disputes)), held, "module ledger balance vs open bonds and pots");
    }

    function invariant_poolLedgerBalanceIsExactlyWhatItsMembersHold() public view {
        uint256 held;
        for (uint256 i; i < handler.memberCount(); ++i) {
            IVerifierPool.Member memory m = pool.memberOf(handler.members(i));
            held += uint256(m.bonded) + m.pending;
        }
        assertEq(pool.totalHeld(), held, "pool totalHeld vs bonded + pending");
        assertEq(market.balanceOf(address(pool)), held, "pool ledger balance vs bonded + pending");
    }

    function invariant_totalOwedIsTheSumOfWhatEachPartyIsOwed() public view {
        uint256 owed = market.accruedFees() + market.auditReserve() + market.balanceOf(treasury)
            + market.balanceOf(address(disputes)) + market.balanceOf(address(pool));
        for (uint256 i; i < handler.actorCount(); ++i) owed += market.balanceOf(handler.actors(i));
        // The members past the dedicated verifiers are an actor and a provider, counted there.
        for (uint256 i; i < handler.dedicatedCount(); ++i) owed += market.balanceOf(handler.members(i));
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            owed += market.balanceOf(p) + market.stakeOf(p).staked + market.unbondingOf(p).amount;
            (, IPayBuckets.PayPurse[2] memory b) = market.pendingPayOf(p);
            owed += uint256(b[0].payout) + b[0].fee + b[1].payout + b[1].fee;
        }
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IJobMarket.JobState s = market.jobState(id);
            if (s == IJobMarket.JobState.Open || s == IJobMarket.JobState.Claimed) {
                owed += market.getJob(id).reward;
            } else if (s == IJobMarket.JobState.Disputed || (s == IJobMarket.JobState.Submitted && !handler.bucketed(id))) {
                // A bucketed job's reward is in its bucket (counted above).
                (uint96 reward,,,,) = handler.termsOf(id);
                owed += reward;
            }
        }
        assertEq(market.totalOwed(), owed, "totalOwed vs every party's claim");
    }

    /// @dev As in the market suite, with disputes the provider won settling jobs too.
    function invariant_feesPaidIsTheSumOfTheFeesOfFinalizedJobs() public view {
        uint256 unit = market.reputationUnit();
        assertEq(unit, handler.REPUTATION_UNIT(), "reputation unit of an 18-decimal token");
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            uint256 units = handler.feeUnitsOf(p);
            if (units > type(uint32).max) units = type(uint32).max;
            assertEq(market.reputationOf(p).feesPaid, units * unit, "feesPaid vs fees of finalized jobs");
        }
    }

    // ------------------------------------------------------------------ locks and weights

    function invariant_lockedStakeIsLiveCollateralOnly() public view {
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            uint256 expected;
            for (uint256 k; k < handler.jobCount(); ++k) expected += _collateralFor(handler.jobIds(k), p);
            // Deferred-pay jobs stay locked until their bucket is released.
            (, IPayBuckets.PayPurse[2] memory b) = market.pendingPayOf(p);
            expected += uint256(b[0].collateral) + b[1].collateral;
            assertEq(market.stakeOf(p).locked, expected, "locked stake vs live collateral");
            assertLe(market.stakeOf(p).locked, market.stakeOf(p).staked, "locked above staked");
        }
    }

    /// Locks are the seats of voting rounds, plus the revealers of an open dispute's failed rounds
    /// (they keep their lock until the decision tells whether they revealed the outcome).
    function invariant_poolLocksAreExactlyTheSeatsOfVotingRounds() public view {
        uint256 n = handler.memberCount();
        uint256[] memory expected = new uint256[](n);
        uint256 total;
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
            IHashworkDisputes.Phase phase = d.phase;
            bool open = phase == IHashworkDisputes.Phase.AwaitingDraw || phase == IHashworkDisputes.Phase.Voting
                || phase == IHashworkDisputes.Phase.AwaitingArbiter;
            if (!open) continue;
            for (uint256 r; r <= d.round; ++r) {
                bool voting = r == d.round && phase == IHashworkDisputes.Phase.Voting;
                IHashworkDisputes.Seat[] memory seats = disputes.getCommittee(id, uint8(r));
                for (uint256 s; s < seats.length; ++s) {
                    // A failed round's silent seats were released; its revealers were not.
                    if (!voting && seats[s].status != IHashworkDisputes.SeatStatus.Revealed) continue;
                    assertLe(seats[s].locked, uint256(disputes.config().verifierLock) * seats[s].votes, "seat lock above verifierLock x votes");
                    expected[_memberIndex(seats[s].verifier)] += seats[s].locked;
                    total += seats[s].locked;
                }
            }
        }
        uint256 locked;
        for (uint256 i; i < n; ++i) {
            IVerifierPool.Member memory m = pool.memberOf(handler.members(i));
            assertEq(m.locked, expected[i], "member lock vs its seats in voting rounds");
            assertLe(m.locked, uint256(m.bonded) + m.pending, "lock above bonded + pending");
            locked += m.locked;
        }
        assertEq(locked, total, "pool locks vs seats of voting rounds");
    }

    function invariant_poolWeightIsTheSumOfBonds() public view {
        uint256 bonded;
        for (uint256 i; i < handler.memberCount(); ++i) {
            address v = handler.members(i);
            uint256 b = pool.memberOf(v).bonded;
            assertEq(pool.weightAt(v, block.number), b, "member weight vs bonded");
            bonded += b;
        }
        assertEq(pool.totalWeight(), bonded, "totalWeight vs sum of bonds");
        assertEq(pool.totalWeightAt(block.number), bonded, "totalWeightAt(now) vs sum of bonds");
    }

    /// @dev Nobody keeps weight on a bond below the minimum: a slash that leaves less moves the
    /// rest to a pending withdrawal (the handler's members start at exactly the minimum, so
    /// the first slash of such a member takes it below).
    function invariant_noBondIsBelowTheMinimum() public view {
        uint256 minimum = pool.minimumBond();
        for (uint256 i; i < handler.memberCount(); ++i) {
            uint256 bonded = pool.memberOf(handler.members(i)).bonded;
            assertTrue(bonded == 0 || bonded >= minimum, "a member is bonded below the minimum");
        }
    }

    // ------------------------------------------------------------------ committees

    /// @dev Every seated committee is the pool's draw as of the snapshot block (re-drawn now,
    /// after any later bonds, withdrawals and joins), seats no party to the job and no one
    /// without weight at the snapshot; the snapshot's total weight never moves.
    function invariant_committeesAreTheSnapshotDraw() public view {
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
            uint256 recorded = handler.snapshotWeightOf(id);
            if (recorded != 0) {
                assertEq(pool.totalWeightAt(d.snapshotBlock), recorded - 1, "snapshot total weight moved");
            }
            if (d.phase != IHashworkDisputes.Phase.Voting) continue;
            (,, address provider,,) = handler.termsOf(id);
            address requester = address(uint160(id >> 96));
            IHashworkDisputes.Seat[] memory seats = disputes.getCommittee(id, d.round);
            (address[] memory verifiers, uint8[] memory votes) = pool.draw(
                d.snapshotBlock, handler.drawSeedOf(id), d.size, [provider, d.challenger, requester]
            );
            assertEq(seats.length, verifiers.length, "committee vs re-draw: members");
            assertEq(seats.length, d.members, "committee vs members");
            uint256 seated;
            for (uint256 s; s < seats.length; ++s) {
                address v = seats[s].verifier;
                assertEq(v, verifiers[s], "committee vs re-draw: verifier");
                assertEq(seats[s].votes, votes[s], "committee vs re-draw: votes");
                assertTrue(v != provider && v != requester && v != d.challenger, "a party to the job was seated");
                assertGe(pool.weightAt(v, d.snapshotBlock), 1, "seated without weight at the snapshot");
                seated += seats[s].votes;
            }
            assertEq(seated, d.size, "votes vs seats");
        }
    }

    function invariant_finishedDisputesHoldNothing() public view {
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
            if (d.phase == IHashworkDisputes.Phase.Resolved || d.phase == IHashworkDisputes.Phase.Voided) {
                assertEq(d.bond + d.pot, 0, "a finished dispute holds nothing");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    function _bond(address v, uint256 amount) private {
        vm.prank(v);
        pool.bond(amount);
    }

    function _requestWithdrawal(address v, uint256 amount) private {
        vm.prank(v);
        pool.requestWithdrawal(amount);
    }

    function _memberIndex(address v) private view returns (uint256) {
        for (uint256 i; i < handler.memberCount(); ++i) {
            if (handler.members(i) == v) return i;
        }
        revert("seat held by an account that is no pool member");
    }

    function _collateralFor(uint256 id, address p) private view returns (uint256) {
        IJobMarket.JobState s = market.jobState(id);
        if (s == IJobMarket.JobState.Claimed) {
            IJobMarket.JobView memory j = market.getJob(id);
            if (j.provider == p) return j.collateral;
        } else if (s == IJobMarket.JobState.Disputed || (s == IJobMarket.JobState.Submitted && !handler.bucketed(id))) {
            (uint96 reward, uint16 pct, address provider,,) = handler.termsOf(id);
            if (provider == p) return (uint256(reward) * pct + 99) / 100;
        }
        return 0;
    }

    function _config() private pure returns (IHashworkDisputes.DisputeConfig memory) {
        return IHashworkDisputes.DisputeConfig({
            challengeBond: 20e18,
            verifierLock: 10e18,
            verifierFee: 0.5e18,
            verifierSlashBps: 5_000,
            challengerRewardBps: 5_000,
            auditRateBps: 2_000,
            committeeSize: 3,
            maxRounds: 2,
            commitPeriod: 1 hours,
            revealPeriod: 1 hours
        });
    }
}
