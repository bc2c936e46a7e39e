import { encodeEventTopics, type Address, type Hash, type ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { JobStateName } from "../../abi/enums.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { JobRequest } from "../../utils/job-request.ts";
import { jobStateName } from "../../utils/job-state.ts";
import { getDecodedLogs, type BlockRange } from "../../utils/logs.ts";

export type ListJobsParameters = BlockRange & {
  /** Only jobs currently in one of these states. Default: every state. */
  states?: readonly JobStateName[] | undefined;
  /** Only jobs posted by this requester. */
  requester?: Address | undefined;
};

export type JobSummary = {
  jobId: bigint;
  requester: Address;
  /** The job's state as of `toBlock` (default: the latest block). */
  state: JobStateName;
  /** The request as posted (program, input, URIs, reward, windows…). */
  request: JobRequest;
  postedBlock: bigint;
  transactionHash: Hash;
};

export type ListJobsReturnType = JobSummary[];

export type ListJobsErrorType = ReadContractErrorType;

/** How many `jobState` reads run at once. */
const READ_CONCURRENCY = 16;

/**
 * Lists jobs from their `JobPosted` events (in posting order), each with its state read at the
 * same block the log search ended at, optionally filtered by state and requester. A provider
 * looking for work lists `{ states: ["Open"] }`.
 *
 * @example
 * const open = await listJobs(client, { states: ["Open"] })
 * const mine = await listJobs(client, { requester: account.address })
 */
export async function listJobs(client: HashworkBaseClient, parameters: ListJobsParameters = {}): Promise<ListJobsReturnType> {
  const toBlock = parameters.toBlock ?? (await client.publicClient.getBlockNumber());
  const logs = await getDecodedLogs(client, {
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    topics: encodeEventTopics({
      abi: hashworkMarketAbi,
      eventName: "JobPosted",
      args: parameters.requester ? { requester: parameters.requester } : {},
    }),
    fromBlock: parameters.fromBlock,
    toBlock,
    maxBlockRange: parameters.maxBlockRange,
  });
  const posted = logs.flatMap((l) => (l.eventName === "JobPosted" ? [l] : []));
  const states: JobStateName[] = new Array(posted.length);
  for (let i = 0; i < posted.length; i += READ_CONCURRENCY) {
    const batch = posted.slice(i, i + READ_CONCURRENCY);
    const read = await Promise.all(
      batch.map((l) =>
        client.publicClient.readContract({
          address: client.deployment.market,
          abi: hashworkMarketAbi,
          functionName: "jobState",
          args: [l.args.jobId],
          blockNumber: toBlock,
        }),
      ),
    );
    for (const [j, s] of read.entries()) states[i + j] = jobStateName(s);
  }
  const wanted = parameters.states ? new Set(parameters.states) : undefined;
  return posted
    .map((l, i) => ({
      jobId: l.args.jobId,
      requester: l.args.requester,
      state: states[i]!,
      request: l.args.request,
      postedBlock: l.blockNumber,
      transactionHash: l.transactionHash,
    }))
    .filter((job) => !wanted || wanted.has(job.state));
}
