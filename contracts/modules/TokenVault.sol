// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ITokenVault} from "../interfaces/ITokenVault.sol";

/// @title Hashwork token vault.
/// @notice Token custody and the internal ledger. Every token transfer of the market goes
/// through `_pullExact` or `_pushOut`, which keep `_totalOwed` equal to what the market owes.
abstract contract TokenVault is ITokenVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A ledger account: withdrawable balance and the requester's job counter
    /// (packed together: posting a job debits one and bumps the other in one write).
    struct Account {
        uint128 balance;
        uint64 jobNonce;
    }

    IERC20 internal immutable _token;
    mapping(address account => Account) internal _accounts;
    uint256 internal _totalOwed;

    constructor(IERC20 token_) {
        if (address(token_).code.length == 0) revert VaultInvalidToken(address(token_));
        _token = token_;
    }

    // ------------------------------------------------------------------ external

    /// @inheritdoc ITokenVault
    function deposit(address account, uint256 amount) external nonReentrant {
        _deposit(account, amount);
    }

    /// @inheritdoc ITokenVault
    function depositWithPermit(address account, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        _tryPermit(amount, deadline, v, r, s);
        _deposit(account, amount);
    }

    /// @inheritdoc ITokenVault
    function withdraw(address to, uint256 amount) external nonReentrant {
        if (amount == 0) revert VaultZeroAmount();
        if (to == address(0)) revert VaultZeroAddress();
        _debit(msg.sender, amount);
        emit Withdrawn(msg.sender, to, amount);
        _pushOut(to, amount);
    }

    /// @inheritdoc ITokenVault
    function transferBalance(address to, uint256 amount) external {
        if (amount == 0) revert VaultZeroAmount();
        if (to == address(0)) revert VaultZeroAddress();
        _debit(msg.sender, amount);
        _credit(to, amount);
        emit BalanceTransferred(msg.sender, to, amount);
    }

    /// @inheritdoc ITokenVault
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc ITokenVault
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    /// @inheritdoc ITokenVault
    function totalOwed() external view returns (uint256) {
        return _totalOwed;
    }

    // ------------------------------------------------------------------ internal

    function _deposit(address account, uint256 amount) private {
        if (amount == 0) revert VaultZeroAmount();
        if (account == address(0)) revert VaultZeroAddress();
        _pullExact(msg.sender, amount);
        _credit(account, amount);
        emit Deposited(account, msg.sender, amount);
    }

    /// @dev Pulls exactly `amount` from `from` or reverts: the balance-difference check refuses
    /// fee-on-transfer and other tokens whose transfers do not move what they say.
    function _pullExact(address from, uint256 amount) internal {
        if (amount > type(uint96).max) revert VaultAmountTooLarge(amount, type(uint96).max);
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(from, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        if (received != amount) revert VaultFeeOnTransferToken(amount, received);
        _totalOwed += amount;
    }

    /// @dev Sends `amount` out. Callers have already removed it from whatever owed it
    /// (checks-effects-interactions): the transfer is always the last step.
    function _pushOut(address to, uint256 amount) internal {
        _totalOwed -= amount;
        _token.safeTransfer(to, amount);
    }

    function _credit(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        uint256 balance = a.balance + amount;
        if (balance > type(uint128).max) revert VaultAmountTooLarge(balance, type(uint128).max);
        a.balance = uint128(balance);
    }

    function _debit(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        uint256 balance = a.balance;
        if (balance < amount) revert VaultInsufficientBalance(account, balance, amount);
        // Cannot underflow: checked just above.
        unchecked {
            a.balance = uint128(balance - amount);
        }
    }

    /// @dev A failed permit is ignored: someone may have front-run it with the same signature,
    /// in which case the allowance is already there and the transfer that follows succeeds.
    function _tryPermit(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) internal {
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
    }
}
