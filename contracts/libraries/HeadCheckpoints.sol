// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Checkpoints with a one-slot head.
/// @notice A value's history by block, like OpenZeppelin `Checkpoints.Trace208`, but with the
/// latest checkpoint and the count packed in one slot (the "head"), so the common read — a
/// block at or after the last change — costs one storage read instead of two. Draws read about
/// fifteen tree nodes this way, each cold: the head saves ~2,100 gas per node.
///
/// Why not OpenZeppelin's: `Trace208` keeps the length and every checkpoint in an array, so
/// `latestCheckpoint` reads the length slot and then the element slot.
///
/// Layout of `head`: value (bits 0..159) | key (160..207) | count (208..255). Older checkpoints
/// live in `past[0 .. count - 2]`, in increasing key order, each as value | key << 160.
library HeadCheckpoints {
    struct Trace {
        uint256 head;
        mapping(uint256 index => uint256 checkpoint) past;
    }

    uint256 private constant _KEY_SHIFT = 160;
    uint256 private constant _COUNT_SHIFT = 208;
    uint256 private constant _CHECKPOINT_MASK = (uint256(1) << _COUNT_SHIFT) - 1;

    /// @notice Keys must not decrease.
    error HeadCheckpointUnorderedKey(uint256 key, uint256 lastKey);
    /// @notice Values are at most 160 bits.
    error HeadCheckpointValueTooLarge(uint256 value);

    /// @notice Records `value` from block `key` on (replacing the value if `key` is the latest).
    /// @param t The trace.
    /// @param key The block (not below the latest key).
    /// @param value The value (at most 160 bits).
    function push(Trace storage t, uint48 key, uint256 value) internal {
        if (value > type(uint160).max) revert HeadCheckpointValueTooLarge(value);
        uint256 head = t.head;
        uint256 count = head >> _COUNT_SHIFT;
        if (count != 0) {
            uint256 lastKey = uint48(head >> _KEY_SHIFT);
            if (key == lastKey) {
                t.head = (head & ~uint256(type(uint160).max)) | value;
                return;
            }
            if (key < lastKey) revert HeadCheckpointUnorderedKey(key, lastKey);
            t.past[count - 1] = head & _CHECKPOINT_MASK;
        }
        t.head = value | (uint256(key) << _KEY_SHIFT) | ((count + 1) << _COUNT_SHIFT);
    }

    /// @notice The latest value (0 if none).
    /// @param t The trace.
    /// @return The latest value.
    function latest(Trace storage t) internal view returns (uint256) {
        return uint160(t.head);
    }

    /// @notice The value at the end of block `key`: the last checkpoint at or before it (0 if none).
    /// @param t The trace.
    /// @param key A block.
    /// @return The value at its end.
    function lookup(Trace storage t, uint48 key) internal view returns (uint256) {
        uint256 head = t.head;
        uint256 count = head >> _COUNT_SHIFT;
        if (count == 0) return 0;
        if (uint48(head >> _KEY_SHIFT) <= key) return uint160(head);
        if (count == 1) return 0;
        // Most lookups are for a recent block: try the checkpoint before the head first.
        uint256 previous = t.past[count - 2];
        if (uint48(previous >> _KEY_SHIFT) <= key) return uint160(previous);
        // Binary search over past[0 .. count - 3] for the last checkpoint with key <= `key`.
        uint256 low;
        uint256 high = count - 2;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (uint48(t.past[mid] >> _KEY_SHIFT) <= key) low = mid + 1;
            else high = mid;
        }
        return low == 0 ? 0 : uint160(t.past[low - 1]);
    }

    /// @notice How many checkpoints there are.
    /// @param t The trace.
    /// @return The number of checkpoints.
    function length(Trace storage t) internal view returns (uint256) {
        return t.head >> _COUNT_SHIFT;
    }
}
