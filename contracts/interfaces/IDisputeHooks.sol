// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "./IJobMarket.sol";

/// @title The seam between the market and its dispute module.
/// @notice Only the governance-set dispute module can move a job into or out of `Disputed`, or
/// lock, unlock and slash stake for committee duties. If a dispute outlives
/// `maxDisputeDuration`, anyone can void it so no funds stay stuck.
interface IDisputeHooks {
    /// @notice The accrued protocol fees cannot cover an audit's budget.
    error MarketInsufficientFees(uint256 accrued, uint256 requested);

    /// @notice A submitted job entered a dispute; it must be resolved before `deadline`.
    event JobDisputed(uint256 indexed jobId, address indexed module, uint256 deadline);
    /// @notice The dispute module decided. On a provider loss the reward went back to the
    /// requester and `collateralSlashed` went to the module's balance for distribution.
    event DisputeSettled(
        uint256 indexed jobId,
        bool providerWon,
        uint256 refund,
        uint256 collateralSlashed
    );
    /// @notice `amount` of accrued protocol fees moved to the dispute module to pay for a
    /// random audit.
    event AuditFundedFromFees(address indexed module, uint256 amount);
    /// @notice A dispute ran out of time: the reward was refunded and the collateral unlocked.
    event DisputeVoided(uint256 indexed jobId, uint256 refund, uint256 collateralUnlocked);

    /// @notice Move a `Submitted` job into `Disputed` (within its challenge window).
    function openDispute(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external;

    /// @notice Leave `Disputed`: pay the provider if it won; otherwise refund the requester and
    /// credit the slashed collateral to the dispute module's ledger balance.
    function settleDispute(
        uint256 jobId,
        IJobMarket.SubmittedJob calldata terms,
        bool providerWon
    ) external;

    /// @notice After the dispute deadline, anyone may void it: refund the requester, unlock the
    /// provider's collateral, change no reputation.
    function voidExpiredDispute(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external;

    /// @notice Lock `amount` of a verifier's free stake for a committee duty.
    function lockStake(address provider, uint256 amount) external;

    /// @notice Release stake locked by `lockStake`.
    function unlockStake(address provider, uint256 amount) external;

    /// @notice Move `amount` of accrued protocol fees to the dispute module's ledger balance
    /// (random audits are paid from fees).
    function fundAuditFromFees(uint256 amount) external;

    /// @notice Take `amount` of `provider`'s locked stake and credit it to `beneficiary`.
    function slashStake(address provider, uint256 amount, address beneficiary) external;
}
