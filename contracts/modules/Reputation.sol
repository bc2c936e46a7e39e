// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IReputation} from "../interfaces/IReputation.sol";
import {PayoutMath} from "../libraries/PayoutMath.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @notice Counters of the rarer outcomes and the score every job may gate on.
abstract contract Reputation is IReputation, ProviderRegistry {
    struct Counters {
        uint32 timedOut;
        uint32 disputesLost;
        uint32 disputesWon;
    }

    mapping(address provider => Counters) internal _counters;

    /// @inheritdoc IReputation
    function reputationOf(address provider) external view returns (ReputationInfo memory info) {
        StakeInfo memory s = _stakes[provider];
        Counters memory c = _counters[provider];
        info = ReputationInfo({
            completed: s.completed,
            timedOut: c.timedOut,
            disputesLost: c.disputesLost,
            disputesWon: c.disputesWon,
            lastActive: s.lastActive,
            score: PayoutMath.score(s.completed, c.timedOut, c.disputesLost)
        });
    }

    /// @inheritdoc IReputation
    function scoreOf(address provider) external view returns (uint16) {
        return _scoreOf(provider, _stakes[provider].completed);
    }

    function _scoreOf(address provider, uint256 completed) internal view returns (uint16) {
        Counters memory c = _counters[provider];
        return PayoutMath.score(completed, c.timedOut, c.disputesLost);
    }

    function _recordTimeout(address provider) internal {
        uint32 n = ++_counters[provider].timedOut;
        emit ReputationChanged(provider, "timedOut", n);
    }

    function _recordDisputeLost(address provider) internal {
        uint32 n = ++_counters[provider].disputesLost;
        emit ReputationChanged(provider, "disputeLost", n);
    }

    function _recordDisputeWon(address provider) internal {
        uint32 n = ++_counters[provider].disputesWon;
        emit ReputationChanged(provider, "disputeWon", n);
    }
}
