import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  RegistryNothingToWithdrawError,
  RegistryUnbondingNotElapsedError,
  VaultZeroAddressError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type WithdrawUnstakedParameters = WriteParameters & {
  /** Who receives the tokens. Default: the sender. */
  to?: Address | undefined;
};

export type WithdrawUnstakedReturnType = {
  amount: bigint;
  to: Address;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type WithdrawUnstakedErrorType =
  | RegistryNothingToWithdrawError
  | RegistryUnbondingNotElapsedError
  | VaultZeroAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Sends all of the sender's unbonded stake to a wallet once the unbonding period has passed.
 *
 * @example
 * const { amount } = await withdrawUnstaked(client)
 */
export async function withdrawUnstaked(
  client: HashworkBaseClient,
  parameters: WithdrawUnstakedParameters = {},
): Promise<WithdrawUnstakedReturnType> {
  const { address: provider } = requireWallet(client, "withdrawUnstaked", parameters.account);
  const sent = await sendContractTransaction(client, {
    action: "withdrawUnstaked",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "withdrawUnstaked",
    args: [parameters.to ?? provider],
    options: parameters,
  });
  const [withdrawn] = marketEventsInReceipt(client, sent.receipt, "UnstakeWithdrawn");
  return {
    amount: withdrawn!.args.amount,
    to: withdrawn!.args.to,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
