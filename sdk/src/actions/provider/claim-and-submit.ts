import type { Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  MarketClaimDeadlinePassedError,
  MarketInvalidBatchError,
  MarketNotDesignatedProviderError,
  MarketPausedError,
  MarketReputationTooLowError,
  MarketUnexpectedJobStateError,
  MarketZeroResultHashError,
  RegistryBelowMinimumStakeError,
  RegistryInsufficientFreeStakeError,
  RegistryNotProviderError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { toJobResult, type JobResult } from "../../utils/results.ts";
import { sendContractTransaction } from "../../utils/write.ts";

/** One job of the fast path: the result of a run made before claiming. */
export type FastPathSubmission = {
  jobId: bigint;
  /** The commitment (`computeResultHash`) of the run. */
  resultHash: Hex;
  /** Where the output can be fetched (a hint; see `submitResult`). */
  outputURI: string;
};

export type ClaimAndSubmitParameters = WriteParameters & FastPathSubmission;

export type ClaimAndSubmitReturnType = {
  /** Stake locked as collateral until the job settles. */
  collateral: bigint;
  /** The committed result, with the terms `finalizeJob` settles on and `challengeEnd`. */
  result: JobResult;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ClaimAndSubmitJobsParameters = WriteParameters & {
  /** At most `MAX_BATCH` (100) jobs. */
  submissions: readonly FastPathSubmission[];
};

export type ClaimAndSubmitJobsReturnType = {
  /** The jobs this transaction claimed and submitted, in batch order. */
  results: JobResult[];
  /** The jobs skipped because they were no longer open (another provider was first, or cancelled). */
  skipped: bigint[];
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ClaimAndSubmitErrorType =
  | MarketUnexpectedJobStateError
  | MarketClaimDeadlinePassedError
  | MarketNotDesignatedProviderError
  | MarketReputationTooLowError
  | MarketZeroResultHashError
  | MarketInvalidBatchError
  | MarketPausedError
  | RegistryNotProviderError
  | RegistryBelowMinimumStakeError
  | RegistryInsufficientFreeStakeError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * The fast path: claims an open job and commits the result of a run made before claiming, in one
 * transaction. Use it for short jobs (the run is at risk: a provider that loses the race to another
 * loses its compute and, at worst, the gas of a reverted transaction, never collateral). The
 * challenge window, the audit lottery and disputes are those of `claimJob` + `submitResult`.
 *
 * @example
 * const { result } = await claimAndSubmit(client, { jobId, resultHash, outputURI })
 */
export async function claimAndSubmit(client: HashworkBaseClient, parameters: ClaimAndSubmitParameters): Promise<ClaimAndSubmitReturnType> {
  const sent = await sendContractTransaction(client, {
    action: "claimAndSubmit",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "claimAndSubmit",
    args: [parameters.jobId, parameters.resultHash, parameters.outputURI],
    options: parameters,
  });
  const [claimed] = marketEventsInReceipt(client, sent.receipt, "JobClaimed");
  const [submitted] = marketEventsInReceipt(client, sent.receipt, "ResultSubmitted");
  return {
    collateral: claimed!.args.collateral,
    result: toJobResult(submitted!),
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}

/**
 * The fast path for many jobs in one transaction (`claimAndSubmitJobs`). Jobs that are no longer
 * open when it lands are skipped and returned in `skipped`; anything else a job could fail on
 * (a passed claim deadline, too little free stake for all of them, a zero hash) reverts the batch.
 *
 * @example
 * const { results, skipped } = await claimAndSubmitJobs(client, { submissions })
 */
export async function claimAndSubmitJobs(
  client: HashworkBaseClient,
  parameters: ClaimAndSubmitJobsParameters,
): Promise<ClaimAndSubmitJobsReturnType> {
  const { submissions } = parameters;
  const sent = await sendContractTransaction(client, {
    action: "claimAndSubmitJobs",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "claimAndSubmitJobs",
    args: [submissions.map((s) => s.jobId), submissions.map((s) => s.resultHash), submissions.map((s) => s.outputURI)],
    options: parameters,
  });
  const results = marketEventsInReceipt(client, sent.receipt, "ResultSubmitted").map(toJobResult);
  const won = new Set(results.map((r) => r.jobId));
  return {
    results,
    skipped: submissions.map((s) => s.jobId).filter((id) => !won.has(id)),
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
