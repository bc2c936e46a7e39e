// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";

/// @title IHashworkTimelock
/// @notice The timelock every owner power of the market and its dispute module sits behind. Its
/// delay can never be shorter than the longest a provider needs to get out: the unbonding period
/// plus the longest job the market's bounds allow (claim delay + execution time + challenge
/// window + dispute duration), so anyone can finish their jobs and withdraw before a change they
/// dislike takes effect.
interface IHashworkTimelock {
    /// @notice A delay below the bound was refused (in `updateDelay`, the bound is the current
    /// delay too: the delay never goes down).
    /// @param delay The delay asked for, in seconds.
    /// @param bound `minDelayBound()` (the constructor) or `getMinDelay()` (`updateDelay`), in seconds.
    error HashworkTimelockDelayBelowBound(uint256 delay, uint256 bound);

    /// @notice The market whose bounds set the minimum delay.
    function market() external view returns (IMarketGovernance);

    /// @notice The shortest delay allowed now, in seconds: the market's `unbondingPeriod` plus its
    /// `longestJobLifetime()` (claim delay + execution time + challenge window + dispute duration
    /// at the highest bounds ever set, so lowering the bounds never lowers this floor).
    function minDelayBound() external view returns (uint256);

    /// @notice Accepts a two-step ownership transfer to this timelock (`target.acceptOwnership()`).
    /// Admin only: the deployer uses it while wiring the deployment, then renounces the admin
    /// role; afterwards accepting ownership is a timelocked operation like any other.
    /// @param target An `Ownable2Step` contract whose pending owner is this timelock.
    function acceptOwnershipOf(address target) external;
}
