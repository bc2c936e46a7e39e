// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork reputation: per-provider counters and a score jobs can require.
/// @notice `completed` and `lastActive` live in the provider's stake record (they change on the hot
/// path); the rarer outcomes are counted here.
interface IReputation {
    /// @notice A provider's full reputation record.
    struct ReputationInfo {
        uint32 completed;
        uint32 timedOut;
        uint32 disputesLost;
        uint32 disputesWon;
        uint32 lastActive;
        uint16 score;
    }

    /// @notice A counter changed. `kind` is one of "timedOut", "disputeLost", "disputeWon".
    event ReputationChanged(address indexed provider, bytes32 indexed kind, uint256 newCount);

    /// @notice The provider's counters and score.
    function reputationOf(address provider) external view returns (ReputationInfo memory);

    /// @notice Score from 0 to 10000: (completed + 1) / (completed + 2 + 2 * timedOut +
    /// 5 * disputesLost). `completed` already counts jobs won in a dispute, so `disputesWon` is
    /// informational. A newcomer scores 5000.
    function scoreOf(address provider) external view returns (uint16);
}
