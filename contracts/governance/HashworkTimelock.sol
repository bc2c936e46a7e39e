// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IHashworkTimelock} from "./IHashworkTimelock.sol";

/// @title HashworkTimelock
/// @notice OpenZeppelin's `TimelockController` with a floor on its delay computed from the
/// market's own bounds (`minDelayBound`). The constructor and `updateDelay` refuse a shorter
/// delay; `getMinDelay` never reports less than the bound, so a later governance change that
/// lengthens the market's periods lengthens every later delay with it.
contract HashworkTimelock is IHashworkTimelock, TimelockController {
    IMarketGovernance private immutable _market;

    /// @notice Deploys the timelock for `market_`, refusing a delay below the market's bound.
    /// @param market_ The market whose bounds set the floor.
    /// @param minDelay The initial delay, in seconds; at least `minDelayBound()`.
    /// @param proposers Accounts given PROPOSER_ROLE and CANCELLER_ROLE (the governor).
    /// @param executors Accounts given EXECUTOR_ROLE (`address(0)`: anyone executes).
    /// @param admin An optional admin for the initial wiring, to be renounced (`address(0)`: none).
    constructor(
        IMarketGovernance market_,
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {
        _market = market_;
        _requireAtLeastBound(minDelay);
    }

    // ------------------------------------------------------------------ external

    /// @inheritdoc IHashworkTimelock
    function acceptOwnershipOf(address target) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Ownable2Step(target).acceptOwnership();
    }

    /// @notice Changes the delay; only through a timelocked operation, and never below the bound.
    /// @param newDelay The new delay, in seconds.
    function updateDelay(uint256 newDelay) public override {
        // Never down: lowering the market's bounds and the delay in one batch would otherwise
        // let a later change land before jobs posted under the old bounds have ended.
        uint256 floor = getMinDelay();
        if (newDelay < floor) revert HashworkTimelockDelayBelowBound(newDelay, floor);
        super.updateDelay(newDelay);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IHashworkTimelock
    function market() external view returns (IMarketGovernance) {
        return _market;
    }

    /// @inheritdoc IHashworkTimelock
    function minDelayBound() public view returns (uint256) {
        // The longest job lifetime never decreases, so lowering bounds cannot lower this floor.
        return uint256(_market.config().unbondingPeriod) + _market.longestJobLifetime();
    }

    /// @notice The delay operations are scheduled with at least: the stored delay, or the bound if
    /// the market's periods have since grown past it.
    function getMinDelay() public view override returns (uint256) {
        return Math.max(super.getMinDelay(), minDelayBound());
    }

    // ------------------------------------------------------------------ internal

    function _requireAtLeastBound(uint256 delay) private view {
        uint256 bound = minDelayBound();
        if (delay < bound) revert HashworkTimelockDelayBelowBound(delay, bound);
    }
}
