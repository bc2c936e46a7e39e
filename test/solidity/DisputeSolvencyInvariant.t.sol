// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HashworkDisputes} from "../../contracts/HashworkDisputes.sol";
import {IHashworkDisputes} from "../../contracts/interfaces/IHashworkDisputes.sol";
import {IHashworkMarket} from "../../contracts/interfaces/IHashworkMarket.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {DisputeHandler} from "./utils/DisputeHandler.t.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice The solvency invariants with the dispute module installed: after any sequence of
/// market actions mixed with challenges, audits, draws, votes, resolutions, arbitration and
/// voiding, the market holds exactly what it owes, the module's ledger balance is exactly what
/// it holds for open disputes, and every locked stake is a live collateral or a committee duty.
contract DisputeSolvencyInvariantTest is MarketSetup {
    DisputeHandler internal handler;
    HashworkDisputes internal disputes;
    address internal arbiter = address(0xA4B1);

    function setUp() public {
        _deployMarket();
        disputes = new HashworkDisputes(IHashworkMarket(address(market)), address(this), arbiter, _config());
        market.setDisputeModule(address(disputes));
        address[] memory actors = new address[](3);
        address[] memory providers = new address[](6);
        for (uint256 i; i < 3; ++i) actors[i] = address(uint160(0xA1 + i));
        for (uint256 i; i < 6; ++i) providers[i] = address(uint160(0xB1 + i));
        handler = new DisputeHandler(market, token, disputes, arbiter, actors, providers);
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
        targetContract(address(handler));
    }

    /// @dev The handler can drive a dispute all the way: otherwise the invariants prove little.
    function test_handler_reachesEveryDisputeStep() public {
        handler.challenge(0, 0);
        // 682 = 0b1010101010: every seat votes for the provider; not a multiple of 3, 5 or 7, so the
        // handler neither skips a step nor lets the seed go stale.
        for (uint256 i; i < 4; ++i) handler.advanceDispute(0, 682); // draw, commit, reveal, resolve
        assertGe(handler.calls("challenge"), 1, "challenge");
        assertGe(handler.calls("draw"), 1, "draw");
        assertGe(handler.calls("commit"), 1, "commit");
        assertGe(handler.calls("reveal"), 1, "reveal");
        assertGe(handler.calls("resolve"), 1, "resolve");
    }

    function invariant_tokensHeldEqualTotalOwed() public view {
        assertEq(token.balanceOf(address(market)), market.totalOwed(), "token balance vs totalOwed");
        assertEq(token.balanceOf(address(disputes)), 0, "the module holds no tokens at rest");
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

    function invariant_totalOwedIsTheSumOfWhatEachPartyIsOwed() public view {
        uint256 owed = market.accruedFees() + market.balanceOf(treasury) + market.balanceOf(address(disputes));
        for (uint256 i; i < handler.actorCount(); ++i) owed += market.balanceOf(handler.actors(i));
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            owed += market.balanceOf(p) + market.stakeOf(p).staked + market.unbondingOf(p).amount;
        }
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IJobMarket.JobState s = market.jobState(id);
            if (s == IJobMarket.JobState.Open || s == IJobMarket.JobState.Claimed) {
                owed += market.getJob(id).reward;
            } else if (s == IJobMarket.JobState.Submitted || s == IJobMarket.JobState.Disputed) {
                (uint96 reward,,,,) = handler.termsOf(id);
                owed += reward;
            }
        }
        assertEq(market.totalOwed(), owed, "totalOwed vs every party's claim");
    }

    function invariant_lockedStakeIsCollateralPlusCommitteeDuty() public view {
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            uint256 expected;
            for (uint256 k; k < handler.jobCount(); ++k) expected += _lockedFor(handler.jobIds(k), p);
            assertEq(market.stakeOf(p).locked, expected, "locked stake vs live collateral and duty locks");
            assertLe(market.stakeOf(p).locked, market.stakeOf(p).staked, "locked above staked");
        }
    }

    function invariant_dutyStakeHeldOnlyWhileVoting() public view {
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
            if (d.phase == IHashworkDisputes.Phase.Resolved || d.phase == IHashworkDisputes.Phase.Voided) {
                assertEq(d.bond + d.pot, 0, "a finished dispute holds nothing");
            }
        }
    }

    function _lockedFor(uint256 id, address p) private view returns (uint256 locked) {
        IJobMarket.JobState s = market.jobState(id);
        if (s == IJobMarket.JobState.Claimed) {
            IJobMarket.JobView memory j = market.getJob(id);
            if (j.provider == p) locked += j.collateral;
        } else if (s == IJobMarket.JobState.Submitted || s == IJobMarket.JobState.Disputed) {
            (uint96 reward, uint16 pct, address provider,,) = handler.termsOf(id);
            if (provider == p) locked += (uint256(reward) * pct + 99) / 100;
        }
        IHashworkDisputes.Dispute memory d = disputes.getDispute(id);
        if (d.phase != IHashworkDisputes.Phase.Voting) return locked;
        IHashworkDisputes.Seat[] memory seats = disputes.getCommittee(id, d.round);
        for (uint256 i; i < seats.length; ++i) {
            if (seats[i].verifier == p) locked += d.lockPerSeat;
        }
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
