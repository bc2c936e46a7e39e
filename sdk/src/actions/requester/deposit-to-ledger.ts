import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  VaultAmountTooLargeError,
  VaultZeroAddressError,
  VaultZeroAmountError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { prepareFunding } from "../../utils/funding.ts";
import type { PaymentMethod } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type DepositToLedgerParameters = WriteParameters & {
  amount: bigint;
  /** The account credited. Default: the sender. */
  to?: Address | undefined;
  /** `"approve"` (default): approve the missing allowance first; `"permit"`: one transaction with a permit. */
  payment?: PaymentMethod | undefined;
};

export type DepositToLedgerReturnType = {
  /** The credited account's ledger balance after the deposit. */
  balance: bigint;
  approvalTransactionHash?: Hash | undefined;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type DepositToLedgerErrorType =
  | VaultZeroAmountError
  | VaultZeroAddressError
  | VaultAmountTooLargeError
  | ERC20InsufficientBalanceError
  | ERC20InsufficientAllowanceError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Moves tokens from the wallet into a ledger balance inside the market. Jobs are paid from the
 * ledger first, so a requester posting many jobs can deposit once and post without approvals.
 *
 * @example
 * await depositToLedger(client, { amount: parseEther("100") })
 */
export async function depositToLedger(
  client: HashworkBaseClient,
  parameters: DepositToLedgerParameters,
): Promise<DepositToLedgerReturnType> {
  const { address: sender } = requireWallet(client, "depositToLedger", parameters.account);
  const to = parameters.to ?? sender;
  const funding = await prepareFunding(client, {
    payer: sender,
    amount: parameters.amount,
    useLedger: false,
    payment: parameters.payment,
    account: parameters.account,
    action: "depositToLedger",
  });
  const common = { action: "depositToLedger", address: client.deployment.market, abi: hashworkMarketAbi, options: parameters };
  const p = funding.permit;
  const sent = p
    ? await sendContractTransaction(client, {
        ...common,
        functionName: "depositWithPermit",
        args: [to, parameters.amount, p.deadline, p.v, p.r, p.s],
      })
    : await sendContractTransaction(client, { ...common, functionName: "deposit", args: [to, parameters.amount] });
  const balance = await client.publicClient.readContract({
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "balanceOf",
    args: [to],
    blockNumber: sent.receipt.blockNumber,
  });
  return {
    balance,
    approvalTransactionHash: funding.approvalTransactionHash,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
