// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {TokenVault} from "./TokenVault.sol";

/// @notice Owner-set parameters, each inside hard bounds written here, each change evented.
abstract contract MarketGovernance is IMarketGovernance, TokenVault, Ownable2Step {
    using SafeERC20 for IERC20;

    /// @notice Hard caps no owner can exceed.
    uint16 public constant MAX_FEE_BPS = 1_000; // 10%
    uint32 public constant MIN_UNBONDING_PERIOD = 1 hours;
    uint32 public constant MAX_UNBONDING_PERIOD = 90 days;
    uint24 public constant MIN_CLAIM_DELAY = 1 minutes;
    uint24 public constant MAX_CLAIM_DELAY = 90 days;
    uint24 public constant MAX_EXECUTION_TIME = 30 days;
    uint24 public constant MAX_CHALLENGE_WINDOW = 30 days;
    uint32 public constant MIN_DISPUTE_DURATION = 1 hours;
    uint32 public constant MAX_DISPUTE_DURATION = 180 days;

    /// @notice Share of every fee set aside for random audits when the market is deployed.
    uint16 public constant INITIAL_AUDIT_RESERVE_BPS = 5_000;

    /// @dev Fees accrue on every finalize, so the accumulators share a slot with the rates.
    /// `accrued` is the treasury's; `auditReserve` pays audits and nothing can withdraw it.
    struct FeeState {
        uint128 accrued;
        uint16 bps;
        uint96 auditReserve;
        uint16 auditReserveBps;
    }

    MarketConfig internal _config;
    FeeState internal _fees;
    address internal _treasury;
    address internal _disputeModule;
    uint32 internal _maxDisputeDuration;

    modifier onlyDisputeModule() {
        if (msg.sender != _disputeModule || msg.sender == address(0)) revert GovNotDisputeModule(msg.sender);
        _;
    }

    constructor(
        address owner_,
        address treasury_,
        MarketConfig memory config_,
        uint16 feeBps_,
        uint32 maxDisputeDuration_
    ) Ownable(owner_) {
        _setTreasury(treasury_);
        _setFeeBps(feeBps_);
        _setAuditReserveBps(INITIAL_AUDIT_RESERVE_BPS);
        _setMinStake(config_.minStake);
        _setUnbondingPeriod(config_.unbondingPeriod);
        _setMaxClaimDelay(config_.maxClaimDelay);
        _setExecutionTimeBounds(config_.minExecutionTime, config_.maxExecutionTime);
        _setChallengeWindowBounds(config_.minChallengeWindow, config_.maxChallengeWindow);
        _setMaxDisputeDuration(maxDisputeDuration_);
    }

    // ------------------------------------------------------------------ setters (owner)

    function setFeeBps(uint16 newFeeBps) external onlyOwner {
        _setFeeBps(newFeeBps);
    }

    function setAuditReserveBps(uint16 newBps) external onlyOwner {
        _setAuditReserveBps(newBps);
    }

    function setMinStake(uint96 newMinStake) external onlyOwner {
        _setMinStake(newMinStake);
    }

    function setUnbondingPeriod(uint32 newPeriod) external onlyOwner {
        _setUnbondingPeriod(newPeriod);
    }

    function setMaxClaimDelay(uint24 newDelay) external onlyOwner {
        _setMaxClaimDelay(newDelay);
    }

    function setExecutionTimeBounds(uint24 newMin, uint24 newMax) external onlyOwner {
        _setExecutionTimeBounds(newMin, newMax);
    }

    function setChallengeWindowBounds(uint24 newMin, uint24 newMax) external onlyOwner {
        _setChallengeWindowBounds(newMin, newMax);
    }

    function setMaxDisputeDuration(uint32 newDuration) external onlyOwner {
        _setMaxDisputeDuration(newDuration);
    }

    function setTreasury(address newTreasury) external onlyOwner {
        _setTreasury(newTreasury);
    }

    function setDisputeModule(address newModule) external onlyOwner {
        if (newModule == address(0)) revert GovZeroAddress();
        emit AddressChanged("disputeModule", _disputeModule, newModule);
        _disputeModule = newModule;
    }

    /// @notice Disabled: an ownerless market could be frozen by a pause forever.
    function renounceOwnership() public override onlyOwner {
        revert GovRenounceDisabled();
    }

    function pause() external onlyOwner {
        _config.paused = true;
        emit MarketPausedChanged(true, msg.sender);
    }

    function unpause() external onlyOwner {
        _config.paused = false;
        emit MarketPausedChanged(false, msg.sender);
    }

    // ------------------------------------------------------------------ treasury

    /// @inheritdoc IMarketGovernance
    function withdrawFees() external nonReentrant {
        if (msg.sender != _treasury) revert GovNotTreasury(msg.sender);
        uint256 amount = _fees.accrued;
        if (amount == 0) revert GovNothingToWithdraw();
        _fees.accrued = 0;
        emit FeesWithdrawn(_treasury, amount);
        _pushOut(_treasury, amount);
    }

    // ------------------------------------------------------------------ permissionless

    /// @inheritdoc IMarketGovernance
    function sweepSurplus() external nonReentrant {
        uint256 held = _token.balanceOf(address(this));
        if (held <= _totalOwed) revert GovNothingToWithdraw();
        uint256 surplus = held - _totalOwed;
        emit SurplusSwept(_treasury, surplus);
        // Surplus was never owed to anyone, so _totalOwed does not change.
        _token.safeTransfer(_treasury, surplus);
    }

    // ------------------------------------------------------------------ views

    function config() external view returns (MarketConfig memory) {
        return _config;
    }

    function feeBps() external view returns (uint16) {
        return _fees.bps;
    }

    function accruedFees() external view returns (uint256) {
        return _fees.accrued;
    }

    function auditReserve() external view returns (uint256) {
        return _fees.auditReserve;
    }

    function auditReserveBps() external view returns (uint16) {
        return _fees.auditReserveBps;
    }

    function treasury() external view returns (address) {
        return _treasury;
    }

    function disputeModule() external view returns (address) {
        return _disputeModule;
    }

    function maxDisputeDuration() external view returns (uint32) {
        return _maxDisputeDuration;
    }

    // ------------------------------------------------------------------ internal

    /// @dev Splits a job's fee between the audit reserve and the treasury's accrued fees, in
    /// the caller's in-memory copy (batches write the slot once).
    function _addFee(FeeState memory fees, uint256 fee) internal pure {
        uint256 reserved = (fee * fees.auditReserveBps) / 10_000;
        // Both stay <= totalOwed <= the token supply held here; checked all the same.
        fees.auditReserve += uint96(reserved);
        fees.accrued += uint128(fee - reserved);
    }

    function _setAuditReserveBps(uint16 v) private {
        _requireWithin("auditReserveBps", v, 0, 10_000);
        emit ParameterChanged("auditReserveBps", _fees.auditReserveBps, v);
        _fees.auditReserveBps = v;
    }

    function _setFeeBps(uint16 v) private {
        _requireWithin("feeBps", v, 0, MAX_FEE_BPS);
        emit ParameterChanged("feeBps", _fees.bps, v);
        _fees.bps = v;
    }

    function _setMinStake(uint96 v) private {
        _requireWithin("minStake", v, 1, type(uint96).max);
        emit ParameterChanged("minStake", _config.minStake, v);
        _config.minStake = v;
    }

    function _setUnbondingPeriod(uint32 v) private {
        _requireWithin("unbondingPeriod", v, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        emit ParameterChanged("unbondingPeriod", _config.unbondingPeriod, v);
        _config.unbondingPeriod = v;
    }

    function _setMaxClaimDelay(uint24 v) private {
        _requireWithin("maxClaimDelay", v, MIN_CLAIM_DELAY, MAX_CLAIM_DELAY);
        emit ParameterChanged("maxClaimDelay", _config.maxClaimDelay, v);
        _config.maxClaimDelay = v;
    }

    function _setExecutionTimeBounds(uint24 lo, uint24 hi) private {
        _requireWithin("minExecutionTime", lo, 1, MAX_EXECUTION_TIME);
        _requireWithin("maxExecutionTime", hi, lo, MAX_EXECUTION_TIME);
        emit ParameterChanged("minExecutionTime", _config.minExecutionTime, lo);
        emit ParameterChanged("maxExecutionTime", _config.maxExecutionTime, hi);
        _config.minExecutionTime = lo;
        _config.maxExecutionTime = hi;
    }

    function _setChallengeWindowBounds(uint24 lo, uint24 hi) private {
        _requireWithin("minChallengeWindow", lo, 1, MAX_CHALLENGE_WINDOW);
        _requireWithin("maxChallengeWindow", hi, lo, MAX_CHALLENGE_WINDOW);
        emit ParameterChanged("minChallengeWindow", _config.minChallengeWindow, lo);
        emit ParameterChanged("maxChallengeWindow", _config.maxChallengeWindow, hi);
        _config.minChallengeWindow = lo;
        _config.maxChallengeWindow = hi;
    }

    function _setMaxDisputeDuration(uint32 v) private {
        _requireWithin("maxDisputeDuration", v, MIN_DISPUTE_DURATION, MAX_DISPUTE_DURATION);
        emit ParameterChanged("maxDisputeDuration", _maxDisputeDuration, v);
        _maxDisputeDuration = v;
    }

    function _setTreasury(address v) private {
        if (v == address(0)) revert GovZeroAddress();
        emit AddressChanged("treasury", _treasury, v);
        _treasury = v;
    }

    function _requireWithin(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert GovValueOutOfBounds(parameter, value, min, max);
    }
}
