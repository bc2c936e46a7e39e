// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDisputeHooks} from "./IDisputeHooks.sol";
import {IJobMarket} from "./IJobMarket.sol";
import {IMarketGovernance} from "./IMarketGovernance.sol";
import {IPayBuckets} from "./IPayBuckets.sol";
import {IProviderRegistry} from "./IProviderRegistry.sol";
import {IReputation} from "./IReputation.sol";
import {ITokenVault} from "./ITokenVault.sol";

/// @title The whole market surface, as other contracts (the dispute module) see it.
/// @notice Composes the market's interfaces; it declares nothing of its own.
interface IHashworkMarket is
    IJobMarket,
    IDisputeHooks,
    ITokenVault,
    IProviderRegistry,
    IReputation,
    IMarketGovernance,
    IPayBuckets
{}
