// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Dispute arithmetic.
/// @notice The arithmetic of disputes (committee sizes, quorum, slashes and payout splits),
/// kept apart so it can be fuzzed. Every split hands out exactly what it is given.
library DisputeMath {
    uint256 internal constant BPS = 10_000;

    /// @notice The commitment a verifier posts: binds the vote to a secret salt and to the
    /// verifier itself, so a commitment cannot be copied by another seat.
    /// @param resultHash The hash voted for.
    /// @param salt The verifier's secret salt.
    /// @param verifier The verifier.
    /// @return The commitment.
    function voteCommitment(bytes32 resultHash, bytes32 salt, address verifier) internal pure returns (bytes32) {
        return keccak256(abi.encode(resultHash, salt, verifier));
    }

    /// @notice The commitment a challenger posts before revealing its challenge: hides the job and
    /// the hash, and binds the challenger, so a copy from another account matches nothing.
    /// @param jobId The job challenged.
    /// @param challengerHash The hash the challenger names.
    /// @param challenger The challenger.
    /// @param salt The challenger's secret salt.
    /// @return The commitment.
    function challengeCommitment(uint256 jobId, bytes32 challengerHash, address challenger, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(jobId, challengerHash, challenger, salt));
    }

    /// @notice Seats in round `round`: the first round has `committeeSize`, each later one two more.
    /// @param committeeSize Seats in the first round.
    /// @param round The round (0 first).
    /// @return The round's seats.
    function seatsFor(uint256 committeeSize, uint256 round) internal pure returns (uint256) {
        return committeeSize + 2 * round;
    }

    /// @notice Reveals needed for a round to decide: a strict majority of its seats.
    /// @param seats The round's seats.
    /// @return The reveals needed.
    function quorum(uint256 seats) internal pure returns (uint256) {
        return seats / 2 + 1;
    }

    /// @notice Part of a verifier's lock it loses for not revealing or voting with the minority
    /// (rounded down: never more than the stated share).
    /// @param lock The verifier's lock.
    /// @param slashBps The slashed share, in basis points.
    /// @return Tokens slashed.
    function slashOf(uint256 lock, uint256 slashBps) internal pure returns (uint256) {
        return (lock * slashBps) / BPS;
    }

    /// @notice Pay for `honest` verifiers out of `funds`: `fee` each, as far as the funds go.
    /// @param funds Tokens available.
    /// @param fee The fee per honest verifier.
    /// @param honest How many verifiers are paid.
    /// @return Tokens paid to them in all.
    function verifierPay(uint256 funds, uint256 fee, uint256 honest) internal pure returns (uint256) {
        uint256 owed = fee * honest;
        return owed < funds ? owed : funds;
    }

    /// @notice Splits a wrong provider's slashed `collateral`: honest verifiers first, then the
    /// challenger's reward (only if the majority agreed with the challenger), then the requester.
    /// `toVerifiers + toChallenger + toRequester == collateral`.
    /// @param collateral The slashed collateral.
    /// @param fee The fee per honest verifier.
    /// @param honest How many verifiers voted with the majority.
    /// @param challengerRewardBps The challenger's share of what the verifiers leave, in basis points.
    /// @param challengerRight Whether the majority agreed with the challenger.
    /// @return toVerifiers The honest verifiers' part.
    /// @return toChallenger The challenger's reward.
    /// @return toRequester The rest, to the requester.
    function splitCollateral(
        uint256 collateral,
        uint256 fee,
        uint256 honest,
        uint256 challengerRewardBps,
        bool challengerRight
    ) internal pure returns (uint256 toVerifiers, uint256 toChallenger, uint256 toRequester) {
        toVerifiers = verifierPay(collateral, fee, honest);
        uint256 rest = collateral - toVerifiers;
        toChallenger = challengerRight ? (rest * challengerRewardBps) / BPS : 0;
        toRequester = rest - toChallenger;
    }

    /// @notice Splits a wrong challenger's `bond`: honest verifiers first, the rest to the
    /// provider. `toVerifiers + toProvider == bond`.
    /// @param bond The challenger's bond.
    /// @param fee The fee per honest verifier.
    /// @param honest How many verifiers voted with the majority.
    /// @return toVerifiers The honest verifiers' part.
    /// @return toProvider The rest, to the provider.
    function splitBond(uint256 bond, uint256 fee, uint256 honest)
        internal
        pure
        returns (uint256 toVerifiers, uint256 toProvider)
    {
        toVerifiers = verifierPay(bond, fee, honest);
        toProvider = bond - toVerifiers;
    }

    /// @notice The share of `total` for verifier `index` of `count`: equal shares, the last one
    /// takes the rounding remainder so the shares sum to `total`.
    /// @param total Tokens to share.
    /// @param count How many verifiers share them.
    /// @param index This verifier's position (0 .. count - 1).
    /// @return Its share.
    function shareOf(uint256 total, uint256 count, uint256 index) internal pure returns (uint256) {
        uint256 share = total / count;
        return index + 1 == count ? total - share * (count - 1) : share;
    }

    /// @notice Whether the audit lottery selects a job, from the hash of the block its result
    /// was committed in (unknown to the provider when it signed).
    /// @param submittedBlockHash The hash of the block the result was committed in.
    /// @param jobId The job.
    /// @param auditRateBps The audit rate, in basis points.
    /// @return Whether the job is audited.
    function auditSelected(bytes32 submittedBlockHash, uint256 jobId, uint256 auditRateBps)
        internal
        pure
        returns (bool)
    {
        return uint256(keccak256(abi.encode(submittedBlockHash, jobId))) % BPS < auditRateBps;
    }
}
