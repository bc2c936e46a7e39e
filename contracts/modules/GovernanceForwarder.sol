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

    function setFeeBps(uint16) external override {
        _forward();
    }

    function setAuditReserveBps(uint16) external override {
        _forward();
    }

    function setJobValueBounds(uint96, uint16, uint16) external override {
        _forward();
    }

    function setMinStake(uint96) external override {
        _forward();
    }

    function setUnbondingPeriod(uint32) external override {
        _forward();
    }

    function setMaxClaimDelay(uint24) external override {
        _forward();
    }

    function setExecutionTimeBounds(uint24, uint24) external override {
        _forward();
    }

    function setChallengeWindowBounds(uint24, uint24) external override {
        _forward();
    }

    function setMaxDisputeDuration(uint32) external override {
        _forward();
    }

    function setTreasury(address) external override {
        _forward();
    }

    function setDisputeModule(address) external override {
        _forward();
    }

    function setGuardian(address) external override {
        _forward();
    }

    function pause() external override {
        _forward();
    }

    function unpause() external override {
        _forward();
    }

    function withdrawFees() external override {
        _forward();
    }

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
