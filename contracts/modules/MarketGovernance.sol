// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {TokenVault} from "./TokenVault.sol";

/// @title The dispute module's bounds the market reads.
/// @notice What the market asks of a dispute module before shortening the dispute deadline.
interface IDisputeModuleBounds {
    /// @notice The shortest dispute the module can resolve (seconds).
    /// @return The duration.
    function minDisputeDuration() external view returns (uint256);
    /// @notice The bond a verifier locks per seat.
    /// @return The amount, in tokens.
    function verifierLock() external view returns (uint256);
}

/// @title Hashwork market governance.
/// @notice Owner-set parameters, each inside hard bounds written here, each change evented.
/// @dev The setters are virtual: the market's runtime code forwards them to a `MarketAdmin`
/// (this same code, deployed apart) by delegatecall, to keep the market under the size limit.
abstract contract MarketGovernance is IMarketGovernance, TokenVault, Ownable2Step {
    using SafeERC20 for IERC20;

    /// @notice Hard caps no owner can exceed.
    uint16 public constant MAX_FEE_BPS = 1_000; // 10%
    /// @notice The shortest unbonding period the owner may set.
    uint32 public constant MIN_UNBONDING_PERIOD = 1 hours;
    /// @notice The longest unbonding period the owner may set.
    uint32 public constant MAX_UNBONDING_PERIOD = 90 days;
    /// @notice The shortest claim delay the owner may set.
    uint24 public constant MIN_CLAIM_DELAY = 1 minutes;
    /// @notice The longest claim delay the owner may set.
    uint24 public constant MAX_CLAIM_DELAY = 90 days;
    /// @notice The longest execution time the owner may allow.
    uint24 public constant MAX_EXECUTION_TIME = 30 days;
    /// @notice The longest challenge window the owner may allow.
    uint24 public constant MAX_CHALLENGE_WINDOW = 30 days;
    /// @notice The shortest dispute duration the owner may set.
    uint32 public constant MIN_DISPUTE_DURATION = 1 hours;
    /// @notice The longest dispute duration the owner may set.
    uint32 public constant MAX_DISPUTE_DURATION = 180 days;
    /// @notice Collateral can never be switched off, nor demanded beyond 10x the reward.
    uint16 public constant MIN_COLLATERAL_PCT = 1;
    /// @notice The most collateral a job may demand, in percent of its reward.
    uint16 public constant MAX_COLLATERAL_PCT = 1_000;

    /// @notice Share of every fee set aside for random audits when the market is deployed.
    uint16 public constant INITIAL_AUDIT_RESERVE_BPS = 5_000;

    /// @dev Fees accrue on every finalize, so the accumulators share a slot with the rates.
    /// `accrued` is the treasury's; `auditReserve` pays audits and nothing can withdraw it.
    /// A fee change applies only to jobs posted after it: jobs whose record deadline (challenge end,
    /// or dispute deadline) falls before `changeDay` pay `previousBps`. Every job posted before the
    /// change has such a deadline, since `changeDay` is at least the longest job lifetime away.
    struct FeeState {
        uint96 accrued;
        uint16 bps;
        uint96 auditReserve;
        uint16 auditReserveBps;
        uint16 previousBps;
        /// Days since 1970 (rounded up) from which `bps` applies to every settling job.
        uint16 changeDay;
    }

    /// @dev What posting reads, in one slot.
    struct PostRules {
        bool paused;
        uint24 maxClaimDelay;
        uint24 minExecutionTime;
        uint24 maxExecutionTime;
        uint24 minChallengeWindow;
        uint24 maxChallengeWindow;
        uint16 minCollateralPct;
        uint16 maxCollateralPct;
        uint96 minReward;
    }

    /// @dev What claiming and unstaking read, in one slot (`paused` is kept in both).
    /// `feeRate` is a copy of `_fees`' rate (`_packFeeRate`, written together with it), so a
    /// fast-path call that releases no pay bucket prices its jobs without reading the fee slot.
    struct StakeRules {
        bool paused;
        uint96 minStake;
        uint32 unbondingPeriod;
        uint48 feeRate;
    }

    PostRules internal _postRules;
    StakeRules internal _stakeRules;
    FeeState internal _fees;
    address internal _treasury;
    address internal _disputeModule;
    uint32 internal _maxDisputeDuration;
    /// @dev The current module's number (1 for the first): a dispute's record keeps the number
    /// of the module that opened it, and `_disputeModules` maps it back.
    uint8 internal _disputeModuleNumber;
    mapping(uint256 number => address module) internal _disputeModules;
    /// @dev May pause new posts and claims (never unpause, never move funds): a fast brake while
    /// the owner (a timelock) takes days to act.
    address internal _guardian;
    /// @dev The longest life (claim delay + execution + challenge window + dispute) any job
    /// posted so far may have: the highest the bounds have ever allowed.
    uint32 internal _longestLifetime;

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
        _requireWithin("feeBps", feeBps_, 0, MAX_FEE_BPS);
        _fees.bps = feeBps_;
        _fees.previousBps = feeBps_;
        _stakeRules.feeRate = _packFeeRate(feeBps_, feeBps_, 0);
        _setAuditReserveBps(INITIAL_AUDIT_RESERVE_BPS);
        _setMinStake(config_.minStake);
        _setUnbondingPeriod(config_.unbondingPeriod);
        _setMaxClaimDelay(config_.maxClaimDelay);
        _setExecutionTimeBounds(config_.minExecutionTime, config_.maxExecutionTime);
        _setChallengeWindowBounds(config_.minChallengeWindow, config_.maxChallengeWindow);
        _setJobValueBounds(config_.minReward, config_.minCollateralPct, config_.maxCollateralPct);
        _setMaxDisputeDuration(maxDisputeDuration_);
    }

    // ------------------------------------------------------------------ setters (owner)

    /// @inheritdoc IMarketGovernance
    function setFeeBps(uint16 newFeeBps) external virtual onlyOwner {
        _setFeeBps(newFeeBps);
    }

    /// @inheritdoc IMarketGovernance
    function setAuditReserveBps(uint16 newBps) external virtual onlyOwner {
        _setAuditReserveBps(newBps);
    }

    /// @inheritdoc IMarketGovernance
    function setJobValueBounds(uint96 newMinReward, uint16 newMinCollateralPct, uint16 newMaxCollateralPct)
        external virtual
        onlyOwner
    {
        _setJobValueBounds(newMinReward, newMinCollateralPct, newMaxCollateralPct);
    }

    /// @inheritdoc IMarketGovernance
    function setMinStake(uint96 newMinStake) external virtual onlyOwner {
        _setMinStake(newMinStake);
    }

    /// @inheritdoc IMarketGovernance
    function setUnbondingPeriod(uint32 newPeriod) external virtual onlyOwner {
        _setUnbondingPeriod(newPeriod);
    }

    /// @inheritdoc IMarketGovernance
    function setMaxClaimDelay(uint24 newDelay) external virtual onlyOwner {
        _setMaxClaimDelay(newDelay);
    }

    /// @inheritdoc IMarketGovernance
    function setExecutionTimeBounds(uint24 newMin, uint24 newMax) external virtual onlyOwner {
        _setExecutionTimeBounds(newMin, newMax);
    }

    /// @inheritdoc IMarketGovernance
    function setChallengeWindowBounds(uint24 newMin, uint24 newMax) external virtual onlyOwner {
        _setChallengeWindowBounds(newMin, newMax);
    }

    /// @inheritdoc IMarketGovernance
    function setMaxDisputeDuration(uint32 newDuration) external virtual onlyOwner {
        _setMaxDisputeDuration(newDuration);
    }

    /// @inheritdoc IMarketGovernance
    function setTreasury(address newTreasury) external virtual onlyOwner {
        _setTreasury(newTreasury);
    }

    /// @inheritdoc IMarketGovernance
    function setDisputeModule(address newModule) external virtual onlyOwner {
        if (newModule == address(0)) revert GovZeroAddress();
        uint256 number = uint256(_disputeModuleNumber) + 1;
        // A job record has 8 bits for it: 255 modules over the market's life.
        _requireWithin("disputeModules", number, 1, type(uint8).max);
        // Its disputes must fit the deadline as it is now (it may have been lowered since the
        // module was deployed), or they could only end in a void.
        if (newModule.code.length != 0) {
            uint256 rounds = IDisputeModuleBounds(newModule).minDisputeDuration();
            _requireWithin("maxDisputeDuration", _maxDisputeDuration, rounds, MAX_DISPUTE_DURATION);
        }
        emit AddressChanged("disputeModule", _disputeModule, newModule);
        _disputeModule = newModule;
        _disputeModuleNumber = uint8(number);
        _disputeModules[number] = newModule;
    }

    /// @notice Disabled: an ownerless market could be frozen by a pause forever.
    function renounceOwnership() public override onlyOwner {
        revert GovRenounceDisabled();
    }

    /// @inheritdoc IMarketGovernance
    function setGuardian(address newGuardian) external virtual onlyOwner {
        emit AddressChanged("guardian", _guardian, newGuardian);
        _guardian = newGuardian;
    }

    /// @inheritdoc IMarketGovernance
    function pause() external virtual {
        if (msg.sender != owner() && msg.sender != _guardian) revert GovNotGuardian(msg.sender);
        _setPaused(true);
    }

    /// @inheritdoc IMarketGovernance
    function unpause() external virtual onlyOwner {
        _setPaused(false);
    }

    // ------------------------------------------------------------------ treasury

    /// @inheritdoc IMarketGovernance
    function withdrawFees() external virtual nonReentrant {
        if (msg.sender != _treasury) revert GovNotTreasury(msg.sender);
        uint256 amount = _fees.accrued;
        if (amount == 0) revert GovNothingToWithdraw();
        _fees.accrued = 0;
        emit FeesWithdrawn(_treasury, amount);
        _pushOut(_treasury, amount);
    }

    // ------------------------------------------------------------------ permissionless

    /// @inheritdoc IMarketGovernance
    function sweepSurplus() external virtual nonReentrant {
        uint256 held = _token.balanceOf(address(this));
        if (held <= _totalOwed) revert GovNothingToWithdraw();
        uint256 surplus = held - _totalOwed;
        emit SurplusSwept(_treasury, surplus);
        // Surplus was never owed to anyone, so _totalOwed does not change.
        _token.safeTransfer(_treasury, surplus);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMarketGovernance
    function config() external view returns (MarketConfig memory c) {
        PostRules memory p = _postRules;
        StakeRules memory k = _stakeRules;
        c = MarketConfig({
            paused: p.paused,
            minStake: k.minStake,
            unbondingPeriod: k.unbondingPeriod,
            maxClaimDelay: p.maxClaimDelay,
            minExecutionTime: p.minExecutionTime,
            maxExecutionTime: p.maxExecutionTime,
            minChallengeWindow: p.minChallengeWindow,
            maxChallengeWindow: p.maxChallengeWindow,
            minReward: p.minReward,
            minCollateralPct: p.minCollateralPct,
            maxCollateralPct: p.maxCollateralPct
        });
    }

    /// @inheritdoc IMarketGovernance
    function feeChange() external view returns (uint16 previousBps, uint256 effectiveAt) {
        return (_fees.previousBps, uint256(_fees.changeDay) * 1 days);
    }

    /// @inheritdoc IMarketGovernance
    function feeBps() external view returns (uint16) {
        return _fees.bps;
    }

    /// @inheritdoc IMarketGovernance
    function accruedFees() external view returns (uint256) {
        return _fees.accrued;
    }

    /// @inheritdoc IMarketGovernance
    function auditReserve() external view returns (uint256) {
        return _fees.auditReserve;
    }

    /// @inheritdoc IMarketGovernance
    function auditReserveBps() external view returns (uint16) {
        return _fees.auditReserveBps;
    }

    /// @inheritdoc IMarketGovernance
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IMarketGovernance
    function longestJobLifetime() external view returns (uint256) {
        return _longestLifetime;
    }

    /// @inheritdoc IMarketGovernance
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IMarketGovernance
    function disputeModule() external view returns (address) {
        return _disputeModule;
    }

    /// @inheritdoc IMarketGovernance
    function maxDisputeDuration() external view returns (uint32) {
        return _maxDisputeDuration;
    }

    // ------------------------------------------------------------------ internal

    /// @dev Splits a job's fee between the audit reserve and the treasury's accrued fees, in
    /// the caller's in-memory copy (batches write the slot once).
    function _addFee(FeeState memory fees, uint256 fee) internal pure {
        uint256 reserved = (fee * fees.auditReserveBps) / 10_000;
        fees.accrued += uint96(fee - reserved);
        _creditReserve(fees, reserved);
    }

    /// @dev Adds to the audit reserve, saturating at uint96: what does not fit goes to the
    /// treasury's accrued fees (which `withdrawFees` empties), so no settlement can ever revert
    /// for a full reserve.
    function _creditReserve(FeeState memory fees, uint256 amount) internal pure {
        uint256 room = type(uint96).max - fees.auditReserve;
        if (amount > room) {
            fees.accrued += uint96(amount - room);
            amount = room;
        }
        fees.auditReserve += uint96(amount);
    }

    /// @dev The fee rate of a job settling with record deadline `deadline` (see FeeState).
    function _feeBpsFor(FeeState memory fees, uint256 deadline) internal pure returns (uint256) {
        return deadline < uint256(fees.changeDay) * 1 days ? fees.previousBps : fees.bps;
    }

    /// @dev `_feeBpsFor` from a `_packFeeRate` word.
    function _feeBpsFor(uint256 rate, uint256 deadline) internal pure returns (uint256) {
        return deadline < uint256(uint16(rate >> 32)) * 1 days ? uint16(rate >> 16) : uint16(rate);
    }

    /// @dev A fee state's rate fields in one word: bps, previousBps << 16, changeDay << 32.
    function _packFeeRate(uint16 bps, uint16 previousBps, uint16 changeDay) internal pure returns (uint48) {
        return uint48(bps) | (uint48(previousBps) << 16) | (uint48(changeDay) << 32);
    }

    function _setAuditReserveBps(uint16 v) private {
        _requireWithin("auditReserveBps", v, 0, 10_000);
        emit ParameterChanged("auditReserveBps", _fees.auditReserveBps, v);
        _fees.auditReserveBps = v;
    }

    function _setFeeBps(uint16 v) private {
        _requireWithin("feeBps", v, 0, MAX_FEE_BPS);
        // One change at a time: jobs posted between two changes would otherwise be re-priced.
        _requireNoPendingFeeChange();
        FeeState memory f = _fees;
        uint256 lifetime = _longestLifetime;
        emit ParameterChanged("feeBps", f.bps, v);
        f.previousBps = f.bps;
        f.bps = v;
        f.changeDay = uint16((block.timestamp + lifetime + 1 days - 1) / 1 days);
        _fees = f;
        _stakeRules.feeRate = _packFeeRate(f.bps, f.previousBps, f.changeDay);
        emit FeeChangeScheduled(f.previousBps, v, uint256(f.changeDay) * 1 days);
    }

    function _setMinStake(uint96 v) private {
        // A verifier bond of the minimum must cover one seat's lock, or seats would risk nothing.
        uint256 min = 1;
        address module = _disputeModule;
        if (module != address(0)) {
            uint256 lock = IDisputeModuleBounds(module).verifierLock();
            if (lock > min) min = lock;
        }
        _requireWithin("minStake", v, min, type(uint96).max);
        emit ParameterChanged("minStake", _stakeRules.minStake, v);
        _stakeRules.minStake = v;
    }

    function _setUnbondingPeriod(uint32 v) private {
        _requireWithin("unbondingPeriod", v, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        emit ParameterChanged("unbondingPeriod", _stakeRules.unbondingPeriod, v);
        _stakeRules.unbondingPeriod = v;
    }

    function _setMaxClaimDelay(uint24 v) private {
        _requireWithin("maxClaimDelay", v, MIN_CLAIM_DELAY, MAX_CLAIM_DELAY);
        emit ParameterChanged("maxClaimDelay", _postRules.maxClaimDelay, v);
        _postRules.maxClaimDelay = v;
        _noteLifetime();
    }

    function _setExecutionTimeBounds(uint24 lo, uint24 hi) private {
        _requireWithin("minExecutionTime", lo, 1, MAX_EXECUTION_TIME);
        _requireWithin("maxExecutionTime", hi, lo, MAX_EXECUTION_TIME);
        emit ParameterChanged("minExecutionTime", _postRules.minExecutionTime, lo);
        emit ParameterChanged("maxExecutionTime", _postRules.maxExecutionTime, hi);
        _postRules.minExecutionTime = lo;
        _postRules.maxExecutionTime = hi;
        _noteLifetime();
    }

    function _setChallengeWindowBounds(uint24 lo, uint24 hi) private {
        _requireWithin("minChallengeWindow", lo, 1, MAX_CHALLENGE_WINDOW);
        _requireWithin("maxChallengeWindow", hi, lo, MAX_CHALLENGE_WINDOW);
        emit ParameterChanged("minChallengeWindow", _postRules.minChallengeWindow, lo);
        emit ParameterChanged("maxChallengeWindow", _postRules.maxChallengeWindow, hi);
        _postRules.minChallengeWindow = lo;
        _postRules.maxChallengeWindow = hi;
        _noteLifetime();
    }

    function _setJobValueBounds(uint96 minReward, uint16 minPct, uint16 maxPct) private {
        _requireWithin("minReward", minReward, 1, type(uint96).max);
        _requireWithin("minCollateralPct", minPct, MIN_COLLATERAL_PCT, MAX_COLLATERAL_PCT);
        _requireWithin("maxCollateralPct", maxPct, minPct, MAX_COLLATERAL_PCT);
        PostRules storage p = _postRules;
        emit ParameterChanged("minReward", p.minReward, minReward);
        emit ParameterChanged("minCollateralPct", p.minCollateralPct, minPct);
        emit ParameterChanged("maxCollateralPct", p.maxCollateralPct, maxPct);
        p.minReward = minReward;
        p.minCollateralPct = minPct;
        p.maxCollateralPct = maxPct;
    }

    function _setPaused(bool paused) private {
        _postRules.paused = paused;
        _stakeRules.paused = paused;
        emit MarketPausedChanged(paused, msg.sender);
    }

    function _setMaxDisputeDuration(uint32 v) private {
        uint256 min = MIN_DISPUTE_DURATION;
        // Every round of the module's disputes must fit, or disputes would be voided mid-vote.
        address module = _disputeModule;
        if (module != address(0)) {
            uint256 rounds = IDisputeModuleBounds(module).minDisputeDuration();
            if (rounds > min) min = rounds;
        }
        _requireWithin("maxDisputeDuration", v, min, MAX_DISPUTE_DURATION);
        // A dispute's deadline is set when it opens, so a longer one would carry jobs posted
        // before a pending fee change past its date: wait until it is in effect.
        if (v > _maxDisputeDuration) _requireNoPendingFeeChange();
        emit ParameterChanged("maxDisputeDuration", _maxDisputeDuration, v);
        _maxDisputeDuration = v;
        _noteLifetime();
    }

    /// @dev Raises the longest-lifetime mark to the current bounds' (it never comes down: jobs
    /// posted under longer bounds may still be open).
    function _noteLifetime() private {
        PostRules memory p = _postRules;
        uint256 lifetime = uint256(p.maxClaimDelay) + p.maxExecutionTime + p.maxChallengeWindow + _maxDisputeDuration;
        if (lifetime > _longestLifetime) _longestLifetime = uint32(lifetime);
    }

    function _requireNoPendingFeeChange() private view {
        uint256 effectiveAt = uint256(_fees.changeDay) * 1 days;
        if (block.timestamp < effectiveAt) revert GovFeeChangePending(effectiveAt);
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
