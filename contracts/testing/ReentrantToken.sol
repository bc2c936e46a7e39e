// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Adversarial test token: on every transfer it makes one armed call (for example
/// back into the market) and records whether that call succeeded. Used only by tests; never
/// deployed by scripts or Ignition.
contract ReentrantToken is ERC20 {
    address public attackTarget;
    bytes public payload;
    bool public attackSucceeded;
    bytes public attackRevertData;
    uint256 public attacks;

    constructor() ERC20("Reentrant", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arm a call to run once, during the next transfer.
    function arm(address target_, bytes calldata payload_) external {
        attackTarget = target_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = attackTarget;
        if (t != address(0) && from != address(0) && to != address(0)) {
            attackTarget = address(0); // one shot
            ++attacks;
            (bool ok, bytes memory data) = t.call(payload);
            attackSucceeded = ok;
            attackRevertData = data;
        }
    }
}
