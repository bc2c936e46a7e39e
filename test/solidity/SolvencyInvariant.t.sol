// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {IPayBuckets} from "../../contracts/interfaces/IPayBuckets.sol";
import {MarketHandler} from "./utils/MarketHandler.t.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice After any sequence of post / claim / submit / finalize / cancel / expire / time-out /
/// stake / unstake / withdraw / deposit / fee withdrawal / fast path with deferred pay / pay
/// releases across several actors and time jumps, the market holds exactly the tokens it owes,
/// and owes exactly the sum of its parts (pay buckets included).
/// Runs and depth come from hardhat.config.ts (256 runs, depth 32).
contract SolvencyInvariantTest is MarketSetup {
    MarketHandler internal handler;

    function setUp() public {
        _deployMarket();
        address[] memory actors = new address[](3);
        actors[0] = address(0xA1);
        actors[1] = address(0xA2);
        actors[2] = address(0xA3);
        address[] memory providers = new address[](3);
        providers[0] = address(0xB1);
        providers[1] = address(0xB2);
        providers[2] = address(0xB3);
        handler = new MarketHandler(market, token, actors, providers);
        for (uint256 i; i < 3; ++i) {
            _fund(actors[i], 1e24);
            _fund(providers[i], 1e24);
            vm.prank(providers[i]);
            market.stake(1_000e18);
        }
        targetContract(address(handler));
    }

    /// @dev The fast path lands alone and in batches (skipping a job already taken), and settles.
    function test_handler_fastPathLandsAndSettles() public {
        handler.post(1, 10e18, 150, 600, 3);
        handler.post(1, 10e18, 150, 600, 1);
        handler.claimAndSubmit(0, 0, keccak256("result"));
        handler.claimAndSubmitJobs(1, 0, 4);
        assertEq(handler.calls("claimAndSubmit"), 1, "single");
        assertEq(handler.calls("claimAndSubmitJobs"), 3, "batch members submitted (one skipped)");
        assertEq(market.stakeOf(handler.providers(1)).locked, 3 * 15e18, "batch collateral");
        handler.warp(1 days);
        handler.settleAllDue();
        // Fast-path jobs are paid by their buckets, not by finalize: still locked until released.
        assertEq(market.stakeOf(handler.providers(1)).locked, 3 * 15e18, "batch collateral in its bucket");
        handler.releasePay(0);
        handler.releasePay(1);
        assertEq(handler.calls("bucketsReleased"), 2, "one bucket per provider released");
        assertEq(market.stakeOf(handler.providers(0)).locked + market.stakeOf(handler.providers(1)).locked, 0, "all settled");
        assertEq(token.balanceOf(address(market)), market.totalOwed(), "solvent");
    }

    /// @dev The handler settles jobs whose fees count and jobs whose fees round down, so the
    /// reputation invariant below is not vacuous.
    function test_handler_countsEachJobsFeeRoundedDownOnItsOwn() public {
        // Two jobs of 0.15 token at 1 %: each pays 1.5 units of fees and counts 1 (not 3 for both).
        handler.post(0, 0.15e18, 150, 600, 2);
        handler.claim(0, 0);
        handler.claim(0, 1);
        handler.submit(0, keccak256("result"));
        handler.submit(1, keccak256("result"));
        handler.warp(1 days);
        handler.finalize(0);
        handler.settleAllDue();
        address p = handler.providers(0);
        assertEq(handler.calls("feeUnitsCounted"), 2, "jobs whose fee counts");
        assertEq(handler.calls("feeRoundedDown"), 2, "jobs whose fee rounds down");
        assertEq(handler.feeUnitsOf(p), 2, "ghost fee units");
        assertEq(market.reputationOf(p).feesPaid, 2e15, "feesPaid");
    }

    function invariant_tokensHeldEqualTotalOwed() public view {
        assertEq(token.balanceOf(address(market)), market.totalOwed(), "token balance vs totalOwed");
    }

    function invariant_totalOwedIsTheSumOfWhatEachPartyIsOwed() public view {
        // Fees are split between the treasury's accrued fees and the audit reserve.
        uint256 owed = market.accruedFees() + market.auditReserve() + market.balanceOf(treasury);
        for (uint256 i; i < handler.actorCount(); ++i) {
            owed += market.balanceOf(handler.actors(i));
        }
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            owed += market.balanceOf(p) + market.stakeOf(p).staked + market.unbondingOf(p).amount;
            (, IPayBuckets.PayPurse[2] memory b) = market.pendingPayOf(p);
            owed += uint256(b[0].payout) + b[0].fee + b[1].payout + b[1].fee;
        }
        owed += _escrowed();
        assertEq(market.totalOwed(), owed, "totalOwed vs ledger + escrow + stake + unbonding + fees + audit reserve");
    }

    function invariant_lockedStakeMatchesLiveCollateral() public view {
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            uint256 expected;
            for (uint256 k; k < handler.jobCount(); ++k) {
                uint256 id = handler.jobIds(k);
                IJobMarket.JobState s = market.jobState(id);
                if (s == IJobMarket.JobState.Claimed) {
                    IJobMarket.JobView memory j = market.getJob(id);
                    if (j.provider == p) expected += j.collateral;
                } else if (s == IJobMarket.JobState.Submitted && !handler.bucketed(id)) {
                    (uint96 reward, uint16 pct, address provider,,) = handler.termsOf(id);
                    if (provider == p) expected += (uint256(reward) * pct + 99) / 100;
                }
            }
            // Deferred-pay jobs stay locked until their bucket is released.
            (, IPayBuckets.PayPurse[2] memory b) = market.pendingPayOf(p);
            expected += uint256(b[0].collateral) + b[1].collateral;
            assertEq(market.stakeOf(p).locked, expected, "locked stake vs collateral of live jobs");
            assertLe(market.stakeOf(p).locked, market.stakeOf(p).staked, "locked above staked");
        }
    }

    /// @dev Reputation is fees paid: every finalized job adds its protocol fee (at the rate in
    /// force when it settled) in whole reputation units, rounded down per job; the counter
    /// saturates at uint32 units. Accounts that never finalized a job have paid nothing.
    function invariant_feesPaidIsTheSumOfTheFeesOfFinalizedJobs() public view {
        uint256 unit = market.reputationUnit();
        assertEq(unit, handler.REPUTATION_UNIT(), "reputation unit of an 18-decimal token");
        for (uint256 i; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            uint256 units = handler.feeUnitsOf(p);
            if (units > type(uint32).max) units = type(uint32).max;
            assertEq(market.reputationOf(p).feesPaid, units * unit, "feesPaid vs fees of finalized jobs");
        }
        for (uint256 i; i < handler.actorCount(); ++i) {
            assertEq(market.reputationOf(handler.actors(i)).feesPaid, 0, "a requester paid provider fees");
        }
    }

    /// @dev Rewards held for jobs not yet settled.
    function _escrowed() private view returns (uint256 sum) {
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 id = handler.jobIds(k);
            IJobMarket.JobState s = market.jobState(id);
            if (s == IJobMarket.JobState.Open || s == IJobMarket.JobState.Claimed) {
                sum += market.getJob(id).reward;
            } else if (s == IJobMarket.JobState.Submitted && !handler.bucketed(id)) {
                (uint96 reward,,,,) = handler.termsOf(id);
                sum += reward;
            }
        }
    }
}
