import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { MarketExecutionDeadlineNotReachedError, MarketUnexpectedJobStateError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type TimeOutJobParameters = WriteParameters & {
  jobId: bigint;
};

export type TimeOutJobReturnType = {
  provider: Address;
  requester: Address;
  /** The reward credited back to the requester's ledger balance. */
  refund: bigint;
  /** The provider's collateral, slashed and credited to the requester as well. */
  collateralSlashed: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type TimeOutJobErrorType =
  | MarketExecutionDeadlineNotReachedError
  | MarketUnexpectedJobStateError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Settles a claimed job whose provider missed its execution deadline: the requester gets the
 * reward back plus the provider's slashed collateral. Permissionless
 * (`MarketExecutionDeadlineNotReachedError` before the deadline, `MarketUnexpectedJobStateError`
 * unless the job is Claimed).
 *
 * @example
 * const { refund, collateralSlashed } = await timeOutJob(client, { jobId })
 */
export async function timeOutJob(client: HashworkBaseClient, parameters: TimeOutJobParameters): Promise<TimeOutJobReturnType> {
  const sent = await sendContractTransaction(client, {
    action: "timeOutJob",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "timeOutJob",
    args: [parameters.jobId],
    options: parameters,
  });
  const [timedOut] = marketEventsInReceipt(client, sent.receipt, "JobTimedOut");
  const a = timedOut!.args;
  return {
    provider: a.provider,
    requester: a.requester,
    refund: a.refund,
    collateralSlashed: a.collateralSlashed,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
