// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";

/// @notice Draws a dispute committee from the market's registered providers, stake-weighted,
/// without replacement, never picking an excluded party. Kept apart so it can be fuzzed over
/// seeds against a real registry.
library CommitteeSampler {
    /// @notice What a draw needs besides the seed.
    struct Draw {
        /// Seats to fill.
        uint256 size;
        /// Free stake each verifier must be able to lock.
        uint256 lock;
        /// Free stake above this weighs no more.
        uint256 weightCap;
        /// Attempts before giving up (the draw then returns fewer than `size` verifiers).
        uint256 maxAttempts;
        /// Parties that may never sit: the provider, the challenger, the requester.
        address[3] excluded;
    }

    /// @notice Rejection sampling: each attempt picks a provider id uniformly from the seed and
    /// accepts it with probability min(free stake, weightCap) / weightCap. Excluded parties,
    /// repeats and providers whose free stake cannot cover `lock` are skipped.
    /// @param domain Separates draws that share a seed (job id and round).
    function sample(IProviderRegistry registry, bytes32 seed, bytes32 domain, Draw memory draw)
        internal
        view
        returns (address[] memory chosen)
    {
        chosen = new address[](draw.size);
        uint256 count = registry.providerCount();
        uint256 filled;
        for (uint256 a; a < draw.maxAttempts && filled < draw.size && count != 0; ++a) {
            uint256 r = uint256(keccak256(abi.encode(seed, domain, a)));
            address candidate = registry.providerById(uint32(1 + (r % count)));
            if (_isExcluded(candidate, draw.excluded, chosen, filled)) continue;
            uint256 free = registry.freeStakeOf(candidate);
            if (free < draw.lock) continue;
            uint256 weight = free < draw.weightCap ? free : draw.weightCap;
            // The high half of r decides acceptance; the low half chose the id.
            if ((r >> 128) % draw.weightCap >= weight) continue;
            chosen[filled++] = candidate;
        }
        assembly ("memory-safe") {
            mstore(chosen, filled)
        }
    }

    function _isExcluded(address candidate, address[3] memory excluded, address[] memory chosen, uint256 filled)
        private
        pure
        returns (bool)
    {
        if (candidate == excluded[0] || candidate == excluded[1] || candidate == excluded[2]) return true;
        for (uint256 i; i < filled; ++i) {
            if (chosen[i] == candidate) return true;
        }
        return false;
    }
}
