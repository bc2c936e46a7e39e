import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  MarketChallengeWindowOpenError,
  MarketPaidByBucketError,
  MarketTermsMismatchError,
  MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import {
  JobResultNotFoundError,
  type MissingAccountError,
  type MissingWalletClientError,
  type TransactionRevertedError,
} from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { findJobResult, readJobState } from "../../utils/results.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type FinalizeJobParameters = WriteParameters & {
  jobId: bigint;
  /**
   * The settlement terms. Default: recovered from the job's `ResultSubmitted` event (searched
   * from the deployment's `fromBlock`).
   */
  terms?: SubmittedJobTerms | undefined;
};

export type FinalizeJobReturnType = {
  provider: Address;
  /** Reward minus the protocol fee, paid into the provider's stake. */
  providerPayout: bigint;
  protocolFee: bigint;
  /** The provider's collateral released by the settlement. */
  collateralUnlocked: bigint;
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type FinalizeJobErrorType =
  | MarketUnexpectedJobStateError
  | MarketChallengeWindowOpenError
  | MarketPaidByBucketError
  | MarketTermsMismatchError
  | JobResultNotFoundError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Settles a submitted job whose challenge window has passed: the provider is paid (into its
 * stake) and its collateral unlocked. A fast-path job paid through its provider's pay bucket
 * throws `MarketPaidByBucketError`: `releasePay` pays it (see `getPendingPay`).
 * Permissionless — requesters, providers and keepers all
 * call it. The market keeps only a hash of the settlement terms, so they are read back from
 * the job's `ResultSubmitted` event unless passed in.
 *
 * @example
 * const { result } = await waitForResult(client, { jobId })
 * // … after result.challengeEnd …
 * const { providerPayout } = await finalizeJob(client, { jobId, terms: result.terms })
 */
export async function finalizeJob(client: HashworkBaseClient, parameters: FinalizeJobParameters): Promise<FinalizeJobReturnType> {
  const { jobId } = parameters;
  let terms = parameters.terms;
  if (!terms) {
    const result = await findJobResult(client, { jobId });
    if (!result) throw new JobResultNotFoundError({ jobId, state: await readJobState(client, jobId) });
    terms = result.terms;
  }
  const sent = await sendContractTransaction(client, {
    action: "finalizeJob",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "finalizeJob",
    args: [jobId, terms],
    options: parameters,
  });
  const [finalized] = marketEventsInReceipt(client, sent.receipt, "JobFinalized");
  const a = finalized!.args;
  return {
    provider: a.provider,
    providerPayout: a.providerPayout,
    protocolFee: a.protocolFee,
    collateralUnlocked: a.collateralUnlocked,
    terms,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
