// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork reputation: what a provider has paid to be trusted, and a score jobs can require.
/// @notice Reputation is denominated in protocol fees actually paid on jobs the provider completed:
/// the one signal self-dealing cannot fake, since posting a job to yourself costs exactly its fee.
/// A job's required score is relative to its own reward, so buying the right to claim a job gated
/// at score S costs at least `reward × S / (10000 − S)` in fees: more than the job is worth for any
/// S above 5000. `completed` and `feesPaid` live in the provider's stake record (they change on
/// the hot path); the rarer outcomes are counted here.
interface IReputation {
    /// @notice A provider's full reputation record.
    struct ReputationInfo {
        uint32 completed;
        uint32 timedOut;
        uint32 disputesLost;
        uint32 disputesWon;
        /// Protocol fees paid on its completed jobs, in tokens (counted in `reputationUnit()`s).
        uint256 feesPaid;
    }

    /// @notice A counter changed. `kind` is one of "timedOut", "disputeLost", "disputeWon".
    /// @param provider The provider whose counter changed.
    /// @param kind Which counter ("timedOut", "disputeLost" or "disputeWon").
    /// @param newCount The counter's value afterwards.
    event ReputationChanged(address indexed provider, bytes32 indexed kind, uint256 newCount);

    /// @notice The provider's counters and fees paid.
    /// @param provider The provider asked about.
    /// @return Its counters and the fees it has paid.
    function reputationOf(address provider) external view returns (ReputationInfo memory);

    /// @notice Score from 0 to 10000 for claiming a job paying `reward` now:
    /// `10000 × feesPaid / (feesPaid + V × (1 + 2 × timedOut + 5 × disputesLost))`, where
    /// `V = reward + lockedCollateral` is the value the provider would hold at once (its locked
    /// collateral is at least the rewards of its jobs in flight). A newcomer scores 0; a job with
    /// `minReputation` S can be claimed only by a provider whose fees paid reach
    /// `V × S / (10000 − S)` (times its penalty factor): fees paid once vouch for a bounded value
    /// held at a time, not for any number of jobs together.
    /// @param provider The provider asked about.
    /// @param reward The reward of the job it would claim.
    /// @return The score, 0 to 10000.
    function scoreFor(address provider, uint256 reward) external view returns (uint16);

    /// @notice The granularity in which fees paid are counted (a thousandth of a token).
    function reputationUnit() external view returns (uint256);
}
