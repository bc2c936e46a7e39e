// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "./IJobMarket.sol";

/// @title The seam between the market and its dispute module.
/// @notice Only the governance-set dispute module can move a job into or out of `Disputed` and
/// draw on the audit reserve. No hook can touch a provider's free stake: only the collateral of a
/// disputed job moves, by the dispute's outcome (verifier bonds live in the module's own pool).
/// If a dispute outlives `maxDisputeDuration`, anyone can void it so no funds stay stuck.
interface IDisputeHooks {
    /// @notice A submitted job entered a dispute; it must be resolved before `deadline`.
    /// @param jobId The job.
    /// @param module The dispute module that opened the dispute.
    /// @param deadline When the dispute must be resolved by (unix seconds).
    event JobDisputed(uint256 indexed jobId, address indexed module, uint256 deadline);
    /// @notice The dispute module decided. On a provider loss the reward went back to the
    /// requester and `collateralSlashed` went to the module's balance for distribution.
    /// @param jobId The job.
    /// @param providerWon Whether the provider's result stood.
    /// @param refund The reward refunded to the requester (0 if the provider won).
    /// @param collateralSlashed The collateral moved to the module (0 if the provider won).
    event DisputeSettled(
        uint256 indexed jobId,
        bool providerWon,
        uint256 refund,
        uint256 collateralSlashed
    );
    /// @notice `amount` of the audit reserve moved to the dispute module to pay for a random audit.
    /// @param module The dispute module funded.
    /// @param amount Tokens moved from the reserve.
    /// @param reserveLeft The audit reserve afterwards.
    event AuditFunded(address indexed module, uint256 amount, uint256 reserveLeft);
    /// @notice `amount` an audit did not spend came back from the dispute module to the reserve.
    /// @param module The dispute module refunding.
    /// @param amount Tokens moved back to the reserve.
    /// @param reserveLeft The audit reserve afterwards.
    event AuditRefunded(address indexed module, uint256 amount, uint256 reserveLeft);
    /// @notice A dispute ran out of time: the reward was refunded and the collateral unlocked.
    /// @param jobId The job.
    /// @param refund The reward refunded to the requester.
    /// @param collateralUnlocked The provider's collateral unlocked.
    event DisputeVoided(uint256 indexed jobId, uint256 refund, uint256 collateralUnlocked);

    /// @notice Move a `Submitted` job into `Disputed` (within its challenge window).
    /// @param jobId The submitted job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function openDispute(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external;

    /// @notice Leave `Disputed`: pay the provider if it won; otherwise refund the requester and
    /// credit the slashed collateral to the dispute module's ledger balance.
    /// @param jobId The disputed job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    /// @param providerWon Whether the provider's result stood.
    function settleDispute(
        uint256 jobId,
        IJobMarket.SubmittedJob calldata terms,
        bool providerWon
    ) external;

    /// @notice After the dispute deadline, anyone may void it: refund the requester, unlock the
    /// provider's collateral, change no reputation.
    /// @param jobId The disputed job.
    /// @param terms The job's settlement terms, as emitted in `ResultSubmitted`.
    function voidExpiredDispute(uint256 jobId, IJobMarket.SubmittedJob calldata terms) external;

    /// @notice Move up to `amount` of the audit reserve (set aside from every job's fee, out of
    /// any withdrawal's reach) to the dispute module's ledger balance. Never reverts for want of
    /// funds, so no one can dodge an audit by draining them.
    /// @return funded What was moved: `amount`, or the whole reserve if it holds less.
    /// @param amount Tokens the audit needs.
    function fundAudit(uint256 amount) external returns (uint256 funded);

    /// @notice Move `amount` of the ledger balance of the module that opened `jobId`'s audit back into the audit reserve:
    /// what an audit's budget did not pay out, so nobody can drain the reserve into the treasury.
    /// @param jobId The audited job.
    /// @param amount Tokens to move back to the reserve.
    function refundAudit(uint256 jobId, uint256 amount) external;

    /// @notice The dispute module that opened `jobId`'s dispute while the job is Disputed,
    /// Overturned or Voided (zero otherwise: a finalized job's record is cleared). Only it may
    /// settle that dispute or refund its audit budget: replacing the module applies to later
    /// disputes, and the old one still finishes, and releases the funds of, those it opened.
    /// @param jobId The job.
    /// @return The module that opened its dispute, or zero.
    function disputeModuleOf(uint256 jobId) external view returns (address);
}
