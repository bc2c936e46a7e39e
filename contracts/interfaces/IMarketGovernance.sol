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
    /// @param parameter The parameter's name.
    /// @param oldValue Its value before.
    /// @param newValue Its value now.
    event ParameterChanged(bytes32 indexed parameter, uint256 oldValue, uint256 newValue);
    /// @notice An address parameter changed ("treasury" or "disputeModule").
    /// @param parameter The parameter's name.
    /// @param oldValue The address before.
    /// @param newValue The address now.
    event AddressChanged(bytes32 indexed parameter, address oldValue, address newValue);
    /// @notice The fee changed to `newBps` for jobs posted from now on; jobs settling with a
    /// deadline before `effectiveAt` keep `previousBps`.
    /// @param previousBps The fee rate jobs settling before `effectiveAt` keep.
    /// @param newBps The new fee rate, in basis points.
    /// @param effectiveAt When every job settling pays the new rate (unix seconds).
    event FeeChangeScheduled(uint16 previousBps, uint16 newBps, uint256 effectiveAt);
    /// @notice New posts and claims were stopped / allowed again.
    /// @param paused Whether new posts and claims are stopped now.
    /// @param by The owner or guardian that changed it.
    event MarketPausedChanged(bool paused, address indexed by);
    /// @notice Accrued protocol fees were sent to the treasury.
    /// @param treasury The treasury paid.
    /// @param amount Tokens sent.
    event FeesWithdrawn(address indexed treasury, uint256 amount);
    /// @notice Tokens sent to the market by mistake (above `totalOwed`) were sent to the treasury.
    /// @param treasury The treasury paid.
    /// @param amount Tokens sent.
    event SurplusSwept(address indexed treasury, uint256 amount);

    /// @notice The market's parameters.
    /// @return The current `MarketConfig`.
    function config() external view returns (MarketConfig memory);
    /// @notice The fee rate of jobs posted from now on.
    /// @return The fee rate, in basis points.
    function feeBps() external view returns (uint16);
    /// @notice The last fee change: jobs settling with a deadline before `effectiveAt` (all jobs
    /// posted before the change, and some after) pay `previousBps`; the rest pay `feeBps()`.
    /// @return previousBps The fee rate before the last change.
    /// @return effectiveAt When the last change applies to every job (unix seconds).
    function feeChange() external view returns (uint16 previousBps, uint256 effectiveAt);
    /// @notice Protocol fees the treasury may withdraw (the audit reserve excluded).
    /// @return Tokens accrued.
    function accruedFees() external view returns (uint256);
    /// @notice Fees set aside for random audits; no withdrawal can reach them.
    /// @return Tokens in the audit reserve.
    function auditReserve() external view returns (uint256);
    /// @notice Share of every protocol fee that goes to the audit reserve, in basis points.
    /// @return The share, in basis points.
    function auditReserveBps() external view returns (uint16);
    /// @notice The account protocol fees and swept surplus go to.
    /// @return The treasury.
    function treasury() external view returns (address);
    /// @notice The dispute module new disputes open on.
    /// @return The module's address.
    function disputeModule() external view returns (address);
    /// @notice The account that may pause new posts and claims (and nothing else); zero if none.
    /// @return The guardian, or zero.
    function guardian() external view returns (address);
    /// @notice How long a dispute may run before anyone may void it (seconds).
    /// @return The duration.
    function maxDisputeDuration() external view returns (uint32);
    /// @notice The longest life a job posted so far may have (claim delay + execution time +
    /// challenge window + dispute duration at the highest bounds ever set; it never decreases).
    /// Fee changes, the timelock's floor and verifier withdrawals wait at least this long.
    /// @return The lifetime, in seconds.
    function longestJobLifetime() external view returns (uint256);

    /// @notice Owner only: set the fee rate of jobs posted from now on, within its hard bounds
    /// (`ParameterChanged`). Jobs already posted keep the old rate (`FeeChangeScheduled`); one
    /// change at a time.
    /// @param newFeeBps The new rate, in basis points.
    function setFeeBps(uint16 newFeeBps) external;
    /// @notice Owner only: set the smallest reward and the collateral range a job may carry, within its hard bounds (`ParameterChanged`).
    /// @param newMinReward The smallest reward.
    /// @param newMinCollateralPct The least collateral, in percent of the reward (never zero).
    /// @param newMaxCollateralPct The most collateral, in percent of the reward.
    function setJobValueBounds(uint96 newMinReward, uint16 newMinCollateralPct, uint16 newMaxCollateralPct) external;
    /// @notice Owner only: set the share of every fee that goes to the audit reserve, within its hard bounds (`ParameterChanged`).
    /// @param newBps The share, in basis points.
    function setAuditReserveBps(uint16 newBps) external;
    /// @notice Owner only: set the least stake a provider (and bond a verifier) must hold, within its hard bounds (`ParameterChanged`).
    /// @param newMinStake The minimum, in tokens.
    function setMinStake(uint96 newMinStake) external;
    /// @notice Owner only: set how long unstaked tokens wait before withdrawal, within its hard bounds (`ParameterChanged`).
    /// @param newPeriod The period, in seconds.
    function setUnbondingPeriod(uint32 newPeriod) external;
    /// @notice Owner only: set the longest a job may wait to be claimed, within its hard bounds (`ParameterChanged`).
    /// @param newDelay The delay, in seconds.
    function setMaxClaimDelay(uint24 newDelay) external;
    /// @notice Owner only: set the range of a job's execution time, within its hard bounds (`ParameterChanged`).
    /// @param newMin The shortest, in seconds.
    /// @param newMax The longest, in seconds.
    function setExecutionTimeBounds(uint24 newMin, uint24 newMax) external;
    /// @notice Owner only: set the range of a job's challenge window, within its hard bounds (`ParameterChanged`).
    /// @param newMin The shortest, in seconds.
    /// @param newMax The longest, in seconds.
    function setChallengeWindowBounds(uint24 newMin, uint24 newMax) external;
    /// @notice Owner only: set how long a dispute may run before anyone may void it, within its hard bounds (`ParameterChanged`).
    /// @param newDuration The duration, in seconds.
    function setMaxDisputeDuration(uint32 newDuration) external;
    /// @notice Owner only: set the treasury (`AddressChanged`).
    /// @param newTreasury The new treasury (not zero).
    function setTreasury(address newTreasury) external;
    /// @notice Owner only: set the dispute module later disputes open on (`AddressChanged`);
    /// disputes already open finish on the module that opened them. At most 255 modules over the
    /// market's life.
    /// @param newModule The new module (not zero).
    function setDisputeModule(address newModule) external;
    /// @notice Owner only: set the account that may pause (`AddressChanged`).
    /// @param newGuardian The new guardian, or zero for none.
    function setGuardian(address newGuardian) external;
    /// @notice Owner or guardian: stop new posts and claims (`MarketPausedChanged`).
    function pause() external;
    /// @notice Owner only: allow new posts and claims again (`MarketPausedChanged`).
    function unpause() external;

    /// @notice Treasury only: send the accrued protocol fees (never the audit reserve) to the
    /// treasury. Restricted so nobody can empty the fees to time a withdrawal against an audit.
    function withdrawFees() external;

    /// @notice Send tokens held above `totalOwed` to the treasury. Permissionless.
    function sweepSurplus() external;
}
