// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork verifier pool: the bonds dispute committees are drawn from.
/// @notice Verifiers bond tokens here, apart from any provider stake, so that claiming jobs can
/// never change a verifier's weight and no one can shrink an honest verifier's chances by feeding
/// it jobs. Weights are checkpointed per block: a committee is drawn from the pool exactly as it
/// stood at the end of the block in which its dispute opened, before the seed could be known, so
/// bonds, withdrawals and new members after that block cannot change the draw. Draws are exact
/// stake-weighted sampling with replacement (a sum tree, no rejection sampling and no weight
/// cap): splitting a bond across accounts gains nothing, and a draw fills every seat whenever any
/// eligible weight exists. Bonds sit in the market's ledger under this contract's account.
interface IVerifierPool {
    /// @notice A verifier's bond. `bonded` is its weight; `pending` is on its way out but still
    /// answers for duties; `locked` (<= bonded + pending) answers for seats it holds now.
    struct Member {
        uint96 bonded;
        uint96 locked;
        uint40 unlockAt;
        uint96 pending;
    }

    /// @notice One verifier's part of a seat settlement (`release`): `unlock` goes back to its
    /// free bond, `slash` goes to the beneficiary.
    struct Release {
        address verifier;
        uint96 unlock;
        uint96 slash;
    }

    /// @notice Zero amount.
    error PoolZeroAmount();
    /// @notice Zero address.
    error PoolZeroAddress();
    /// @notice A bond left in the pool must be zero or at least the market's minimum stake.
    error PoolBelowMinimumBond(address verifier, uint256 bonded, uint256 minimum);
    /// @notice More than is bonded was asked for.
    error PoolInsufficientBond(address verifier, uint256 bonded, uint256 requested);
    /// @notice Nothing can be withdrawn yet (or at all).
    error PoolNothingToWithdraw(address verifier, uint256 unlockAt);
    /// @notice Only the dispute module that created this pool may lock, unlock or slash.
    error PoolNotDisputeModule(address caller);
    /// @notice Less is locked than the unlock or slash asks for.
    error PoolInsufficientLocked(address verifier, uint256 locked, uint256 requested);
    /// @notice Bonds are capped at `type(uint96).max` per verifier.
    error PoolBondTooLarge(uint256 amount);

    /// @notice `verifier` bonded `amount` more; its weight is now `bonded`.
    /// @param verifier The verifier that bonded.
    /// @param amount Tokens added to its bond.
    /// @param bonded Its bond (weight) afterwards.
    event Bonded(address indexed verifier, uint256 amount, uint256 bonded);
    /// @notice `amount` left `verifier`'s weight and may be withdrawn from `unlockAt`.
    /// @param verifier The verifier withdrawing.
    /// @param amount Tokens taken out of its weight.
    /// @param bonded Its bond (weight) afterwards.
    /// @param unlockAt When the pending withdrawal can be paid out (unix seconds).
    event WithdrawalRequested(address indexed verifier, uint256 amount, uint256 bonded, uint256 unlockAt);
    /// @notice `amount` was paid out to `to`.
    /// @param verifier The verifier whose pending withdrawal was paid.
    /// @param to The recipient.
    /// @param amount Tokens paid.
    event Withdrawn(address indexed verifier, address indexed to, uint256 amount);
    /// @notice `amount` of `verifier`'s bond now answers for a committee seat.
    /// @param verifier The verifier drawn.
    /// @param amount Tokens newly locked.
    /// @param locked Its total lock afterwards.
    event BondLocked(address indexed verifier, uint256 amount, uint256 locked);
    /// @notice `amount` of `verifier`'s bond no longer answers for a seat.
    /// @param verifier The verifier released.
    /// @param amount Tokens unlocked.
    /// @param locked Its total lock afterwards.
    event BondUnlocked(address indexed verifier, uint256 amount, uint256 locked);
    /// @notice `amount` of `verifier`'s locked bond went to `beneficiary`'s market ledger balance.
    /// @param verifier The verifier slashed.
    /// @param beneficiary The account credited in the market's ledger.
    /// @param amount Tokens taken.
    /// @param bonded Its bond (weight) afterwards.
    event BondSlashed(address indexed verifier, address indexed beneficiary, uint256 amount, uint256 bonded);
    /// @notice Tokens someone deposited to this pool's ledger account that no bond owns went to `to`.
    /// @param to The recipient (the market's treasury).
    /// @param amount Tokens swept.
    event SurplusSwept(address indexed to, uint256 amount);
    /// @notice `module` may now lock, unlock and slash too (added by `by`, an allowed module).
    /// @param by The allowed module that added it.
    /// @param module The module now allowed to lock, unlock and slash.
    event DisputeModuleAdded(address indexed by, address indexed module);

    /// @notice Bond `amount` (pulled by allowance) as the caller's verifier weight. The resulting
    /// bond must be at least the market's minimum stake. Counts for disputes opened in later blocks.
    /// @param amount Tokens to bond, pulled from the caller by allowance.
    function bond(uint256 amount) external;

    /// @notice Take `amount` out of the caller's weight now; it stays answerable for duties and
    /// can be withdrawn after `withdrawalDelay()`. What stays bonded must be 0 or >= the minimum.
    /// @param amount Tokens to take out of the caller's weight.
    function requestWithdrawal(uint256 amount) external;

    /// @notice Pay the caller's unlocked pending withdrawal to `to` once its delay has passed.
    /// @param to The recipient of the caller's pending withdrawal.
    function withdraw(address to) external;

    /// @notice Dispute module only: lock up to `amount` of `verifier`'s bond (or pending) for a
    /// seat. Returns what was locked: less when the verifier has less left.
    /// @param verifier The verifier whose bond answers for the seat.
    /// @param amount Tokens to lock.
    /// @return locked Tokens actually locked (at most `amount`).
    function lock(address verifier, uint256 amount) external returns (uint256 locked);

    /// @notice Dispute module only: release `amount` of `verifier`'s lock.
    /// @param verifier The verifier whose lock is released.
    /// @param amount Tokens to unlock.
    function unlock(address verifier, uint256 amount) external;

    /// @notice Dispute module only: take `amount` of `verifier`'s lock and credit it to
    /// `beneficiary`'s ledger balance in the market. A bond left below the minimum stops being
    /// drawn: the rest moves to a pending withdrawal (`WithdrawalRequested`).
    /// @param verifier The verifier slashed.
    /// @param amount Tokens taken from its lock.
    /// @param beneficiary The account credited in the market's ledger.
    function slash(address verifier, uint256 amount, address beneficiary) external;

    /// @notice Dispute module only: `draw`, then lock `lockPerVote` per seat of every verifier
    /// drawn. A verifier whose free bond (or pending withdrawal) covers fewer seats than it drew
    /// keeps only the seats it covers in full, and one that covers none is left out, so no seat
    /// ever votes at no risk. Returns the verifiers kept and their seats; one `BondLocked` each.
    /// @param snapshotBlock The block whose end state the committee is drawn from.
    /// @param seed The randomness the seats are derived from.
    /// @param seats How many seats to draw.
    /// @param excluded Accounts never seated (the parties to the dispute).
    /// @param lockPerVote Tokens locked per seat held.
    /// @return verifiers The distinct verifiers kept.
    /// @return votes How many seats each holds.
    function drawAndLock(
        uint48 snapshotBlock,
        bytes32 seed,
        uint256 seats,
        address[3] calldata excluded,
        uint256 lockPerVote
    ) external returns (address[] memory verifiers, uint8[] memory votes);

    /// @notice Dispute module only: settle many seats at once, as `unlock` and `slash` would one
    /// by one (in that order for each entry), crediting everything slashed to `beneficiary` in one
    /// ledger transfer.
    /// @param releases One entry per verifier: what to unlock and what to slash.
    /// @param beneficiary The account credited with everything slashed.
    function release(Release[] calldata releases, address beneficiary) external;

    /// @notice Send ledger tokens this pool holds beyond every bond to the market's treasury.
    function sweepSurplus() external;

    /// @notice Draw `seats` seats with replacement, stake-weighted from the pool as it stood at the
    /// end of block `snapshotBlock`, never seating `excluded`. Seat i lands on the member whose
    /// range holds keccak256(seed, i) mod the eligible weight. Returns the distinct verifiers and
    /// how many seats each holds (empty when no eligible weight exists).
    /// @param snapshotBlock The block whose end state the seats are drawn from.
    /// @param seed The randomness the seats are derived from.
    /// @param seats How many seats to draw.
    /// @param excluded Accounts never seated.
    /// @return verifiers The distinct verifiers drawn.
    /// @return votes How many seats each holds.
    function draw(uint48 snapshotBlock, bytes32 seed, uint256 seats, address[3] calldata excluded)
        external
        view
        returns (address[] memory verifiers, uint8[] memory votes);

    /// @notice The market whose ledger holds the bonds.
    function market() external view returns (address);

    /// @notice The dispute module that created the pool (allowed to lock, unlock and slash).
    function disputeModule() external view returns (address);

    /// @notice Whether `module` may lock, unlock and slash: the creator or a module it (or
    /// another allowed module) added.
    /// @param module The address asked about.
    /// @return Whether it may lock, unlock and slash.
    function isDisputeModule(address module) external view returns (bool);

    /// @notice Let `module` lock, unlock and slash too: a new dispute module then draws from the
    /// same bonds, so a module swap never leaves it an empty pool. Allowed modules only.
    /// @param module The module to allow.
    function addDisputeModule(address module) external;

    /// @notice `verifier`'s bond record.
    /// @param verifier The verifier asked about.
    /// @return Its bond, lock, pending withdrawal and unlock time.
    function memberOf(address verifier) external view returns (Member memory);

    /// @notice `verifier`'s weight at the end of block `blockNumber` (a past or the current block).
    /// @param verifier The verifier asked about.
    /// @param blockNumber A past or the current block.
    /// @return Its weight at the end of that block.
    function weightAt(address verifier, uint256 blockNumber) external view returns (uint256);

    /// @notice All weights at the end of block `blockNumber`.
    /// @param blockNumber A past or the current block.
    /// @return The sum of all weights at the end of that block.
    function totalWeightAt(uint256 blockNumber) external view returns (uint256);

    /// @notice All weights now.
    function totalWeight() external view returns (uint256);

    /// @notice Tokens the pool owes its verifiers (bonded plus pending, every member).
    function totalHeld() external view returns (uint256);

    /// @notice The smallest bond a verifier may hold: the market's minimum stake.
    function minimumBond() external view returns (uint256);

    /// @notice How long a withdrawal waits: the longer of the market's unbonding period and its
    /// `longestJobLifetime()` (which never decreases). A dispute draws from the pool as it stood
    /// before the result was submitted, so a bond drawn then is still there when the dispute ends.
    function withdrawalDelay() external view returns (uint256);
}
