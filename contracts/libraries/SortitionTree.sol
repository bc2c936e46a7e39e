// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HeadCheckpoints} from "./HeadCheckpoints.sol";

/// @title A checkpointed stake-weighted sum tree.
/// @notice A stake-weighted sum tree with history: every node keeps a checkpoint per block in
/// which it changed (`HeadCheckpoints`: the latest in one slot), so a draw can read the tree exactly as it
/// stood at the end of any past block. Sampling is one descent from the root, O(depth), never
/// rejection: a value r in [0, total) lands on the member whose cumulative range contains it.
///
/// The tree is 4-ary with 7 levels below the root (16,384 leaves): a weight change rewrites 8
/// nodes, a draw reads at most 3 children per level. A member keeps its leaf while it has
/// weight; a leaf whose weight falls to zero is released and may be reused. Leaf ownership is
/// checkpointed too, so a reused leaf still resolves to its former owner at earlier blocks.
library SortitionTree {
    using HeadCheckpoints for HeadCheckpoints.Trace;

    uint256 internal constant ARITY = 4;
    uint256 internal constant DEPTH = 7;
    uint256 internal constant CAPACITY = ARITY ** DEPTH;
    // Node index of leaf 0: the number of nodes above the leaf level, (4^7 - 1) / 3.
    uint256 private constant _FIRST_LEAF = (CAPACITY - 1) / (ARITY - 1);

    struct Tree {
        /// Node index (root 0; children of n are 4n+1 .. 4n+4) => sum of its subtree's weights.
        mapping(uint256 node => HeadCheckpoints.Trace) sums;
        /// Leaf number => its owner (as uint160).
        mapping(uint256 leaf => HeadCheckpoints.Trace) owners;
        /// Member => its leaf number plus one (0: no leaf).
        mapping(address member => HeadCheckpoints.Trace) leaves;
        uint256[] freeLeaves;
        uint256 nextLeaf;
    }

    /// @notice Every leaf is held by a member with weight.
    error SortitionTreeFull();
    /// @notice A weight does not fit the tree's 160-bit sums.
    error SortitionWeightTooLarge(uint256 weight);

    // ------------------------------------------------------------------ writes

    /// @notice Sets `member`'s weight from this block on. Zero releases its leaf.
    /// @param t The tree.
    /// @param member The member.
    /// @param weight Its new weight.
    function set(Tree storage t, address member, uint256 weight) internal {
        uint48 now_ = uint48(block.number);
        uint256 leafPlusOne = t.leaves[member].latest();
        if (leafPlusOne == 0) {
            if (weight == 0) return;
            leafPlusOne = _allocate(t) + 1;
            t.leaves[member].push(now_, leafPlusOne);
            t.owners[leafPlusOne - 1].push(now_, uint160(member));
        }
        uint256 node = _FIRST_LEAF + leafPlusOne - 1;
        uint256 old = t.sums[node].latest();
        if (weight == old) return;
        if (weight > type(uint160).max) revert SortitionWeightTooLarge(weight);
        // Walk up from the leaf; every sum stays <= the root's, which the check below bounds.
        for (uint256 level; level <= DEPTH; ++level) {
            uint256 sum = t.sums[node].latest();
            uint256 updated = weight > old ? sum + (weight - old) : sum - (old - weight);
            if (updated > type(uint160).max) revert SortitionWeightTooLarge(updated);
            t.sums[node].push(now_, updated);
            if (node != 0) node = (node - 1) / ARITY;
        }
        if (weight == 0) {
            t.leaves[member].push(now_, 0);
            t.freeLeaves.push(leafPlusOne - 1);
        }
    }

    // ------------------------------------------------------------------ reads

    /// @notice `member`'s weight now.
    /// @param t The tree.
    /// @param member The member.
    /// @return Its weight.
    function weightOf(Tree storage t, address member) internal view returns (uint256) {
        uint256 leafPlusOne = t.leaves[member].latest();
        return leafPlusOne == 0 ? 0 : t.sums[_FIRST_LEAF + leafPlusOne - 1].latest();
    }

    /// @notice The sum of all weights now.
    /// @param t The tree.
    /// @return The total weight.
    function total(Tree storage t) internal view returns (uint256) {
        return t.sums[0].latest();
    }

    /// @notice The sum of all weights at the end of block `atBlock`.
    /// @param t The tree.
    /// @param atBlock A past or the current block.
    /// @return The total weight then.
    function totalAt(Tree storage t, uint48 atBlock) internal view returns (uint256) {
        return _sumAt(t, 0, atBlock);
    }

    /// @notice `member`'s leaf (plus one; 0 if none) and weight at the end of block `atBlock`.
    /// @param t The tree.
    /// @param member The member.
    /// @param atBlock A past or the current block.
    /// @return leafPlusOne Its leaf number plus one (0 if none).
    /// @return weight Its weight then.
    function leafAndWeightAt(Tree storage t, address member, uint48 atBlock)
        internal
        view
        returns (uint256 leafPlusOne, uint256 weight)
    {
        leafPlusOne = _lookup(t.leaves[member], atBlock);
        if (leafPlusOne != 0) weight = _sumAt(t, _FIRST_LEAF + leafPlusOne - 1, atBlock);
    }

    /// @notice The member whose cumulative range holds `r`, in the tree as it stood at the end of
    /// block `atBlock`, with the leaves in `removedLeaves` (leaf number plus one, 0 = unused) weighing
    /// `removedWeights` less. The caller guarantees r < totalAt(atBlock) - sum(removedWeights).
    /// @param t The tree.
    /// @param atBlock A past or the current block.
    /// @param r A value below the remaining weight.
    /// @param removedLeaves Leaves (plus one; 0 = unused) whose weight is reduced.
    /// @param removedWeights How much each weighs less.
    /// @return The member picked.
    function pick(
        Tree storage t,
        uint48 atBlock,
        uint256 r,
        uint256[] memory removedLeaves,
        uint256[] memory removedWeights
    ) internal view returns (address) {
        // Leaves never allocated weigh nothing at any block, so the descent starts at the
        // smallest leftmost subtree that covers every leaf allocated so far: its sum is the
        // root's, and the levels above it cost no reads (a pool of 10 skips 5 of 7 levels).
        uint256 span = ARITY;
        uint256 top = DEPTH - 1;
        uint256 used = t.nextLeaf;
        while (span < used) {
            span *= ARITY;
            --top;
        }
        // Leftmost node of level `top`; leaves under the current node: [first, first + span).
        uint256 node = (ARITY ** top - 1) / (ARITY - 1);
        uint256 first;
        for (uint256 level = top; level < DEPTH; ++level) {
            span /= ARITY;
            uint256 child = node * ARITY + 1;
            // The last child takes whatever is left, so it needs no lookup.
            for (uint256 c; c < ARITY - 1; ++c) {
                uint256 w = _sumAt(t, child, atBlock) - _removedIn(removedLeaves, removedWeights, first, span);
                if (r < w) break;
                r -= w;
                ++child;
                first += span;
            }
            node = child;
        }
        return address(uint160(_lookup(t.owners[node - _FIRST_LEAF], atBlock)));
    }

    // ------------------------------------------------------------------ private

    function _allocate(Tree storage t) private returns (uint256 leaf) {
        uint256 n = t.freeLeaves.length;
        if (n != 0) {
            leaf = t.freeLeaves[n - 1];
            t.freeLeaves.pop();
            return leaf;
        }
        leaf = t.nextLeaf;
        if (leaf == CAPACITY) revert SortitionTreeFull();
        t.nextLeaf = leaf + 1;
    }

    function _sumAt(Tree storage t, uint256 node, uint48 atBlock) private view returns (uint256) {
        return _lookup(t.sums[node], atBlock);
    }

    function _lookup(HeadCheckpoints.Trace storage trace, uint48 atBlock) private view returns (uint256) {
        return trace.lookup(atBlock);
    }

    /// @dev Weight removed from the leaves [first, first + span).
    function _removedIn(uint256[] memory leaves, uint256[] memory weights, uint256 first, uint256 span)
        private
        pure
        returns (uint256 removed)
    {
        for (uint256 i; i < leaves.length; ++i) {
            uint256 plusOne = leaves[i];
            if (plusOne > first && plusOne <= first + span) removed += weights[i];
        }
    }
}
