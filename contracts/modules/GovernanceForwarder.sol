// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MarketGovernance} from "./MarketGovernance.sol";

/// @title Forwards the market's cold governance functions to its `MarketAdmin`.
/// @notice Same selectors, arguments, events and errors as `MarketGovernance`; the bodies run in
/// `MarketAdmin`'s code by delegatecall, in the market's storage, with the caller's `msg.sender`
/// (so `onlyOwner`, the guardian and treasury checks and `nonReentrant` apply there unchanged).
/// The views stay in the market: they are cheap and a delegatecall cannot be made from a view.
abstract contract GovernanceForwarder is MarketGovernance {
    /// @dev The admin code (set once, by the market's constructor, which deploys it).
    address private immutable _admin;

    constructor(address admin) {
        _admin = admin;
    }

    /// @notice Where the governance functions' code lives.
    /// @return The `MarketAdmin` contract.
    function adminCode() external view returns (address) {
        return _admin;
    }

    /// @notice `IMarketGovernance.setFeeBps`, run in the admin code.
    function setFeeBps(uint16) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setAuditReserveBps`, run in the admin code.
    function setAuditReserveBps(uint16) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setJobValueBounds`, run in the admin code.
    function setJobValueBounds(uint96, uint16, uint16) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setMinStake`, run in the admin code.
    function setMinStake(uint96) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setUnbondingPeriod`, run in the admin code.
    function setUnbondingPeriod(uint32) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setMaxClaimDelay`, run in the admin code.
    function setMaxClaimDelay(uint24) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setExecutionTimeBounds`, run in the admin code.
    function setExecutionTimeBounds(uint24, uint24) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setChallengeWindowBounds`, run in the admin code.
    function setChallengeWindowBounds(uint24, uint24) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setMaxDisputeDuration`, run in the admin code.
    function setMaxDisputeDuration(uint32) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setTreasury`, run in the admin code.
    function setTreasury(address) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setDisputeModule`, run in the admin code.
    function setDisputeModule(address) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.setGuardian`, run in the admin code.
    function setGuardian(address) external override {
        _forward();
    }

    /// @notice `IMarketGovernance.pause`, run in the admin code.
    function pause() external override {
        _forward();
    }

    /// @notice `IMarketGovernance.unpause`, run in the admin code.
    function unpause() external override {
        _forward();
    }

    /// @notice `IMarketGovernance.withdrawFees`, run in the admin code.
    function withdrawFees() external override {
        _forward();
    }

    /// @notice `IMarketGovernance.sweepSurplus`, run in the admin code.
    function sweepSurplus() external override {
        _forward();
    }

    /// @dev Delegatecalls the admin with this call's data and returns or reverts with its answer.
    /// It ends the call, so it only uses memory past the free-memory pointer.
    function _forward() private {
        address admin = _admin;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), admin, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }
}
