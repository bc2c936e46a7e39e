// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork governance: bounded, evented parameters and a pause switch.
/// @notice The owner (a multisig or timelock in production) sets parameters inside hard bounds
/// written in code. Pausing stops new posts and claims only: refunds, withdrawals, settlement and
/// disputes already under way always run.
interface IMarketGovernance {
    /// @notice The market's parameters (stored as two slots: what posting reads and what
    /// claiming reads, so each path reads one).
    struct MarketConfig {
        bool paused;
        uint96 minStake;
        uint32 unbondingPeriod;
        uint24 maxClaimDelay;
        uint24 minExecutionTime;
        uint24 maxExecutionTime;
        uint24 minChallengeWindow;
        uint24 maxChallengeWindow;
        /// Smallest reward a job may carry: a liar always has something to lose.
        uint96 minReward;
        /// Collateral a job must require, in percent of its reward (never zero).
        uint16 minCollateralPct;
        /// Collateral a job may require at most, in percent of its reward (protects providers).
        uint16 maxCollateralPct;
    }

    /// @notice A parameter is outside its hard bounds.
    error GovValueOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice Address parameters cannot be zero.
    error GovZeroAddress();
    /// @notice Only the dispute module may call this.
    error GovNotDisputeModule(address caller);
    /// @notice Ownership cannot be renounced: a market without an owner could never be unpaused.
    error GovRenounceDisabled();
    /// @notice There are no fees to withdraw.
    error GovNothingToWithdraw();
    /// @notice Only the treasury may withdraw the protocol fees.
    error GovNotTreasury(address caller);
    /// @notice A fee change is still taking effect (until `effectiveAt`): one change at a time.
    error GovFeeChangePending(uint256 effectiveAt);
    /// @notice Only the owner or the guardian may pause.
    error GovNotGuardian(address caller);

    /// @notice Any parameter change: the parameter's name, its old and its new value.
    event ParameterChanged(bytes32 indexed parameter, uint256 oldValue, uint256 newValue);
    /// @notice An address parameter changed ("treasury" or "disputeModule").
    event AddressChanged(bytes32 indexed parameter, address oldValue, address newValue);
    /// @notice The fee changed to `newBps` for jobs posted from now on; jobs settling with a
    /// deadline before `effectiveAt` keep `previousBps`.
    event FeeChangeScheduled(uint16 previousBps, uint16 newBps, uint256 effectiveAt);
    /// @notice New posts and claims were stopped / allowed again.
    event MarketPausedChanged(bool paused, address indexed by);
    /// @notice Accrued protocol fees were sent to the treasury.
    event FeesWithdrawn(address indexed treasury, uint256 amount);
    /// @notice Tokens sent to the market by mistake (above `totalOwed`) were sent to the treasury.
    event SurplusSwept(address indexed treasury, uint256 amount);

    function config() external view returns (MarketConfig memory);
    /// @notice The fee rate of jobs posted from now on.
    function feeBps() external view returns (uint16);
    /// @notice The last fee change: jobs settling with a deadline before `effectiveAt` (all jobs
    /// posted before the change, and some after) pay `previousBps`; the rest pay `feeBps()`.
    function feeChange() external view returns (uint16 previousBps, uint256 effectiveAt);
    function accruedFees() external view returns (uint256);
    /// @notice Fees set aside for random audits; no withdrawal can reach them.
    function auditReserve() external view returns (uint256);
    /// @notice Share of every protocol fee that goes to the audit reserve, in basis points.
    function auditReserveBps() external view returns (uint16);
    function treasury() external view returns (address);
    function disputeModule() external view returns (address);
    /// @notice The account that may pause new posts and claims (and nothing else); zero if none.
    function guardian() external view returns (address);
    function maxDisputeDuration() external view returns (uint32);
    /// @notice The longest life a job posted so far may have (claim delay + execution time +
    /// challenge window + dispute duration at the highest bounds ever set; it never decreases).
    /// Fee changes, the timelock's floor and verifier withdrawals wait at least this long.
    function longestJobLifetime() external view returns (uint256);

    function setFeeBps(uint16 newFeeBps) external;
    function setJobValueBounds(uint96 newMinReward, uint16 newMinCollateralPct, uint16 newMaxCollateralPct) external;
    function setAuditReserveBps(uint16 newBps) external;
    function setMinStake(uint96 newMinStake) external;
    function setUnbondingPeriod(uint32 newPeriod) external;
    function setMaxClaimDelay(uint24 newDelay) external;
    function setExecutionTimeBounds(uint24 newMin, uint24 newMax) external;
    function setChallengeWindowBounds(uint24 newMin, uint24 newMax) external;
    function setMaxDisputeDuration(uint32 newDuration) external;
    function setTreasury(address newTreasury) external;
    function setDisputeModule(address newModule) external;
    function setGuardian(address newGuardian) external;
    function pause() external;
    function unpause() external;

    /// @notice Treasury only: send the accrued protocol fees (never the audit reserve) to the
    /// treasury. Restricted so nobody can empty the fees to time a withdrawal against an audit.
    function withdrawFees() external;

    /// @notice Send tokens held above `totalOwed` to the treasury. Permissionless.
    function sweepSurplus() external;
}
