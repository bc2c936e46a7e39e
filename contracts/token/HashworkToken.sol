// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title HashworkToken
/// @notice The governance token (ERC20 + EIP-2612 permit + ERC20Votes): holders delegate votes
/// to themselves or others and vote in `HashworkGovernor`. Votes are checkpointed by timestamp
/// (ERC-6372 `mode=timestamp`), the clock the market's periods use. The market does not depend
/// on this token: it settles in any standard ERC20 chosen at deploy time (a stablecoin, say);
/// local and test deployments settle in this one.
contract HashworkToken is ERC20, ERC20Permit, ERC20Votes, Ownable {
    constructor(address owner_, uint256 initialSupply)
        ERC20("Hashwork Token", "HWK")
        ERC20Permit("Hashwork Token")
        Ownable(owner_)
    {
        _mint(owner_, initialSupply);
    }

    /// @notice Mint tokens. Owner only: the deployer on local chains; the Ignition deployment
    /// hands ownership to the timelock, so new supply (new votes) needs a governance vote.
    /// @param to The recipient.
    /// @param amount Tokens to mint.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Votes are checkpointed by block timestamp (ERC-6372).
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description: timestamps.
    /// @return The clock mode, "mode=timestamp".
    function CLOCK_MODE() public pure override returns (string memory) { // solhint-disable-line func-name-mixedcase
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner_) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner_);
    }

    /// @dev Balances and vote checkpoints move together.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
