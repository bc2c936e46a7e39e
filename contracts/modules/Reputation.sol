// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IReputation} from "../interfaces/IReputation.sol";
import {PayoutMath} from "../libraries/PayoutMath.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title Hashwork provider reputation.
/// @notice Counters of the rarer outcomes and the score every job may gate on.
abstract contract Reputation is IReputation, ProviderRegistry {
    struct Counters {
        uint32 timedOut;
        uint32 disputesLost;
        uint32 disputesWon;
    }

    /// @dev Fees paid are counted in thousandths of a token, so 32 bits hold 4.29 million tokens
    /// of fees (a saturating counter) whatever the token's decimals.
    uint256 internal immutable _reputationUnit;

    mapping(address provider => Counters) internal _counters;

    constructor() {
        uint256 decimals = 18;
        try IERC20Metadata(address(_token)).decimals() returns (uint8 d) {
            decimals = d;
        } catch {}
        _reputationUnit = decimals > 3 ? 10 ** (decimals - 3) : 1;
    }

    /// @inheritdoc IReputation
    function reputationOf(address provider) external view returns (ReputationInfo memory info) {
        StakeInfo memory s = _stakes[provider];
        Counters memory c = _counters[provider];
        info = ReputationInfo({
            completed: s.completed,
            timedOut: c.timedOut,
            disputesLost: c.disputesLost,
            disputesWon: c.disputesWon,
            feesPaid: uint256(s.feeUnits) * _reputationUnit
        });
    }

    /// @inheritdoc IReputation
    function scoreFor(address provider, uint256 reward) external view returns (uint16) {
        StakeInfo memory s = _stakes[provider];
        return _scoreFor(provider, s.feeUnits, reward + s.locked);
    }

    /// @inheritdoc IReputation
    function reputationUnit() external view returns (uint256) {
        return _reputationUnit;
    }

    function _scoreFor(address provider, uint256 feeUnits, uint256 reward) internal view returns (uint16) {
        Counters memory c = _counters[provider];
        return PayoutMath.score(feeUnits * _reputationUnit, reward, c.timedOut, c.disputesLost);
    }

    /// @dev Fee units a settled job adds to its provider's record.
    function _feeUnits(uint256 fee) internal view returns (uint256) {
        return fee / _reputationUnit;
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
