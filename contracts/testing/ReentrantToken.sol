// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A reentrant ERC20 for tests.
/// @notice Adversarial test token: on every transfer it makes one armed call (for example
/// back into the market) and records whether that call succeeded. Used only by tests; never
/// deployed by scripts or Ignition.
contract ReentrantToken is ERC20 {
    /// @notice Where the armed call goes.
    address public attackTarget;
    /// @notice The armed call's calldata.
    bytes public payload;
    /// @notice Whether the last armed call succeeded.
    bool public attackSucceeded;
    /// @notice What the last armed call reverted with.
    bytes public attackRevertData;
    /// @notice How many armed calls were made.
    uint256 public attacks;

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mint tokens to anyone (test token).
    /// @param to The recipient.
    /// @param amount Tokens to mint.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arm a call to run once, during the next transfer.
    /// @param target_ Where the call goes.
    /// @param payload_ Its calldata.
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
            // The armed call is arbitrary by design: a low-level call.
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory data) = t.call(payload);
            attackSucceeded = ok;
            attackRevertData = data;
        }
    }
}
