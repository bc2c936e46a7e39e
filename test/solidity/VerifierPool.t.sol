// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VerifierPool} from "../../contracts/VerifierPool.sol";
import {IHashworkMarket} from "../../contracts/interfaces/IHashworkMarket.sol";
import {IVerifierPool} from "../../contracts/interfaces/IVerifierPool.sol";
import {MarketSetup} from "./utils/MarketSetup.sol";

/// @notice The verifier pool on the real market, deployed by this test (so the test is its
/// dispute module): the bond, withdrawal, lock, unlock and slash rules, and draws that never
/// seat an excluded party, fill every seat whenever eligible weight exists, land each seat on
/// the member whose range holds its value, and ignore everything after the snapshot block.
contract VerifierPoolTest is MarketSetup {
    /// The longest job lifetime (7-day claim delay + 7-day execution + 7-day window + 14-day
    /// dispute): longer than unbonding.
    uint256 private constant DELAY = 7 days + 7 days + 7 days + 14 days;

    VerifierPool internal pool;
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    address internal beneficiary = address(0xBE4E);

    function setUp() public {
        _deployMarket();
        pool = new VerifierPool(IHashworkMarket(address(market)));
        _fundVerifier(alice);
        _fundVerifier(bob);
        vm.roll(100);
    }

    // ------------------------------------------------------------------ parameters

    function test_minimumBond_isTheMarketsMinimumStake() public view {
        assertEq(pool.minimumBond(), MIN_STAKE, "minimum bond");
    }

    function test_withdrawalDelay_isTheLongestJobLifetimeWhenLongerThanUnbonding() public view {
        assertEq(pool.withdrawalDelay(), DELAY, "delay");
    }

    function test_disputeModule_isItsDeployer() public view {
        assertEq(pool.disputeModule(), address(this), "module");
        assertEq(pool.market(), address(market), "market");
    }

    // ------------------------------------------------------------------ bond

    function test_bond_revertsIfZero() public {
        vm.prank(alice);
        vm.expectRevert(IVerifierPool.PoolZeroAmount.selector);
        pool.bond(0);
    }

    function test_bond_revertsIfBelowMinimum() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IVerifierPool.PoolBelowMinimumBond.selector, alice, MIN_STAKE - 1, MIN_STAKE)
        );
        pool.bond(MIN_STAKE - 1);
    }

    function test_bond_revertsIfTheBondWouldExceedUint96() public {
        _bond(alice, MIN_STAKE);
        uint256 amount = uint256(type(uint96).max);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IVerifierPool.PoolBondTooLarge.selector, amount + MIN_STAKE));
        pool.bond(amount);
    }

    function test_bond_topsUpByLessThanTheMinimum() public {
        _bond(alice, MIN_STAKE);
        _bond(alice, 1);
        assertEq(pool.memberOf(alice).bonded, MIN_STAKE + 1, "bonded");
    }

    function test_bond_parksTheTokensInTheMarketLedger() public {
        uint256 before = token.balanceOf(alice);
        _bond(alice, 150 * UNIT);
        assertEq(token.balanceOf(alice), before - 150 * UNIT, "pulled from the verifier");
        assertEq(token.balanceOf(address(pool)), 0, "no tokens at rest in the pool");
        assertEq(market.balanceOf(address(pool)), 150 * UNIT, "pool ledger balance");
        assertEq(pool.totalHeld(), 150 * UNIT, "totalHeld");
        assertEq(market.totalOwed(), token.balanceOf(address(market)), "market books match tokens");
    }

    function test_bond_countsFromTheEndOfItsBlock() public {
        _bond(alice, 150 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        assertEq(pool.weightAt(alice, vm.getBlockNumber() - 2), 0, "weight before the block");
        assertEq(pool.weightAt(alice, vm.getBlockNumber() - 1), 150 * UNIT, "weight at the block");
        assertEq(pool.totalWeight(), 150 * UNIT, "total weight");
    }

    // ------------------------------------------------------------------ withdrawal

    function test_requestWithdrawal_revertsIfZero() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        vm.expectRevert(IVerifierPool.PoolZeroAmount.selector);
        pool.requestWithdrawal(0);
    }

    function test_requestWithdrawal_revertsIfMoreThanBonded() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IVerifierPool.PoolInsufficientBond.selector, alice, 150 * UNIT, 150 * UNIT + 1)
        );
        pool.requestWithdrawal(150 * UNIT + 1);
    }

    function test_requestWithdrawal_revertsIfTheRestIsBelowMinimum() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IVerifierPool.PoolBelowMinimumBond.selector, alice, 99 * UNIT, MIN_STAKE)
        );
        pool.requestWithdrawal(51 * UNIT);
    }

    function test_requestWithdrawal_allowsTakingEverything() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(150 * UNIT);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.bonded, 0, "bonded");
        assertEq(m.pending, 150 * UNIT, "pending");
        assertEq(m.unlockAt, vm.getBlockTimestamp() + DELAY, "unlockAt");
        assertEq(pool.totalWeight(), 0, "total weight");
        assertEq(pool.totalHeld(), 150 * UNIT, "still held until withdrawn");
    }

    function test_requestWithdrawal_removesWeightNowButNotAtEarlierBlocks() public {
        _bond(alice, 250 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        vm.prank(alice);
        pool.requestWithdrawal(100 * UNIT);
        assertEq(pool.weightAt(alice, vm.getBlockNumber()), 150 * UNIT, "weight now");
        assertEq(pool.weightAt(alice, vm.getBlockNumber() - 1), 250 * UNIT, "weight at the earlier block");
    }

    function test_withdraw_revertsIfBeforeTheDelay() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(150 * UNIT);
        uint256 unlockAt = vm.getBlockTimestamp() + DELAY;
        vm.warp(unlockAt - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IVerifierPool.PoolNothingToWithdraw.selector, alice, unlockAt));
        pool.withdraw(alice);
    }

    function test_withdraw_revertsIfNothingIsPending() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IVerifierPool.PoolNothingToWithdraw.selector, alice, 0));
        pool.withdraw(alice);
    }

    function test_withdraw_revertsIfToZeroAddress() public {
        _bond(alice, 150 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(150 * UNIT);
        vm.warp(vm.getBlockTimestamp() + DELAY);
        vm.prank(alice);
        vm.expectRevert(IVerifierPool.PoolZeroAddress.selector);
        pool.withdraw(address(0));
    }

    function test_withdraw_paysThePendingAmountAfterTheDelay() public {
        _bond(alice, 250 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(100 * UNIT);
        vm.warp(vm.getBlockTimestamp() + DELAY);
        vm.prank(alice);
        pool.withdraw(beneficiary);
        assertEq(token.balanceOf(beneficiary), 100 * UNIT, "paid out");
        assertEq(pool.memberOf(alice).pending, 0, "nothing pending");
        assertEq(pool.memberOf(alice).bonded, 150 * UNIT, "the rest stays bonded");
        assertEq(pool.totalHeld(), 150 * UNIT, "totalHeld");
        assertEq(market.balanceOf(address(pool)), 150 * UNIT, "pool ledger balance");
        assertEq(market.totalOwed(), token.balanceOf(address(market)), "market books match tokens");
    }

    function test_withdraw_keepsWhatIsLockedInPending() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 30 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(100 * UNIT);
        vm.warp(vm.getBlockTimestamp() + DELAY);
        vm.prank(alice);
        pool.withdraw(alice);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.pending, 30 * UNIT, "the locked part stays pending");
        assertEq(m.locked, 30 * UNIT, "still locked");
        assertEq(pool.totalHeld(), 30 * UNIT, "totalHeld");
    }

    // ------------------------------------------------------------------ dispute module

    function test_lock_revertsIfNotTheDisputeModule() public {
        _bond(alice, 100 * UNIT);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IVerifierPool.PoolNotDisputeModule.selector, bob));
        pool.lock(alice, 10 * UNIT);
    }

    function test_unlock_revertsIfNotTheDisputeModule() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IVerifierPool.PoolNotDisputeModule.selector, alice));
        pool.unlock(alice, 10 * UNIT);
    }

    function test_slash_revertsIfNotTheDisputeModule() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IVerifierPool.PoolNotDisputeModule.selector, bob));
        pool.slash(alice, 10 * UNIT, bob);
    }

    function test_lock_capsAtWhatIsNotLockedYet() public {
        _bond(alice, 100 * UNIT);
        assertEq(pool.lock(alice, 80 * UNIT), 80 * UNIT, "first lock");
        assertEq(pool.lock(alice, 50 * UNIT), 20 * UNIT, "second lock takes what is left");
        assertEq(pool.lock(alice, 1), 0, "nothing left");
        assertEq(pool.memberOf(alice).locked, 100 * UNIT, "locked");
    }

    function test_lock_answersFromPending() public {
        _bond(alice, 100 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(100 * UNIT);
        assertEq(pool.lock(alice, 40 * UNIT), 40 * UNIT, "locked from pending");
    }

    function test_unlock_revertsIfMoreThanLocked() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        vm.expectRevert(
            abi.encodeWithSelector(IVerifierPool.PoolInsufficientLocked.selector, alice, 10 * UNIT, 10 * UNIT + 1)
        );
        pool.unlock(alice, 10 * UNIT + 1);
    }

    function test_unlock_releasesTheLock() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        pool.unlock(alice, 4 * UNIT);
        assertEq(pool.memberOf(alice).locked, 6 * UNIT, "locked");
        assertEq(pool.memberOf(alice).bonded, 100 * UNIT, "bond untouched");
    }

    function test_slash_revertsIfMoreThanLocked() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        vm.expectRevert(
            abi.encodeWithSelector(IVerifierPool.PoolInsufficientLocked.selector, alice, 10 * UNIT, 10 * UNIT + 1)
        );
        pool.slash(alice, 10 * UNIT + 1, beneficiary);
    }

    function test_slash_creditsTheBeneficiaryAndCutsTheWeight() public {
        _bond(alice, 200 * UNIT);
        pool.lock(alice, 30 * UNIT);
        pool.slash(alice, 20 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(market.balanceOf(beneficiary), 20 * UNIT, "beneficiary credited");
        assertEq(m.bonded, 180 * UNIT, "bonded");
        assertEq(m.locked, 10 * UNIT, "locked");
        assertEq(pool.weightAt(alice, vm.getBlockNumber()), 180 * UNIT, "weight");
        assertEq(pool.totalHeld(), 180 * UNIT, "totalHeld");
        assertEq(market.balanceOf(address(pool)), 180 * UNIT, "pool ledger balance");
    }

    function test_slash_takesFromPendingWhenTheBondIsShort() public {
        _bond(alice, 200 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(100 * UNIT);
        pool.lock(alice, 150 * UNIT);
        pool.slash(alice, 150 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.bonded, 0, "bond gone first");
        assertEq(m.pending, 50 * UNIT, "the rest from pending");
        assertEq(m.locked, 0, "locked");
        assertEq(pool.totalWeight(), 0, "no weight left");
        assertEq(pool.totalHeld(), 50 * UNIT, "totalHeld");
        assertEq(market.balanceOf(address(pool)), 50 * UNIT, "pool ledger balance");
    }

    // ------------------------------------------------------------------ slash below the minimum

    function test_slash_belowTheMinimum_movesTheRestToPending() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        pool.slash(alice, 10 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.bonded, 0, "no bond left");
        assertEq(m.pending, 90 * UNIT, "the rest is pending");
        assertEq(m.locked, 0, "locked");
        assertEq(m.unlockAt, vm.getBlockTimestamp() + DELAY, "unlockAt");
        assertEq(pool.totalHeld(), 90 * UNIT, "still held until withdrawn");
        assertEq(market.balanceOf(address(pool)), 90 * UNIT, "pool ledger balance");
        assertEq(market.balanceOf(beneficiary), 10 * UNIT, "beneficiary credited");
    }

    function test_slash_belowTheMinimum_removesTheWeightFromNowOn() public {
        _bond(alice, 100 * UNIT);
        _bond(bob, 300 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        pool.lock(alice, 10 * UNIT);
        pool.slash(alice, 10 * UNIT, beneficiary);
        assertEq(pool.weightAt(alice, vm.getBlockNumber()), 0, "weight now");
        assertEq(pool.weightAt(alice, vm.getBlockNumber() - 1), 100 * UNIT, "weight at the earlier block");
        assertEq(pool.totalWeight(), 300 * UNIT, "total weight");
    }

    function test_slash_belowTheMinimum_emitsAWithdrawalRequest() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 10 * UNIT);
        vm.expectEmit(address(pool));
        emit IVerifierPool.WithdrawalRequested(alice, 90 * UNIT, 0, vm.getBlockTimestamp() + DELAY);
        pool.slash(alice, 10 * UNIT, beneficiary);
    }

    /// @dev The old unlock time stays if it is later (the delay was shortened meanwhile);
    /// otherwise the rest waits the full delay from now, the earlier pending part included.
    function testFuzz_slash_belowTheMinimum_unlocksAtTheLaterOfTheOldUnlockAndTheDelay(
        uint256 elapsed,
        uint32 maxDispute
    ) public {
        _bond(alice, 200 * UNIT);
        vm.prank(alice);
        pool.requestWithdrawal(50 * UNIT);
        uint256 oldUnlockAt = pool.memberOf(alice).unlockAt;
        vm.warp(vm.getBlockTimestamp() + bound(elapsed, 0, 30 days));
        market.setMaxDisputeDuration(uint32(bound(maxDispute, 1 hours, 30 days)));
        uint256 fresh = vm.getBlockTimestamp() + pool.withdrawalDelay();
        pool.lock(alice, 60 * UNIT);
        pool.slash(alice, 60 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.pending, 140 * UNIT, "the earlier request and the rest");
        assertEq(m.unlockAt, fresh > oldUnlockAt ? fresh : oldUnlockAt, "unlockAt");
    }

    function test_slash_belowTheMinimum_leavesTheRemainingLockOnPending() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 30 * UNIT);
        pool.slash(alice, 10 * UNIT, beneficiary);
        pool.slash(alice, 20 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.pending, 70 * UNIT, "the second slash came out of pending");
        assertEq(m.locked, 0, "locked");
        assertEq(market.balanceOf(beneficiary), 30 * UNIT, "beneficiary credited twice");
        assertEq(pool.totalHeld(), 70 * UNIT, "totalHeld");
    }

    function test_slash_toExactlyTheMinimum_keepsTheBond() public {
        _bond(alice, 110 * UNIT);
        pool.lock(alice, 10 * UNIT);
        pool.slash(alice, 10 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.bonded, 100 * UNIT, "bonded");
        assertEq(m.pending, 0, "nothing pending");
        assertEq(m.unlockAt, 0, "no withdrawal");
        assertEq(pool.weightAt(alice, vm.getBlockNumber()), 100 * UNIT, "weight");
    }

    function test_slash_ofTheWholeBond_leavesNothingPending() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 100 * UNIT);
        pool.slash(alice, 100 * UNIT, beneficiary);
        IVerifierPool.Member memory m = pool.memberOf(alice);
        assertEq(m.bonded, 0, "bonded");
        assertEq(m.pending, 0, "nothing pending");
        assertEq(m.unlockAt, 0, "no withdrawal");
        assertEq(pool.totalWeight(), 0, "no weight");
    }

    /// @dev Alice's bond (any size from the minimum to 3x) is slashed to leave 1 wei to
    /// minimum - 1: no draw at that block or any later one seats her; Bob takes every seat.
    function testFuzz_slash_belowTheMinimum_isNeverDrawnAfter(
        uint256 seed,
        uint256 bonded,
        uint256 slashed,
        uint256 seats,
        uint256 later
    ) public {
        bonded = bound(bonded, MIN_STAKE, 3 * MIN_STAKE);
        slashed = bound(slashed, bonded - MIN_STAKE + 1, bonded - 1);
        seats = bound(seats, 1, 31);
        later = bound(later, 1, 50);
        _bond(alice, bonded);
        _bond(bob, 300 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        uint48 before = uint48(vm.getBlockNumber() - 1);
        pool.lock(alice, slashed);
        pool.slash(alice, slashed, beneficiary);
        uint48 slashBlock = uint48(vm.getBlockNumber());
        vm.roll(vm.getBlockNumber() + later);
        assertEq(pool.weightAt(alice, before), bonded, "alice had weight before the slash");
        // The slash's own block and the last block that has ended.
        uint48[2] memory snapshots = [slashBlock, uint48(vm.getBlockNumber() - 1)];
        for (uint256 k; k < 2; ++k) {
            (address[] memory verifiers, uint8[] memory votes) = pool.draw(
                snapshots[k], keccak256(abi.encode(seed, k)), seats, [address(0), address(0), address(0)]
            );
            assertEq(verifiers.length, 1, "one verifier");
            assertEq(verifiers[0], bob, "only bob is drawn");
            assertEq(votes[0], seats, "bob holds every seat");
        }
    }

    // ------------------------------------------------------------------ drawAndLock, release

    function test_drawAndLock_keepsOnlyTheSeatsAFreeBondCoversInFull() public {
        _bond(alice, 100 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        // Alice is the only eligible verifier: she draws all 5 seats, her bond covers 3 at 30.
        (address[] memory verifiers, uint8[] memory votes) = pool.drawAndLock(
            uint48(vm.getBlockNumber() - 1), keccak256("seed"), 5, [bob, address(0), address(0)], 30 * UNIT
        );
        assertEq(verifiers.length, 1, "one verifier");
        assertEq(verifiers[0], alice, "alice");
        assertEq(votes[0], 3, "the seats her bond covers");
        assertEq(pool.memberOf(alice).locked, 90 * UNIT, "locked per covered seat only");
    }

    function test_drawAndLock_leavesOutAVerifierWithNothingFree() public {
        _bond(alice, 100 * UNIT);
        _bond(bob, 300 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        pool.lock(alice, 100 * UNIT);
        (address[] memory verifiers,) = pool.drawAndLock(
            uint48(vm.getBlockNumber() - 1), keccak256("seed"), 5, [bob, address(0), address(0)], 10 * UNIT
        );
        assertEq(verifiers.length, 0, "nobody seated");
        assertEq(pool.memberOf(alice).locked, 100 * UNIT, "nothing more locked");
    }

    function test_drawAndLock_revertsForAZeroLock() public {
        _bond(alice, 100 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        vm.expectRevert(IVerifierPool.PoolZeroAmount.selector);
        pool.drawAndLock(uint48(vm.getBlockNumber() - 1), keccak256("seed"), 3, [bob, address(0), address(0)], 0);
    }

    function test_release_unlocksAndSlashesInOneTransfer() public {
        _bond(alice, 200 * UNIT);
        _bond(bob, 300 * UNIT);
        pool.lock(alice, 30 * UNIT);
        pool.lock(bob, 30 * UNIT);
        IVerifierPool.Release[] memory releases = new IVerifierPool.Release[](2);
        releases[0] = IVerifierPool.Release(alice, uint96(20 * UNIT), uint96(10 * UNIT));
        releases[1] = IVerifierPool.Release(bob, uint96(30 * UNIT), 0);
        pool.release(releases, beneficiary);
        assertEq(pool.memberOf(alice).locked, 0, "alice released");
        assertEq(pool.memberOf(alice).bonded, 190 * UNIT, "alice slashed");
        assertEq(pool.memberOf(bob).locked, 0, "bob released");
        assertEq(pool.memberOf(bob).bonded, 300 * UNIT, "bob untouched");
        assertEq(market.balanceOf(beneficiary), 10 * UNIT, "beneficiary credited");
        assertEq(pool.totalHeld(), 490 * UNIT, "totalHeld");
        assertEq(market.balanceOf(address(pool)), pool.totalHeld(), "pool ledger balance");
    }

    function test_release_revertsBeyondTheLock() public {
        _bond(alice, 100 * UNIT);
        pool.lock(alice, 30 * UNIT);
        IVerifierPool.Release[] memory releases = new IVerifierPool.Release[](1);
        releases[0] = IVerifierPool.Release(alice, uint96(25 * UNIT), uint96(10 * UNIT));
        vm.expectRevert(
            abi.encodeWithSelector(IVerifierPool.PoolInsufficientLocked.selector, alice, 5 * UNIT, 10 * UNIT)
        );
        pool.release(releases, beneficiary);
    }

    // ------------------------------------------------------------------ surplus

    function test_sweepSurplus_sendsStrayDepositsToTheTreasury() public {
        _bond(alice, 100 * UNIT);
        vm.startPrank(bob);
        token.approve(address(market), 7 * UNIT);
        market.deposit(address(pool), 7 * UNIT);
        vm.stopPrank();
        pool.sweepSurplus();
        assertEq(market.balanceOf(treasury), 7 * UNIT, "treasury credited");
        assertEq(market.balanceOf(address(pool)), pool.totalHeld(), "pool ledger balance");
    }

    function test_sweepSurplus_revertsIfNothingIsStray() public {
        _bond(alice, 100 * UNIT);
        vm.expectRevert(IVerifierPool.PoolZeroAmount.selector);
        pool.sweepSurplus();
    }

    // ------------------------------------------------------------------ draw

    function test_draw_isEmptyIfOnlyExcludedPartiesHaveWeight() public {
        _bond(alice, 100 * UNIT);
        _bond(bob, 300 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        (address[] memory verifiers, uint8[] memory votes) =
            pool.draw(uint48(vm.getBlockNumber() - 1), keccak256("seed"), 5, [alice, bob, address(0)]);
        assertEq(verifiers.length, 0, "no verifiers");
        assertEq(votes.length, 0, "no votes");
    }

    function test_draw_isEmptyBeforeAnyBond() public {
        _bond(alice, 100 * UNIT);
        (address[] memory verifiers,) =
            pool.draw(uint48(vm.getBlockNumber() - 1), keccak256("seed"), 5, [address(0), address(0), address(0)]);
        assertEq(verifiers.length, 0, "no verifiers");
    }

    function test_draw_removesARepeatedExclusionOnce() public {
        _bond(alice, 100 * UNIT);
        _bond(bob, 300 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        // Alice twice (a requester challenging its own job): only Bob is left, with every seat.
        (address[] memory verifiers, uint8[] memory votes) =
            pool.draw(uint48(vm.getBlockNumber() - 1), keccak256("seed"), 7, [alice, alice, address(0)]);
        assertEq(verifiers.length, 1, "one verifier");
        assertEq(verifiers[0], bob, "bob");
        assertEq(votes[0], 7, "every seat");
    }

    function testFuzz_draw_neverSeatsAnExcludedParty(uint256 seed, uint256 n, uint256 seats, uint256 pickSeed)
        public
    {
        n = bound(n, 1, 12);
        seats = bound(seats, 1, 31);
        _bondMembers(n, seed);
        uint48 snapshot = uint48(vm.getBlockNumber());
        vm.roll(vm.getBlockNumber() + 1);
        address[3] memory excluded = _excluded(n, pickSeed);
        (address[] memory verifiers,) = pool.draw(snapshot, bytes32(seed), seats, excluded);
        for (uint256 i; i < verifiers.length; ++i) {
            for (uint256 k; k < 3; ++k) assertTrue(verifiers[i] != excluded[k], "an excluded party was seated");
            assertGe(pool.weightAt(verifiers[i], snapshot), 1, "seated without weight");
        }
    }

    function testFuzz_draw_fillsEverySeatWheneverEligibleWeightExists(
        uint256 seed,
        uint256 n,
        uint256 seats,
        uint256 pickSeed
    ) public {
        n = bound(n, 1, 12);
        seats = bound(seats, 1, 31);
        _bondMembers(n, seed);
        uint48 snapshot = uint48(vm.getBlockNumber());
        vm.roll(vm.getBlockNumber() + 1);
        address[3] memory excluded = _excluded(n, pickSeed);
        uint256 eligible = pool.totalWeightAt(snapshot);
        for (uint256 k; k < 3; ++k) {
            if (k > 0 && (excluded[k] == excluded[0] || (k == 2 && excluded[2] == excluded[1]))) continue;
            eligible -= pool.weightAt(excluded[k], snapshot);
        }
        (address[] memory verifiers, uint8[] memory votes) = pool.draw(snapshot, bytes32(seed), seats, excluded);
        assertEq(verifiers.length, votes.length, "one vote count per verifier");
        if (eligible == 0) {
            assertEq(verifiers.length, 0, "empty without eligible weight");
            return;
        }
        uint256 total;
        for (uint256 i; i < verifiers.length; ++i) {
            assertGe(votes[i], 1, "a listed verifier holds a seat");
            for (uint256 j; j < i; ++j) assertTrue(verifiers[i] != verifiers[j], "listed twice");
            total += votes[i];
        }
        assertEq(total, seats, "votes vs seats");
    }

    /// @dev Members bond in order in one block, so leaf order is bond order: seat i goes to the
    /// member whose cumulative range (excluded members left out) holds keccak256(seed, i) mod the
    /// eligible weight.
    function testFuzz_draw_seatsTheMemberWhoseRangeHoldsTheSeatsValue(
        uint256 seed,
        uint256 n,
        uint256 seats,
        uint256 pickSeed
    ) public {
        n = bound(n, 1, 12);
        seats = bound(seats, 1, 31);
        uint256[] memory bonds = _bondMembers(n, seed);
        uint48 snapshot = uint48(vm.getBlockNumber());
        vm.roll(vm.getBlockNumber() + 1);
        address[3] memory excluded = _excluded(n, pickSeed);
        uint256 eligible;
        for (uint256 i; i < n; ++i) {
            if (_isExcluded(_verifier(i), excluded)) bonds[i] = 0;
            eligible += bonds[i];
        }
        (address[] memory verifiers, uint8[] memory votes) = pool.draw(snapshot, bytes32(seed), seats, excluded);
        if (eligible == 0) return;
        uint256[] memory expected = new uint256[](n);
        for (uint256 s; s < seats; ++s) {
            uint256 r = uint256(keccak256(abi.encode(bytes32(seed), s))) % eligible;
            uint256 i;
            while (r >= bonds[i]) r -= bonds[i++];
            expected[i]++;
        }
        for (uint256 i; i < n; ++i) assertEq(_votesOf(_verifier(i), verifiers, votes), expected[i], "seats of a member");
    }

    function testFuzz_draw_unchangedByBondsAndMembersAfterTheSnapshot(
        uint256 seed,
        uint256 n,
        uint256 seats,
        uint256 pickSeed
    ) public {
        n = bound(n, 1, 8);
        seats = bound(seats, 1, 31);
        _bondMembers(n, seed);
        uint48 snapshot = uint48(vm.getBlockNumber());
        vm.roll(vm.getBlockNumber() + 1);
        address[3] memory excluded = _excluded(n, pickSeed);
        (address[] memory before, uint8[] memory votesBefore) = pool.draw(snapshot, bytes32(seed), seats, excluded);
        // Later blocks: new members, top-ups, withdrawals (partial and full), a slash.
        for (uint256 i = n; i < n + 4; ++i) {
            _fundVerifier(_verifier(i));
            _bond(_verifier(i), 100 * UNIT + uint256(keccak256(abi.encode(seed, i))) % (5_000 * UNIT));
        }
        _bond(_verifier(0), 777 * UNIT);
        vm.roll(vm.getBlockNumber() + 1);
        if (n > 1) {
            uint256 all = pool.memberOf(_verifier(1)).bonded;
            vm.prank(_verifier(1));
            pool.requestWithdrawal(all);
        }
        pool.lock(_verifier(0), 10 * UNIT);
        pool.slash(_verifier(0), 10 * UNIT, beneficiary);
        vm.roll(vm.getBlockNumber() + 3);
        (address[] memory afterward, uint8[] memory votesAfter) = pool.draw(snapshot, bytes32(seed), seats, excluded);
        assertEq(afterward.length, before.length, "members");
        for (uint256 i; i < before.length; ++i) {
            assertEq(afterward[i], before[i], "verifier");
            assertEq(votesAfter[i], votesBefore[i], "votes");
        }
    }

    // ------------------------------------------------------------------ helpers

    function _fundVerifier(address v) private {
        token.mint(v, 1e24);
        vm.prank(v);
        token.approve(address(pool), type(uint256).max);
    }

    function _bond(address v, uint256 amount) private {
        vm.prank(v);
        pool.bond(amount);
    }

    function _verifier(uint256 i) private pure returns (address) {
        return address(uint160(0xC000 + i));
    }

    /// @dev Bonds `n` members (100 to 10,000 tokens each) in this block, in index order.
    function _bondMembers(uint256 n, uint256 seed) private returns (uint256[] memory bonds) {
        bonds = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            bonds[i] = MIN_STAKE + uint256(keccak256(abi.encode(seed, "bond", i))) % (9_900 * UNIT);
            _fundVerifier(_verifier(i));
            _bond(_verifier(i), bonds[i]);
        }
    }

    /// @dev Three parties, each a member, nobody (zero) or an outsider; repeats allowed.
    function _excluded(uint256 n, uint256 pickSeed) private pure returns (address[3] memory excluded) {
        for (uint256 k; k < 3; ++k) {
            uint256 x = uint256(keccak256(abi.encode(pickSeed, k))) % (n + 2);
            excluded[k] = x < n ? _verifier(x) : (x == n ? address(0) : address(0xDEAD));
        }
    }

    function _isExcluded(address v, address[3] memory excluded) private pure returns (bool) {
        return v == excluded[0] || v == excluded[1] || v == excluded[2];
    }

    function _votesOf(address v, address[] memory verifiers, uint8[] memory votes) private pure returns (uint256) {
        for (uint256 i; i < verifiers.length; ++i) {
            if (verifiers[i] == v) return votes[i];
        }
        return 0;
    }
}
