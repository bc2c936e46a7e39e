// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {MarketGovernance} from "./MarketGovernance.sol";
import {TokenVault} from "./TokenVault.sol";

/// @title Hashwork market governance, deployed apart.
/// @notice The owner's setters, pause, fee withdrawal and surplus sweep, reached by delegatecall
/// from the market that created it (`GovernanceForwarder`) and run in the market's storage: cold
/// code, moved out to keep the market under 24,576 bytes.
/// @dev It inherits exactly the market's storage prefix (TokenVault, Ownable, Ownable2Step,
/// MarketGovernance), which is all these functions touch. Called directly it acts on its own
/// storage only: it holds no market funds, its owner is the market's, and the only tokens it can
/// ever hold are ones a caller deposits into it (and can withdraw) or sends it by mistake (which
/// `sweepSurplus` sends to the treasury).
contract MarketAdmin is MarketGovernance {
    constructor(
        IERC20 token_,
        address owner_,
        address treasury_,
        MarketConfig memory config_,
        uint16 feeBps_,
        uint32 maxDisputeDuration_
    ) TokenVault(token_) MarketGovernance(owner_, treasury_, config_, feeBps_, maxDisputeDuration_) {}
}
