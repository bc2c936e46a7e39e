// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Payout arithmetic.
/// @notice The arithmetic of payouts, collateral and reputation, kept apart so it can be fuzzed.
library PayoutMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant PERCENT = 100;
    uint16 internal constant MAX_SCORE = 10_000;

    /// @notice Collateral a job requires: `reward * collateralPct / 100`, rounded up so a
    /// provider never locks less than the stated ratio.
    /// @param reward The job's reward.
    /// @param collateralPct Collateral in percent of the reward.
    /// @return Tokens of collateral.
    function collateral(uint256 reward, uint256 collateralPct) internal pure returns (uint256) {
        return (reward * collateralPct + PERCENT - 1) / PERCENT;
    }

    /// @notice Split a reward into the provider's payout and the protocol fee (rounded down,
    /// in the provider's favour). `payout + fee == reward` always.
    /// @param reward The job's reward.
    /// @param feeBps The fee rate, in basis points.
    /// @return payout The provider's part.
    /// @return fee The protocol's part.
    function splitFee(uint256 reward, uint256 feeBps) internal pure returns (uint256 payout, uint256 fee) {
        fee = (reward * feeBps) / BPS;
        // fee <= reward because feeBps <= BPS is enforced by governance bounds.
        unchecked {
            payout = reward - fee;
        }
    }

    /// @notice What a job paying `reward` puts into the audit reserve: its fee's reserve share,
    /// rounded down like the fee and the split that accrue it.
    /// @param reward The job's reward.
    /// @param feeBps The fee rate, in basis points.
    /// @param reserveBps The reserve's share of the fee, in basis points.
    /// @return Tokens into the reserve.
    function reserveShare(uint256 reward, uint256 feeBps, uint256 reserveBps) internal pure returns (uint256) {
        return (((reward * feeBps) / BPS) * reserveBps) / BPS;
    }

    /// @notice Reputation score from 0 to 10000 for a job paying `reward`: the fees a provider has
    /// paid against the job's reward, which time-outs (weight 2) and lost disputes (weight 5)
    /// multiply. A newcomer scores 0; reaching score S costs `reward × S / (10000 − S)` in fees.
    /// @param feesPaid Fees the provider has paid (in reputation units or tokens, as `reward`).
    /// @param reward The value at stake in the job.
    /// @param timedOut The provider's time-outs.
    /// @param disputesLost The disputes it lost.
    /// @return The score, 0 to 10000.
    function score(uint256 feesPaid, uint256 reward, uint256 timedOut, uint256 disputesLost)
        internal
        pure
        returns (uint16)
    {
        uint256 bar = reward * (1 + 2 * timedOut + 5 * disputesLost);
        if (feesPaid == 0) return 0;
        return uint16((feesPaid * MAX_SCORE) / (feesPaid + bar));
    }
}
