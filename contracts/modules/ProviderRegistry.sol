// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {GovernanceForwarder} from "./GovernanceForwarder.sol";

/// @title Hashwork provider registry and stake.
/// @notice Provider identities, stake, unbonding and collateral locks. Lock, unlock and slash
/// are internal: only the market's own modules (and, through `IDisputeHooks`, the dispute
/// module) can reach them. Built on the governance forwarder (the market's storage prefix).
abstract contract ProviderRegistry is IProviderRegistry, GovernanceForwarder {
    uint256 private constant _MAX_ENDPOINT_LENGTH = 256;

    mapping(address provider => uint32) internal _providerIds;
    mapping(uint32 providerId => address) internal _providers;
    uint32 internal _providerCount;
    mapping(address provider => StakeInfo) internal _stakes;
    mapping(address provider => Unbonding) internal _unbonding;

    // ------------------------------------------------------------------ external

    /// @inheritdoc IProviderRegistry
    function registerProvider(string calldata endpoint, uint256 pricePerFuel, uint64 maxFuel) external {
        if (bytes(endpoint).length > _MAX_ENDPOINT_LENGTH || maxFuel == 0) revert RegistryInvalidProfile();
        _ensureRegistered(msg.sender);
        emit ProviderProfileUpdated(msg.sender, endpoint, pricePerFuel, maxFuel);
    }

    /// @inheritdoc IProviderRegistry
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        _tryPermit(amount, deadline, v, r, s);
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert VaultZeroAmount();
        StakeInfo storage s = _stakes[msg.sender];
        uint256 free = s.staked - s.locked;
        if (amount > free) revert RegistryInsufficientFreeStake(msg.sender, free, amount);
        // amount <= free <= staked: fits in uint96 and cannot underflow.
        s.staked -= uint96(amount);
        Unbonding storage u = _unbonding[msg.sender];
        uint40 unlockAt = uint40(block.timestamp + _stakeRules.unbondingPeriod);
        u.amount += uint96(amount);
        u.unlockAt = unlockAt;
        emit UnstakeRequested(msg.sender, amount, unlockAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdrawUnstaked(address to) external nonReentrant {
        if (to == address(0)) revert VaultZeroAddress();
        Unbonding memory u = _unbonding[msg.sender];
        if (u.amount == 0) revert RegistryNothingToWithdraw(msg.sender);
        if (block.timestamp < u.unlockAt) revert RegistryUnbondingNotElapsed(msg.sender, u.unlockAt);
        // Zero the amount but keep `unlockAt`: a non-zero slot makes the provider's next
        // requestUnstake a 5k rewrite instead of a 22k fresh write.
        _unbonding[msg.sender].amount = 0;
        emit UnstakeWithdrawn(msg.sender, to, u.amount);
        _pushOut(to, u.amount);
    }

    /// @inheritdoc IProviderRegistry
    function stakeOf(address provider) external view returns (StakeInfo memory) {
        return _stakes[provider];
    }

    /// @inheritdoc IProviderRegistry
    function unbondingOf(address provider) external view returns (Unbonding memory) {
        return _unbonding[provider];
    }

    /// @inheritdoc IProviderRegistry
    function freeStakeOf(address provider) external view returns (uint256) {
        StakeInfo memory s = _stakes[provider];
        return s.staked - s.locked;
    }

    /// @inheritdoc IProviderRegistry
    function providerIdOf(address provider) external view returns (uint32) {
        return _providerIds[provider];
    }

    /// @inheritdoc IProviderRegistry
    function providerById(uint32 providerId) external view returns (address) {
        return _providers[providerId];
    }

    /// @inheritdoc IProviderRegistry
    function providerCount() external view returns (uint32) {
        return _providerCount;
    }

    // ------------------------------------------------------------------ internal

    function _stake(uint256 amount) private {
        if (amount == 0) revert VaultZeroAmount();
        _ensureRegistered(msg.sender);
        _pullExact(msg.sender, amount);
        uint256 total = _addStake(msg.sender, amount);
        emit Staked(msg.sender, amount, total);
    }

    function _ensureRegistered(address provider) internal returns (uint32 id) {
        id = _providerIds[provider];
        if (id != 0) return id;
        if (_providerCount == type(uint32).max) revert RegistryFull();
        id = ++_providerCount;
        _providerIds[provider] = id;
        _providers[id] = provider;
        emit ProviderRegistered(provider, id);
    }

    /// @dev Adds to stake; returns the new total. Reverts past uint96 (callers that must not
    /// revert, like settlement, check `_stakeRoom` first).
    function _addStake(address provider, uint256 amount) internal returns (uint256 total) {
        StakeInfo storage s = _stakes[provider];
        total = s.staked + amount;
        if (total > type(uint96).max) revert RegistryStakeTooLarge(total);
        s.staked = uint96(total);
    }

    function _unlock(address provider, uint256 amount) internal {
        StakeInfo storage s = _stakes[provider];
        _requireLocked(provider, s.locked, amount);
        s.locked -= uint96(amount);
        emit StakeUnlocked(provider, amount, s.locked);
    }

    /// @dev Takes `amount` of locked stake and credits it to `beneficiary`'s ledger balance.
    /// Stake and locked shrink together, so free stake is untouched.
    function _slash(address provider, uint256 amount, address beneficiary) internal {
        StakeInfo storage s = _stakes[provider];
        _requireLocked(provider, s.locked, amount);
        // amount <= locked <= staked: both subtractions are safe.
        s.locked -= uint96(amount);
        s.staked -= uint96(amount);
        _credit(beneficiary, amount);
        emit StakeSlashed(provider, beneficiary, amount);
    }

    function _requireLocked(address provider, uint256 locked, uint256 amount) private pure {
        if (amount > locked) revert RegistryInsufficientLockedStake(provider, locked, amount);
    }
}
