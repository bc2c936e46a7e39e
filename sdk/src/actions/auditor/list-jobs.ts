import { encodeEventTopics, type Address, type Hash, type ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { JobStateName } from "../../abi/enums.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { JobRequest } from "../../utils/job-request.ts";
import { jobStateName } from "../../utils/job-state.ts";
import {
  checksummed,
  indexedBlock,
  indexerPages,
  IndexerUnavailableError,
  reviveEventArgs,
  withIndexer,
  type IndexerOption,
} from "../../utils/indexer.ts";
import { getDecodedLogs, type BlockRange } from "../../utils/logs.ts";

export type ListJobsParameters = BlockRange & {
  /** Only jobs currently in one of these states. Default: every state. */
  states?: readonly JobStateName[] | undefined;
  /** Only jobs posted by this requester. */
  requester?: Address | undefined;
  /**
   * Read the list from this indexer (default: the client's `indexer`), falling back to logs.
   * Without `toBlock`, the states are as of the indexer's last indexed block.
   */
  indexer?: IndexerOption | undefined;
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
  return withIndexer(
    client,
    parameters.indexer,
    (indexer) => listJobsFromIndexer(client, indexer, parameters),
    () => listJobsFromLogs(client, parameters),
  );
}

async function listJobsFromLogs(client: HashworkBaseClient, parameters: ListJobsParameters): Promise<ListJobsReturnType> {
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

/** A row of the indexer's `job` table, as `/api/jobs` sends it. */
type IndexedJob = {
  id: string;
  requester: string;
  state: JobStateName;
  reward: string;
  collateralPct: number;
  fuelLimit: string;
  programHash: Hash;
  inputHash: Hash;
  programURI: string;
  inputURI: string;
  claimDeadline: string;
  executionTime: number;
  challengeWindow: number;
  minReputation: number;
  designatedProvider: string;
  postedBlock: string;
  postedTx: Hash | null;
};

/** The same list from the indexer's `/api/jobs`, when it has indexed exactly `toBlock` (or no `toBlock` was asked). */
async function listJobsFromIndexer(
  client: HashworkBaseClient,
  indexer: IndexerOption,
  parameters: ListJobsParameters,
): Promise<ListJobsReturnType> {
  const block = await indexedBlock(client, indexer);
  if (parameters.toBlock !== undefined && parameters.toBlock !== block) {
    throw new IndexerUnavailableError(`indexer is at block ${block}, states asked as of ${parameters.toBlock}`);
  }
  const query = parameters.requester ? `?requester=${parameters.requester}` : "";
  const rows = await indexerPages(client, indexer, `/api/jobs${query}`, block, (page) => (page as { jobs: IndexedJob[] }).jobs);
  const from = parameters.fromBlock ?? client.deployment.fromBlock ?? 0n;
  const wanted = parameters.states ? new Set(parameters.states) : undefined;
  return rows
    .filter((r) => BigInt(r.postedBlock) >= from && (!wanted || wanted.has(r.state)))
    .map((r) => {
      if (r.postedTx === null) throw new IndexerUnavailableError("indexer has no posting transaction for a job (re-index it)");
      return {
        jobId: BigInt(r.id),
        requester: checksummed(r.requester),
        state: r.state,
        // Through the event's ABI, so each field has the type viem decodes it to.
        request: reviveEventArgs(hashworkMarketAbi, "JobPosted", { request: r }).request as JobRequest,
        postedBlock: BigInt(r.postedBlock),
        transactionHash: r.postedTx,
      };
    });
}
