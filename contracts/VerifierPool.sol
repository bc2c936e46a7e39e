// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IHashworkMarket} from "./interfaces/IHashworkMarket.sol";
import {IVerifierPool} from "./interfaces/IVerifierPool.sol";
import {SortitionTree} from "./libraries/SortitionTree.sol";

/// @title VerifierPool
/// @notice The verifier bonds of one dispute module (see `IVerifierPool`). Created by that
/// module, which alone may lock, unlock and slash. Holds no tokens at rest: bonds sit in the
/// market's ledger under this contract's account.
contract VerifierPool is IVerifierPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SortitionTree for SortitionTree.Tree;

    IHashworkMarket private immutable _market;
    address private immutable _disputeModule;
    IERC20 private immutable _token;

    SortitionTree.Tree private _tree;
    /// @dev Later dispute modules that draw from this pool too (a module swap keeps the bonds).
    mapping(address module => bool) private _sharedWith;
    mapping(address verifier => Member) private _members;
    uint256 private _held;

    /// @dev Deployed by the dispute module it serves.
    constructor(IHashworkMarket market_) {
        if (address(market_) == address(0)) revert PoolZeroAddress();
        _market = market_;
        _disputeModule = msg.sender;
        _token = IERC20(market_.token());
        _token.forceApprove(address(market_), type(uint256).max);
    }

    modifier onlyDisputeModule() {
        if (msg.sender != _disputeModule && !_sharedWith[msg.sender]) revert PoolNotDisputeModule(msg.sender);
        _;
    }

    // ================================================================== verifiers

    /// @inheritdoc IVerifierPool
    function bond(uint256 amount) external nonReentrant {
        if (amount == 0) revert PoolZeroAmount();
        Member storage m = _members[msg.sender];
        uint256 bonded = m.bonded + amount;
        if (bonded > type(uint96).max) revert PoolBondTooLarge(bonded);
        _requireMinimum(msg.sender, bonded);
        m.bonded = uint96(bonded);
        _held += amount;
        _tree.set(msg.sender, bonded);
        emit Bonded(msg.sender, amount, bonded);
        // Interactions last: pull the tokens and park them in the market's ledger, which
        // refuses fee-on-transfer tokens (it pulls exactly `amount` from here).
        _token.safeTransferFrom(msg.sender, address(this), amount);
        _market.deposit(address(this), amount);
    }

    /// @inheritdoc IVerifierPool
    function requestWithdrawal(uint256 amount) external {
        if (amount == 0) revert PoolZeroAmount();
        Member storage m = _members[msg.sender];
        uint256 bonded = m.bonded;
        if (amount > bonded) revert PoolInsufficientBond(msg.sender, bonded, amount);
        uint256 rest = bonded - amount;
        if (rest != 0) _requireMinimum(msg.sender, rest);
        uint40 unlockAt = uint40(block.timestamp + withdrawalDelay());
        m.bonded = uint96(rest);
        // pending + bonded never exceeds what was bonded, which fits in uint96.
        m.pending += uint96(amount);
        m.unlockAt = unlockAt;
        _tree.set(msg.sender, rest);
        emit WithdrawalRequested(msg.sender, amount, rest, unlockAt);
    }

    /// @inheritdoc IVerifierPool
    function withdraw(address to) external nonReentrant {
        if (to == address(0)) revert PoolZeroAddress();
        Member memory m = _members[msg.sender];
        // Locks answer from the bond first, then from what is pending.
        uint256 lockedInPending = m.locked > m.bonded ? m.locked - m.bonded : 0;
        uint256 amount = m.pending - lockedInPending;
        if (amount == 0 || block.timestamp < m.unlockAt) revert PoolNothingToWithdraw(msg.sender, m.unlockAt);
        _members[msg.sender].pending = uint96(lockedInPending);
        _held -= amount;
        emit Withdrawn(msg.sender, to, amount);
        _market.withdraw(to, amount);
    }

    // ================================================================== dispute module

    /// @inheritdoc IVerifierPool
    function lock(address verifier, uint256 amount) external onlyDisputeModule returns (uint256 locked) {
        Member storage m = _members[verifier];
        uint256 available = _available(m, amount);
        locked = amount < available ? amount : available;
        if (locked != 0) _addLock(verifier, m, locked);
    }

    /// @inheritdoc IVerifierPool
    function drawAndLock(
        uint48 snapshotBlock,
        bytes32 seed,
        uint256 seats,
        address[3] calldata excluded,
        uint256 lockPerVote
    ) external onlyDisputeModule returns (address[] memory verifiers, uint8[] memory votes) {
        if (lockPerVote == 0) revert PoolZeroAmount();
        (verifiers, votes) = _draw(snapshotBlock, seed, seats, excluded);
        uint256 kept;
        for (uint256 i; i < verifiers.length; ++i) {
            address verifier = verifiers[i];
            Member storage m = _members[verifier];
            uint256 covered = votes[i];
            uint256 available = _available(m, covered * lockPerVote);
            if (available < covered * lockPerVote) covered = available / lockPerVote;
            if (covered == 0) continue;
            _addLock(verifier, m, covered * lockPerVote);
            verifiers[kept] = verifier;
            votes[kept] = uint8(covered);
            ++kept;
        }
        assembly ("memory-safe") {
            mstore(verifiers, kept)
            mstore(votes, kept)
        }
    }

    /// @inheritdoc IVerifierPool
    function unlock(address verifier, uint256 amount) external onlyDisputeModule {
        _unlock(verifier, _members[verifier], amount);
    }

    /// @inheritdoc IVerifierPool
    function slash(address verifier, uint256 amount, address beneficiary) external onlyDisputeModule {
        _slash(verifier, _members[verifier], amount, beneficiary);
        _held -= amount;
        _market.transferBalance(beneficiary, amount);
    }

    /// @inheritdoc IVerifierPool
    function release(Release[] calldata releases, address beneficiary) external onlyDisputeModule {
        uint256 slashed;
        for (uint256 i; i < releases.length; ++i) {
            Release calldata r = releases[i];
            Member storage m = _members[r.verifier];
            if (r.unlock != 0) _unlock(r.verifier, m, r.unlock);
            if (r.slash != 0) {
                _slash(r.verifier, m, r.slash, beneficiary);
                slashed += r.slash;
            }
        }
        if (slashed == 0) return;
        _held -= slashed;
        _market.transferBalance(beneficiary, slashed);
    }

    /// @inheritdoc IVerifierPool
    function addDisputeModule(address module) external onlyDisputeModule {
        if (module == address(0)) revert PoolZeroAddress();
        _sharedWith[module] = true;
        emit DisputeModuleAdded(msg.sender, module);
    }

    // ================================================================== permissionless

    /// @inheritdoc IVerifierPool
    function sweepSurplus() external nonReentrant {
        uint256 balance = _market.balanceOf(address(this));
        uint256 held = _held;
        if (balance <= held) revert PoolZeroAmount();
        address treasury = _market.treasury();
        emit SurplusSwept(treasury, balance - held);
        _market.transferBalance(treasury, balance - held);
    }

    // ================================================================== views

    /// @inheritdoc IVerifierPool
    function draw(uint48 snapshotBlock, bytes32 seed, uint256 seats, address[3] calldata excluded)
        external
        view
        returns (address[] memory verifiers, uint8[] memory votes)
    {
        return _draw(snapshotBlock, seed, seats, excluded);
    }

    /// @inheritdoc IVerifierPool
    function market() external view returns (address) {
        return address(_market);
    }

    /// @inheritdoc IVerifierPool
    function disputeModule() external view returns (address) {
        return _disputeModule;
    }

    /// @inheritdoc IVerifierPool
    function isDisputeModule(address module) external view returns (bool) {
        return module == _disputeModule || _sharedWith[module];
    }

    /// @inheritdoc IVerifierPool
    function memberOf(address verifier) external view returns (Member memory) {
        return _members[verifier];
    }

    /// @inheritdoc IVerifierPool
    function weightAt(address verifier, uint256 blockNumber) external view returns (uint256 weight) {
        (, weight) = _tree.leafAndWeightAt(verifier, uint48(blockNumber));
    }

    /// @inheritdoc IVerifierPool
    function totalWeightAt(uint256 blockNumber) external view returns (uint256) {
        return _tree.totalAt(uint48(blockNumber));
    }

    /// @inheritdoc IVerifierPool
    function totalWeight() external view returns (uint256) {
        return _tree.total();
    }

    /// @inheritdoc IVerifierPool
    function totalHeld() external view returns (uint256) {
        return _held;
    }

    /// @inheritdoc IVerifierPool
    function minimumBond() public view returns (uint256) {
        return _market.config().minStake;
    }

    /// @inheritdoc IVerifierPool
    function withdrawalDelay() public view returns (uint256) {
        uint256 unbonding = _market.config().unbondingPeriod;
        // A dispute draws from the pool as it stood before the result was submitted, which can
        // be a whole challenge window before it opens: a bond drawn then must still be here when
        // the dispute ends. The market's longest job lifetime covers that and never decreases.
        uint256 exposure = _market.longestJobLifetime();
        return unbonding > exposure ? unbonding : exposure;
    }

    // ================================================================== internal

    function _draw(uint48 snapshotBlock, bytes32 seed, uint256 seats, address[3] calldata excluded)
        private
        view
        returns (address[] memory verifiers, uint8[] memory votes)
    {
        uint256[] memory removedLeaves = new uint256[](3);
        uint256[] memory removedWeights = new uint256[](3);
        uint256 eligible = _tree.totalAt(snapshotBlock);
        for (uint256 i; i < 3; ++i) {
            // The same party twice (a requester challenging its own job) is removed once.
            if (excluded[i] == address(0) || _repeats(excluded, i)) continue;
            (removedLeaves[i], removedWeights[i]) = _tree.leafAndWeightAt(excluded[i], snapshotBlock);
            eligible -= removedWeights[i];
        }
        verifiers = new address[](seats);
        votes = new uint8[](seats);
        if (eligible == 0) {
            assembly ("memory-safe") {
                mstore(verifiers, 0)
                mstore(votes, 0)
            }
            return (verifiers, votes);
        }
        uint256 distinct;
        for (uint256 s; s < seats; ++s) {
            uint256 r = uint256(keccak256(abi.encode(seed, s))) % eligible;
            address v = _tree.pick(snapshotBlock, r, removedLeaves, removedWeights);
            uint256 j;
            while (j < distinct && verifiers[j] != v) ++j;
            if (j == distinct) verifiers[distinct++] = v;
            ++votes[j];
        }
        assembly ("memory-safe") {
            mstore(verifiers, distinct)
            mstore(votes, distinct)
        }
    }


    /// @dev What `verifier` can still lock. The pending withdrawal (another slot) is read only
    /// when the free bond alone falls short of `wanted`.
    function _available(Member storage m, uint256 wanted) private view returns (uint256 available) {
        uint256 bonded = m.bonded;
        uint256 alreadyLocked = m.locked;
        available = bonded > alreadyLocked ? bonded - alreadyLocked : 0;
        if (available < wanted) available = bonded + m.pending - alreadyLocked;
    }

    function _addLock(address verifier, Member storage m, uint256 amount) private {
        uint96 locked = m.locked + uint96(amount);
        m.locked = locked;
        emit BondLocked(verifier, amount, locked);
    }

    function _unlock(address verifier, Member storage m, uint256 amount) private {
        uint96 locked = m.locked;
        _requireLocked(verifier, locked, amount);
        locked -= uint96(amount);
        m.locked = locked;
        emit BondUnlocked(verifier, amount, locked);
    }

    /// @dev Takes `amount` out of the lock and the bond (or, past the bond, the pending
    /// withdrawal); the caller moves the tokens. A bond left below the minimum stops being drawn:
    /// what is left waits as a withdrawal, still answering for the duties it holds.
    function _slash(address verifier, Member storage m, uint256 amount, address beneficiary) private {
        _requireLocked(verifier, m.locked, amount);
        m.locked -= uint96(amount);
        uint256 bonded = m.bonded;
        if (amount <= bonded) {
            bonded -= amount;
            if (bonded != 0 && bonded < minimumBond()) {
                uint40 unlockAt = uint40(block.timestamp + withdrawalDelay());
                if (unlockAt > m.unlockAt) m.unlockAt = unlockAt;
                m.pending += uint96(bonded);
                emit WithdrawalRequested(verifier, bonded, 0, m.unlockAt);
                bonded = 0;
            }
            m.bonded = uint96(bonded);
            _tree.set(verifier, bonded);
        } else {
            // The rest of the lock was answering from the pending withdrawal.
            m.pending -= uint96(amount - bonded);
            if (bonded != 0) {
                bonded = 0;
                m.bonded = 0;
                _tree.set(verifier, 0);
            }
        }
        emit BondSlashed(verifier, beneficiary, amount, bonded);
    }

    function _requireMinimum(address verifier, uint256 bonded) private view {
        uint256 minimum = minimumBond();
        if (bonded < minimum) revert PoolBelowMinimumBond(verifier, bonded, minimum);
    }

    function _requireLocked(address verifier, uint256 locked, uint256 amount) private pure {
        if (amount > locked) revert PoolInsufficientLocked(verifier, locked, amount);
    }

    function _repeats(address[3] calldata list, uint256 i) private pure returns (bool) {
        for (uint256 j; j < i; ++j) {
            if (list[j] == list[i]) return true;
        }
        return false;
    }
}
