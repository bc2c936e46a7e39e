import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  MarketInvalidBatchError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import {
  InvalidParameterError,
  type MissingAccountError,
  type MissingWalletClientError,
  type TransactionRevertedError,
} from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { prepareFunding, type Funding } from "../../utils/funding.ts";
import { checkJobTerms, checkJobValue, getJobValueBounds, toJobRequest, type JobRequest, type JobSpec } from "../../utils/job-request.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { preflightJobs, type PreflightOptions } from "./preflight-jobs.ts";
import type { PostJobErrorType } from "./post-job.ts";

/** Largest batch the market accepts (`HashworkMarket.MAX_BATCH`). */
export const MAX_BATCH = 100;

export type PostJobsParameters = WriteParameters & {
  /** One to `MAX_BATCH` jobs, posted in this order. */
  jobs: readonly JobSpec[];
  /** The pre-flight checks, as in `postJob` (on by default; `false` skips them). */
  preflight?: PreflightOptions | false | undefined;
};

export type PostJobsReturnType = {
  /** The new jobs' ids, in the order of `jobs`. */
  jobIds: bigint[];
  requests: JobRequest[];
  /** How the total reward was paid. */
  funding: Funding;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type PostJobsErrorType =
  | PostJobErrorType
  | MarketInvalidBatchError
  | ERC20InsufficientBalanceError
  | ERC20InsufficientAllowanceError
  | ContractRevertError
  | InvalidParameterError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Posts several jobs in one transaction (`postJobs`): cheaper per job, and the total reward's
 * shortfall beyond the ledger balance is approved and pulled once. Every job is checked against
 * the market's `minReward` and collateral bounds before anything is sent (`JobValueOutOfBoundsError`
 * names the first job and value to change), then through `postJob`'s pre-flight checks (each URI
 * fetched once), and the balance is checked against the total before any approve.
 *
 * @example
 * const { jobIds } = await postJobs(client, {
 *   jobs: tiles.map((t) => ({ programHash, inputHash: t.hash, inputURI: t.uri, fuelLimit: 10_000_000n,
 *     reward: parseEther("1"), executionTime: 600, challengeWindow: 600 })),
 * })
 */
export async function postJobs(client: HashworkBaseClient, parameters: PostJobsParameters): Promise<PostJobsReturnType> {
  const { account, address: requester } = requireWallet(client, "postJobs", parameters.account);
  if (parameters.jobs.length === 0 || parameters.jobs.length > MAX_BATCH) {
    throw new InvalidParameterError({ parameter: "jobs", reason: `must hold 1 to ${MAX_BATCH} jobs, got ${parameters.jobs.length}` });
  }
  const requests: JobRequest[] = [];
  const bounds = await getJobValueBounds(client);
  for (const [i, spec] of parameters.jobs.entries()) {
    const request = await toJobRequest(client, spec, `jobs[${i}]`);
    checkJobValue(bounds, request, `jobs[${i}]`);
    requests.push(request);
  }
  await checkJobTerms(client, bounds, requests);
  const preflight = parameters.preflight ?? {};
  if (preflight !== false) await preflightJobs(client, { jobs: requests, names: requests.map((_, i) => `jobs[${i}]`), options: preflight });
  const total = requests.reduce((sum, r) => sum + r.reward, 0n);
  const funding = await prepareFunding(client, {
    checkBalance: preflight !== false && preflight.balance !== false,
    // Any other revert (a job the market refuses, a paused market) before the approve, not after.
    dryRun: () =>
      client.publicClient.simulateContract({
        address: client.deployment.market,
        abi: hashworkMarketAbi,
        functionName: "postJobs",
        args: [requests],
        account,
      }),
    payer: requester,
    amount: total,
    account: parameters.account,
    action: "postJobs",
  });
  const sent = await sendContractTransaction(client, {
    action: "postJobs",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "postJobs",
    args: [requests],
    options: parameters,
  });
  const jobIds = marketEventsInReceipt(client, sent.receipt, "JobPosted").map((e) => e.args.jobId);
  return { jobIds, requests, funding, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
