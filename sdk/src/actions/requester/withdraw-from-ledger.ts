import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { VaultInsufficientBalanceError, VaultZeroAddressError, VaultZeroAmountError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type WithdrawFromLedgerParameters = WriteParameters & {
  /** How much to withdraw. Default: the whole ledger balance. */
  amount?: bigint | undefined;
  /** Who receives the tokens. Default: the sender. */
  to?: Address | undefined;
};

export type WithdrawFromLedgerReturnType = {
  amount: bigint;
  to: Address;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type WithdrawFromLedgerErrorType =
  | VaultInsufficientBalanceError
  | VaultZeroAmountError
  | VaultZeroAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Sends tokens from the sender's ledger balance (refunds, deposits, dispute payouts) to a wallet.
 *
 * @example
 * const { amount } = await withdrawFromLedger(client, {}) // everything, to the sender
 */
export async function withdrawFromLedger(
  client: HashworkBaseClient,
  parameters: WithdrawFromLedgerParameters = {},
): Promise<WithdrawFromLedgerReturnType> {
  const { address: sender } = requireWallet(client, "withdrawFromLedger", parameters.account);
  const amount =
    parameters.amount ??
    (await client.publicClient.readContract({
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "balanceOf",
      args: [sender],
    }));
  const sent = await sendContractTransaction(client, {
    action: "withdrawFromLedger",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "withdraw",
    args: [parameters.to ?? sender, amount],
    options: parameters,
  });
  const [withdrawn] = marketEventsInReceipt(client, sent.receipt, "Withdrawn");
  return {
    amount: withdrawn!.args.amount,
    to: withdrawn!.args.to,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
