// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Both pay buckets' clocks and counters of one provider in one storage slot, so a
/// fast-path call reads a single slot to see which bucket is filling and which has matured
/// (the money of each bucket is in a slot of its own, read only for the bucket it touches).
///
/// Layout, per bucket i (bit offsets from 128 * i, least significant first):
///   0..39    maturesAt: the latest challenge end among its jobs
///   40..79   sealsAt: it takes new jobs only before this time
///   80..103  jobs: how many jobs it holds
///   104..127 feeUnits: their fees in reputation units, summed per job
type PayClocks is uint256;

using PayClocksLib for PayClocks global;

/// @title PayClocksLib
/// @notice Reads and rewrites one bucket's fields of a `PayClocks` slot (layout above).
library PayClocksLib {
    /// @notice The most jobs, and fee units, one bucket can hold (what would pass it goes eager).
    uint256 internal constant MAX_COUNT = type(uint24).max;

    /// @notice Bucket `i`'s maturity.
    /// @param c The slot.
    /// @param i The bucket (0 or 1).
    function maturesAt(PayClocks c, uint256 i) internal pure returns (uint256) {
        return uint40(PayClocks.unwrap(c) >> (128 * i));
    }

    /// @notice Bucket `i`'s seal time.
    /// @param c The slot.
    /// @param i The bucket (0 or 1).
    function sealsAt(PayClocks c, uint256 i) internal pure returns (uint256) {
        return uint40(PayClocks.unwrap(c) >> (128 * i + 40));
    }

    /// @notice Bucket `i`'s job count.
    /// @param c The slot.
    /// @param i The bucket (0 or 1).
    function jobs(PayClocks c, uint256 i) internal pure returns (uint256) {
        return uint24(PayClocks.unwrap(c) >> (128 * i + 80));
    }

    /// @notice Bucket `i`'s fee units.
    /// @param c The slot.
    /// @param i The bucket (0 or 1).
    function feeUnits(PayClocks c, uint256 i) internal pure returns (uint256) {
        return uint24(PayClocks.unwrap(c) >> (128 * i + 104));
    }

    /// @notice The same slot with bucket `i`'s fields replaced (the caller keeps each in range:
    /// times in 40 bits, counts at most `MAX_COUNT`); the other bucket's are kept.
    /// @param c The slot.
    /// @param i The bucket (0 or 1).
    /// @param maturesAt_ Its maturity.
    /// @param sealsAt_ Its seal time.
    /// @param jobs_ Its job count.
    /// @param feeUnits_ Its fee units.
    /// @return The new slot.
    function withBucket(PayClocks c, uint256 i, uint256 maturesAt_, uint256 sealsAt_, uint256 jobs_, uint256 feeUnits_)
        internal
        pure
        returns (PayClocks)
    {
        uint256 shift = 128 * i;
        uint256 packed = uint256(uint40(maturesAt_)) | (uint256(uint40(sealsAt_)) << 40) | (uint256(uint24(jobs_)) << 80)
            | (uint256(uint24(feeUnits_)) << 104);
        return PayClocks.wrap((PayClocks.unwrap(c) & ~(uint256(type(uint128).max) << shift)) | (packed << shift));
    }
}
