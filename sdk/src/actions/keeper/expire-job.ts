import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { MarketClaimDeadlineNotReachedError, MarketUnexpectedJobStateError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type ExpireJobParameters = WriteParameters & {
  jobId: bigint;
};

export type ExpireJobReturnType = {
  requester: Address;
  /** The reward credited back to the requester's ledger balance. */
  refund: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ExpireJobErrorType =
  | MarketClaimDeadlineNotReachedError
  | MarketUnexpectedJobStateError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Settles a job nobody claimed before its claim deadline: the reward goes back to the
 * requester's ledger balance. Permissionless (`MarketClaimDeadlineNotReachedError` before the
 * deadline, `MarketUnexpectedJobStateError` unless the job is Open).
 *
 * @example
 * const { refund } = await expireJob(client, { jobId })
 */
export async function expireJob(client: HashworkBaseClient, parameters: ExpireJobParameters): Promise<ExpireJobReturnType> {
  const sent = await sendContractTransaction(client, {
    action: "expireJob",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "expireJob",
    args: [parameters.jobId],
    options: parameters,
  });
  const [expired] = marketEventsInReceipt(client, sent.receipt, "JobExpired");
  return {
    requester: expired!.args.requester,
    refund: expired!.args.refund,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
