// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title HashworkToken
/// @notice A plain ERC20 + EIP-2612 permit token for local and test deployments. The market
/// itself settles in any standard ERC20 chosen at deploy time (a stablecoin, for example).
contract HashworkToken is ERC20, ERC20Permit, Ownable {
    constructor(address owner_, uint256 initialSupply)
        ERC20("Hashwork Token", "HWK")
        ERC20Permit("Hashwork Token")
        Ownable(owner_)
    {
        _mint(owner_, initialSupply);
    }

    /// @notice Mint test tokens. Owner only; there is no such function on a production token.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
