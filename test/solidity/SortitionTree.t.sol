// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SortitionTree} from "../../contracts/libraries/SortitionTree.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Exposes the library on one tree (external calls, so reverts can be expected).
contract SortitionHarness {
    using SortitionTree for SortitionTree.Tree;

    SortitionTree.Tree private _tree;

    function set(address member, uint256 weight) external {
        _tree.set(member, weight);
    }

    function weightOf(address member) external view returns (uint256) {
        return _tree.weightOf(member);
    }

    function total() external view returns (uint256) {
        return _tree.total();
    }

    function totalAt(uint48 atBlock) external view returns (uint256) {
        return _tree.totalAt(atBlock);
    }

    function leafAndWeightAt(address member, uint48 atBlock) external view returns (uint256, uint256) {
        return _tree.leafAndWeightAt(member, atBlock);
    }

    function pick(uint48 atBlock, uint256 r, uint256[] memory removedLeaves, uint256[] memory removedWeights)
        external
        view
        returns (address)
    {
        return _tree.pick(atBlock, r, removedLeaves, removedWeights);
    }
}

/// @notice The checkpointed sum tree against a reference kept here: the members' weights and
/// leaves as they stood at the end of every block, with the library's leaf allocation mirrored
/// (fresh leaves in order, released leaves reused last-in first-out). Every past block must
/// answer totals, leaves, weights and picks exactly as the reference did at that block, however
/// the tree changed afterwards.
contract SortitionTreeTest is TestBase {
    uint256 private constant MAX_MEMBERS = 24;
    uint256 private constant START_BLOCK = 100;

    SortitionHarness internal tree;

    // Reference: the current state...
    uint256 private _members;
    uint256[MAX_MEMBERS] private _weight;
    uint256[MAX_MEMBERS] private _leafPlusOne;
    uint256[] private _freeLeaves;
    uint256 private _nextLeaf;
    // ...and the state at the end of every block in which something was set.
    uint48[] private _blocks;
    mapping(uint256 snap => uint256[MAX_MEMBERS]) private _weightAt;
    mapping(uint256 snap => uint256[MAX_MEMBERS]) private _leafAt;

    uint256 private _rng;

    function setUp() public {
        tree = new SortitionHarness();
        vm.roll(START_BLOCK);
    }

    // ------------------------------------------------------------------ examples

    function test_totalAt_isZeroBeforeAnyWeight() public {
        tree.set(_member(0), 5);
        assertEq(tree.totalAt(uint48(START_BLOCK - 1)), 0, "total before");
        vm.roll(START_BLOCK + 1);
        assertEq(tree.totalAt(uint48(START_BLOCK)), 5, "total at the block of the set");
    }

    function test_set_keepsOnlyTheLastWeightOfABlock() public {
        tree.set(_member(0), 5);
        vm.roll(START_BLOCK + 1);
        tree.set(_member(0), 9);
        tree.set(_member(0), 7);
        vm.roll(START_BLOCK + 2);
        (, uint256 before) = tree.leafAndWeightAt(_member(0), uint48(START_BLOCK));
        (, uint256 last) = tree.leafAndWeightAt(_member(0), uint48(START_BLOCK + 1));
        assertEq(before, 5, "weight at the earlier block");
        assertEq(last, 7, "weight at the end of the block");
        assertEq(tree.totalAt(uint48(START_BLOCK + 1)), 7, "total at the end of the block");
    }

    function test_set_zeroWeightReleasesTheLeafForTheNextMember() public {
        tree.set(_member(0), 5);
        tree.set(_member(1), 7);
        vm.roll(START_BLOCK + 1);
        tree.set(_member(0), 0);
        tree.set(_member(2), 3);
        (uint256 leafOfA,) = tree.leafAndWeightAt(_member(0), uint48(START_BLOCK + 1));
        (uint256 leafOfC, uint256 weightOfC) = tree.leafAndWeightAt(_member(2), uint48(START_BLOCK + 1));
        assertEq(leafOfA, 0, "the released member holds no leaf");
        assertEq(leafOfC, 1, "the new member takes the released leaf 0");
        assertEq(weightOfC, 3, "with its own weight");
    }

    function test_pick_reusedLeafResolvesToItsOldOwnerAtOlderBlocks() public {
        tree.set(_member(0), 5);
        tree.set(_member(1), 7);
        vm.roll(START_BLOCK + 1);
        tree.set(_member(0), 0);
        tree.set(_member(2), 3);
        vm.roll(START_BLOCK + 2);
        uint256[] memory none = new uint256[](0);
        assertEq(tree.pick(uint48(START_BLOCK), 4, none, none), _member(0), "leaf 0 at the older block");
        assertEq(tree.pick(uint48(START_BLOCK + 1), 2, none, none), _member(2), "leaf 0 now");
        assertEq(tree.pick(uint48(START_BLOCK + 1), 3, none, none), _member(1), "leaf 1 now");
    }

    function test_pick_skipsARemovedMember() public {
        tree.set(_member(0), 5);
        tree.set(_member(1), 7);
        tree.set(_member(2), 3);
        vm.roll(START_BLOCK + 1);
        uint256[] memory leaves = new uint256[](1);
        uint256[] memory weights = new uint256[](1);
        (leaves[0], weights[0]) = tree.leafAndWeightAt(_member(1), uint48(START_BLOCK));
        assertEq(tree.pick(uint48(START_BLOCK), 4, leaves, weights), _member(0), "last of the first range");
        assertEq(tree.pick(uint48(START_BLOCK), 5, leaves, weights), _member(2), "first after the removed range");
    }

    function test_set_revertsIfWeightTooLarge() public {
        uint256 tooLarge = uint256(type(uint160).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(SortitionTree.SortitionWeightTooLarge.selector, tooLarge));
        tree.set(_member(0), tooLarge);
    }

    function test_set_revertsIfTheTotalWouldOverflow() public {
        tree.set(_member(0), type(uint160).max);
        vm.expectRevert(
            abi.encodeWithSelector(SortitionTree.SortitionWeightTooLarge.selector, uint256(type(uint160).max) + 1)
        );
        tree.set(_member(1), 1);
    }

    /// @dev 1,100 members span leaves across subtrees of 4, 16, 64, 256 and 1,024 leaves: every
    /// member's range starts and ends where the leaf order says, with three members removed.
    function test_pick_walksAcrossDeepSubtrees() public {
        uint256 n = 1_100;
        for (uint256 i; i < n; ++i) tree.set(_member(i), i % 7 + 1);
        vm.roll(START_BLOCK + 1);
        uint48 at = uint48(START_BLOCK);
        uint256[] memory leaves = new uint256[](3);
        uint256[] memory weights = new uint256[](3);
        uint256[3] memory removed = [uint256(5), 700, 1_050];
        for (uint256 k; k < 3; ++k) (leaves[k], weights[k]) = tree.leafAndWeightAt(_member(removed[k]), at);
        uint256 start;
        for (uint256 i; i < n; ++i) {
            uint256 w = i % 7 + 1;
            if (i == removed[0] || i == removed[1] || i == removed[2]) continue;
            // Every member near a subtree boundary, and a sample of the rest.
            if (i % 64 <= 1 || i % 64 >= 62 || i % 29 == 0) {
                assertEq(tree.pick(at, start, leaves, weights), _member(i), "first of its range");
                assertEq(tree.pick(at, start + w - 1, leaves, weights), _member(i), "last of its range");
            }
            start += w;
        }
        assertEq(start, tree.totalAt(at) - weights[0] - weights[1] - weights[2], "eligible weight");
    }

    // ------------------------------------------------------------------ fuzz against the reference

    /// @dev Totals, leaves and weights at every past block (and in the gaps between them) match
    /// the reference.
    function testFuzz_history_totalsLeavesAndWeightsMatchTheReference(uint256 seed, uint256 members, uint256 blocks)
        public
    {
        _play(seed, members, blocks);
        uint48 last = _blocks[_blocks.length - 1];
        for (uint48 b = uint48(START_BLOCK - 1); b <= last; ++b) {
            (bool any, uint256 s) = _snapAt(b);
            uint256 sum;
            for (uint256 m; m < _members; ++m) {
                uint256 w = any ? _weightAt[s][m] : 0;
                uint256 leaf = any ? _leafAt[s][m] : 0;
                (uint256 gotLeaf, uint256 gotWeight) = tree.leafAndWeightAt(_member(m), b);
                assertEq(gotLeaf, leaf, "leaf plus one");
                assertEq(gotWeight, w, "weight");
                sum += w;
            }
            assertEq(tree.totalAt(b), sum, "total");
        }
        uint256 now_;
        for (uint256 m; m < _members; ++m) {
            assertEq(tree.weightOf(_member(m)), _weight[m], "weight now");
            now_ += _weight[m];
        }
        assertEq(tree.total(), now_, "total now");
    }

    /// @dev At every past block, with up to three members removed, the first, last and a random
    /// value of each remaining member's cumulative range (in leaf order) pick that member.
    function testFuzz_pick_landsInTheRangeOfItsMemberInLeafOrder(uint256 seed, uint256 members, uint256 blocks)
        public
    {
        _play(seed, members, blocks);
        for (uint256 s; s < _blocks.length; ++s) {
            bool[MAX_MEMBERS] memory excluded;
            (uint256[] memory leaves, uint256[] memory weights) = _removal(s, excluded);
            _checkRanges(_blocks[s], s, excluded, leaves, weights);
        }
    }

    /// @dev Answers read right after each block stay the same after all later changes.
    function testFuzz_history_laterBlocksNeverChangeEarlierAnswers(uint256 seed, uint256 members, uint256 blocks)
        public
    {
        _rng = seed;
        _members = bound(members, 2, MAX_MEMBERS);
        blocks = bound(blocks, 2, 8);
        uint256[] memory totals = new uint256[](blocks);
        uint256[] memory rs = new uint256[](blocks);
        address[] memory picked = new address[](blocks);
        uint256[] memory none = new uint256[](0);
        for (uint256 i; i < blocks; ++i) {
            _playBlock();
            uint48 b = uint48(vm.getBlockNumber());
            vm.roll(vm.getBlockNumber() + 1);
            totals[i] = tree.totalAt(b);
            if (totals[i] != 0) {
                rs[i] = _next() % totals[i];
                picked[i] = tree.pick(b, rs[i], none, none);
            }
        }
        for (uint256 i; i < blocks; ++i) {
            uint48 b = _blocks[i];
            assertEq(tree.totalAt(b), totals[i], "total changed");
            if (totals[i] != 0) assertEq(tree.pick(b, rs[i], none, none), picked[i], "pick changed");
        }
    }

    // ------------------------------------------------------------------ reference

    /// @dev Sets random weights over `blocks` blocks (1 to 4 sets each, gaps of 1 to 3 blocks);
    /// about a third of the sets are zero, so leaves are released and reused.
    function _play(uint256 seed, uint256 members, uint256 blocks) private {
        _rng = seed;
        _members = bound(members, 2, MAX_MEMBERS);
        blocks = bound(blocks, 1, 8);
        for (uint256 i; i < blocks; ++i) {
            _playBlock();
            vm.roll(vm.getBlockNumber() + 1 + _next() % 3);
        }
    }

    function _playBlock() private {
        uint256 sets = 1 + _next() % 4;
        for (uint256 k; k < sets; ++k) {
            uint256 m = _next() % _members;
            uint256 r = _next();
            uint256 w = r % 3 == 0 ? 0 : (r % 11 == 1 ? 1e30 + r % 1e18 : 1 + (r >> 8) % 1_000);
            tree.set(_member(m), w);
            _refSet(m, w);
        }
        uint256 s = _blocks.length;
        _blocks.push(uint48(vm.getBlockNumber()));
        for (uint256 m; m < _members; ++m) {
            _weightAt[s][m] = _weight[m];
            _leafAt[s][m] = _leafPlusOne[m];
        }
    }

    /// @dev The library's `set`, on the reference.
    function _refSet(uint256 m, uint256 w) private {
        if (_leafPlusOne[m] == 0) {
            if (w == 0) return;
            uint256 leaf;
            if (_freeLeaves.length != 0) {
                leaf = _freeLeaves[_freeLeaves.length - 1];
                _freeLeaves.pop();
            } else {
                leaf = _nextLeaf++;
            }
            _leafPlusOne[m] = leaf + 1;
        }
        _weight[m] = w;
        if (w == 0) {
            _freeLeaves.push(_leafPlusOne[m] - 1);
            _leafPlusOne[m] = 0;
        }
    }

    /// @dev The last snapshot at or before block `b`.
    function _snapAt(uint48 b) private view returns (bool any, uint256 s) {
        for (uint256 i = _blocks.length; i > 0; --i) {
            if (_blocks[i - 1] <= b) return (true, i - 1);
        }
        return (false, 0);
    }

    /// @dev Up to three distinct random members (with or without a leaf) removed at snapshot `s`.
    function _removal(uint256 s, bool[MAX_MEMBERS] memory excluded)
        private
        returns (uint256[] memory leaves, uint256[] memory weights)
    {
        uint256 count = _next() % 4;
        leaves = new uint256[](count);
        weights = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint256 m = _next() % _members;
            if (excluded[m]) continue; // already removed: this entry stays unused (leaf 0)
            excluded[m] = true;
            leaves[i] = _leafAt[s][m];
            weights[i] = _weightAt[s][m];
        }
    }

    function _checkRanges(
        uint48 b,
        uint256 s,
        bool[MAX_MEMBERS] memory excluded,
        uint256[] memory leaves,
        uint256[] memory weights
    ) private {
        uint256 start;
        for (uint256 leaf; leaf < _nextLeaf; ++leaf) {
            (bool owned, uint256 m) = _ownerAt(s, leaf);
            if (!owned || excluded[m]) continue;
            uint256 w = _weightAt[s][m];
            assertEq(tree.pick(b, start, leaves, weights), _member(m), "first of the range");
            assertEq(tree.pick(b, start + w - 1, leaves, weights), _member(m), "last of the range");
            assertEq(tree.pick(b, start + _next() % w, leaves, weights), _member(m), "inside the range");
            start += w;
        }
        uint256 removed;
        for (uint256 i; i < weights.length; ++i) removed += weights[i];
        assertEq(start, tree.totalAt(b) - removed, "the ranges cover the eligible weight");
    }

    /// @dev The member holding `leaf` at snapshot `s` (every held leaf has weight).
    function _ownerAt(uint256 s, uint256 leaf) private view returns (bool, uint256) {
        for (uint256 m; m < _members; ++m) {
            if (_leafAt[s][m] == leaf + 1) return (true, m);
        }
        return (false, 0);
    }

    function _next() private returns (uint256) {
        _rng = uint256(keccak256(abi.encode(_rng)));
        return _rng;
    }

    function _member(uint256 i) private pure returns (address) {
        return address(uint160(0x1000 + i));
    }
}
