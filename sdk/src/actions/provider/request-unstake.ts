import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { RegistryInsufficientFreeStakeError, VaultZeroAmountError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type RequestUnstakeParameters = WriteParameters & {
  /** Free stake (not locked as collateral) to move to unbonding. */
  amount: bigint;
};

export type RequestUnstakeReturnType = {
  amount: bigint;
  /** Unix time from which `withdrawUnstaked` can send the unbonding stake. */
  unlockAt: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type RequestUnstakeErrorType =
  | RegistryInsufficientFreeStakeError
  | VaultZeroAmountError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Starts unbonding part of the sender's free stake. The unbonding period restarts with every
 * request, for everything already unbonding; earnings paid into stake leave the same way.
 *
 * @example
 * const { unlockAt } = await requestUnstake(client, { amount: parseEther("50") })
 */
export async function requestUnstake(client: HashworkBaseClient, parameters: RequestUnstakeParameters): Promise<RequestUnstakeReturnType> {
  const sent = await sendContractTransaction(client, {
    action: "requestUnstake",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "requestUnstake",
    args: [parameters.amount],
    options: parameters,
  });
  const [requested] = marketEventsInReceipt(client, sent.receipt, "UnstakeRequested");
  return {
    amount: requested!.args.amount,
    unlockAt: requested!.args.unlockAt,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
