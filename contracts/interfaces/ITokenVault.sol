// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork token vault: the one place tokens enter and leave the market.
/// @notice Every account has a ledger balance inside the market: deposits, refunds and dispute
/// payouts land there, and job rewards are paid from it. Tokens leave only through `withdraw`,
/// stake withdrawals and fee withdrawals, so `totalOwed()` always equals what the market owes
/// and never exceeds `token.balanceOf(market)`.
interface ITokenVault {
    /// @notice The token moved less (or more) than asked: fee-on-transfer tokens are refused.
    error VaultFeeOnTransferToken(uint256 expected, uint256 received);
    /// @notice The account's ledger balance is too small.
    error VaultInsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice Tokens credited or sent to the zero address could never be recovered.
    error VaultZeroAddress();
    /// @notice Amounts must be non-zero.
    error VaultZeroAmount();
    /// @notice The token address is not a contract.
    error VaultInvalidToken(address token);
    /// @notice Ledger amounts are capped so packed storage cannot overflow.
    error VaultAmountTooLarge(uint256 amount, uint256 max);

    /// @notice `amount` tokens were pulled from `payer` and credited to `account`.
    /// @param account The account credited.
    /// @param payer The account the tokens were pulled from.
    /// @param amount Tokens deposited.
    event Deposited(address indexed account, address indexed payer, uint256 amount);
    /// @notice `amount` tokens were sent from `account`'s ledger balance to `to`.
    /// @param account The account debited.
    /// @param to The recipient.
    /// @param amount Tokens sent.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice Ledger balance moved between two accounts inside the market.
    /// @param from The account debited.
    /// @param to The account credited.
    /// @param amount Ledger tokens moved.
    event BalanceTransferred(address indexed from, address indexed to, uint256 amount);

    /// @notice The ERC20 this market settles in.
    function token() external view returns (address);

    /// @notice `account`'s withdrawable ledger balance.
    /// @param account The account asked about.
    /// @return Its withdrawable ledger balance.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Everything the market owes: ledger balances, escrowed rewards, stakes,
    /// unbonding stake and accrued protocol fees.
    function totalOwed() external view returns (uint256);

    /// @notice Pull `amount` tokens from the caller (by allowance) into `account`'s balance.
    /// @param account The account credited.
    /// @param amount Tokens pulled from the caller.
    function deposit(address account, uint256 amount) external;

    /// @notice Apply an EIP-2612 permit, then deposit.
    /// @param account The account credited.
    /// @param amount Tokens pulled from the caller (and the permit's value).
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function depositWithPermit(
        address account,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Send `amount` of the caller's balance to `to`.
    /// @param to The recipient.
    /// @param amount Tokens to send from the caller's balance.
    function withdraw(address to, uint256 amount) external;

    /// @notice Move `amount` of the caller's balance to `to` inside the market.
    /// @param to The account credited.
    /// @param amount Ledger tokens to move from the caller's balance.
    function transferBalance(address to, uint256 amount) external;
}
