import type { Address, Hash } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getDecodedLogs, jobEventTopics, marketJobEvents, type BlockRange } from "../../utils/logs.ts";

export type GetJobHistoryParameters = BlockRange & {
  jobId: bigint;
};

/** One event in a job's life, decoded. */
export type JobHistoryEntry = {
  /** `JobPosted`, `JobClaimed`, `ResultSubmitted`, `JobFinalized`, `JobDisputed`, … */
  eventName: (typeof marketJobEvents)[number];
  /** The event's arguments, by name. */
  args: Record<string, unknown>;
  /** The contract that emitted it. */
  address: Address;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hash;
};

export type GetJobHistoryReturnType = JobHistoryEntry[];

export type GetJobHistoryErrorType = Error;

/**
 * Every event about a job, in block and log order: posted, claimed, submitted, disputed,
 * settled (finalized, cancelled, expired, timed out, overturned or voided). One filtered log
 * query — all these events carry the job id as their first indexed argument.
 *
 * @example
 * for (const e of await getJobHistory(client, { jobId })) console.log(e.blockNumber, e.eventName)
 */
export async function getJobHistory(
  client: HashworkBaseClient,
  parameters: GetJobHistoryParameters,
): Promise<GetJobHistoryReturnType> {
  const { jobId, ...range } = parameters;
  const logs = await getDecodedLogs(client, {
    ...range,
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    topics: jobEventTopics(jobId, marketJobEvents),
  });
  return logs.map((l) => ({
    eventName: l.eventName as JobHistoryEntry["eventName"],
    args: l.args as Record<string, unknown>,
    address: l.address,
    blockNumber: l.blockNumber,
    logIndex: l.logIndex,
    transactionHash: l.transactionHash,
  }));
}
