import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { MarketNotRequesterError, MarketUnexpectedJobStateError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type CancelJobParameters = WriteParameters & {
  jobId: bigint;
};

export type CancelJobReturnType = {
  /** The reward credited back to the requester's ledger balance (withdraw it with `withdrawFromLedger`). */
  refund: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type CancelJobErrorType =
  | MarketUnexpectedJobStateError
  | MarketNotRequesterError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Withdraws an unclaimed (Open) job. Only its requester may cancel; the reward goes back to the
 * requester's ledger balance, ready for the next post or a withdrawal.
 *
 * @example
 * const { refund } = await cancelJob(client, { jobId })
 */
export async function cancelJob(client: HashworkBaseClient, parameters: CancelJobParameters): Promise<CancelJobReturnType> {
  const sent = await sendContractTransaction(client, {
    action: "cancelJob",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "cancelJob",
    args: [parameters.jobId],
    options: parameters,
  });
  const [cancelled] = marketEventsInReceipt(client, sent.receipt, "JobCancelled");
  return { refund: cancelled!.args.refund, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
