import { getAddress, type Address, type Hash } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import {
  IndexerUnavailableError,
  indexedBlock,
  indexerGet,
  reviveEventArgs,
  withIndexer,
  type IndexerOption,
} from "../../utils/indexer.ts";
import { getDecodedLogs, jobEventTopics, marketJobEvents, type BlockRange } from "../../utils/logs.ts";
import { disputeJobEvents, disputeJobEventTopics } from "../shared/disputes.ts";

export type GetJobHistoryParameters = BlockRange & {
  jobId: bigint;
  /** Read the events from this indexer (default: the client's `indexer`), falling back to logs. */
  indexer?: IndexerOption | undefined;
};

/** One event in a job's life, decoded. */
export type JobHistoryEntry = {
  /**
   * `JobPosted`, `JobClaimed`, `ResultSubmitted`, `JobFinalized`, `JobDisputed`, … from the
   * market; `DisputeOpened`, `CommitteeDrawn`, `VoteCommitted`, `DisputePayout`, … from the
   * dispute module (`DisputeVoided` exists in both, with different arguments: see `contract`).
   */
  eventName: (typeof marketJobEvents)[number] | (typeof disputeJobEvents)[number];
  /** Which contract emitted it. */
  contract: "market" | "disputes";
  /** The event's arguments, by name. */
  args: Record<string, unknown>;
  /** The contract that emitted it (checksummed). */
  address: Address;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hash;
};

export type GetJobHistoryReturnType = JobHistoryEntry[];

export type GetJobHistoryErrorType = Error;

/**
 * Every event about a job, in block and log order: posted, claimed, submitted, disputed,
 * settled (finalized, cancelled, expired, timed out, overturned or voided) — and, for a
 * disputed job, the dispute module's events in between (opened, committee drawn, votes
 * committed and revealed, slashes, failed rounds, the resolution and each payout). The market's
 * events take one filtered log query (they all carry the job id as their first indexed
 * argument); a dispute adds one more, to the module named by the market's `JobDisputed` event.
 *
 * @example
 * for (const e of await getJobHistory(client, { jobId })) console.log(e.blockNumber, e.contract, e.eventName)
 */
export async function getJobHistory(client: HashworkBaseClient, parameters: GetJobHistoryParameters): Promise<GetJobHistoryReturnType> {
  return withIndexer(
    client,
    parameters.indexer,
    (indexer) => historyFromIndexer(client, indexer, parameters),
    () => historyFromLogs(client, parameters),
  );
}

async function historyFromLogs(client: HashworkBaseClient, parameters: GetJobHistoryParameters): Promise<GetJobHistoryReturnType> {
  const { jobId, indexer: _, ...range } = parameters;
  // Pin the range so the market and module queries see the same blocks.
  const toBlock = range.toBlock ?? (await client.publicClient.getBlockNumber());
  const marketLogs = await getDecodedLogs(client, {
    ...range,
    toBlock,
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    topics: jobEventTopics(jobId, marketJobEvents),
  });
  const entries: JobHistoryEntry[] = marketLogs.map((l) => entry(l, "market"));
  // The module that handled the dispute is named in JobDisputed, emitted in the transaction
  // that opened it (so no module event of this job can precede it).
  const disputed = marketLogs.flatMap((l) => (l.eventName === "JobDisputed" ? [l] : []));
  const modules = [...new Set(disputed.map((l) => l.args.module))];
  if (modules.length > 0) {
    const disputeLogs = await getDecodedLogs(client, {
      ...range,
      fromBlock: disputed[0]!.blockNumber,
      toBlock,
      address: modules,
      abi: hashworkDisputesAbi,
      topics: disputeJobEventTopics(jobId),
    });
    entries.push(...disputeLogs.map((l) => entry(l, "disputes")));
    entries.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  }
  return entries;
}

function entry(
  l: { eventName: string; args: unknown; address: Address; blockNumber: bigint; logIndex: number; transactionHash: Hash },
  contract: JobHistoryEntry["contract"],
): JobHistoryEntry {
  return {
    eventName: l.eventName as JobHistoryEntry["eventName"],
    contract,
    args: l.args as Record<string, unknown>,
    address: getAddress(l.address),
    blockNumber: l.blockNumber,
    logIndex: l.logIndex,
    transactionHash: l.transactionHash,
  };
}

const market = new Set<string>(marketJobEvents);
const dispute = new Set<string>(disputeJobEvents);

/** A row of the indexer's `job_event` table (the job's timeline), as `/api/jobs/:id` sends it. */
type IndexedEvent = {
  contract: string;
  name: string;
  blockNumber: string;
  logIndex: number;
  txHash: Hash;
  args: Record<string, unknown>;
};

/**
 * The same events from the indexer's timeline of the job (`/api/jobs/:id`), when it has indexed
 * at least to `toBlock` (later events are left out). A job it does not know yields the logs' answer.
 */
async function historyFromIndexer(
  client: HashworkBaseClient,
  indexer: IndexerOption,
  parameters: GetJobHistoryParameters,
): Promise<GetJobHistoryReturnType> {
  const block = await indexedBlock(client, indexer);
  const toBlock = parameters.toBlock ?? block;
  if (toBlock > block) throw new IndexerUnavailableError(`indexer is at block ${block}, events asked up to ${toBlock}`);
  const from = parameters.fromBlock ?? client.deployment.fromBlock ?? 0n;
  let answer: { timeline: IndexedEvent[] };
  try {
    answer = await indexerGet(indexer, `/api/jobs/${parameters.jobId}`);
  } catch (error) {
    // Not indexed (404): no events up to the indexed block, as the logs would say.
    if (error instanceof IndexerUnavailableError && / 404 /.test(error.message)) return [];
    throw error;
  }
  const timeline = answer.timeline;
  // The dispute module that handled a dispute is named in the market's JobDisputed.
  const disputed = timeline.find((e) => e.contract === "market" && e.name === "JobDisputed");
  const module = disputed ? getAddress(disputed.args.module as string) : undefined;
  return (
    timeline
      // The same events the logs' topic filters select (the indexer's timeline has a few more).
      .filter((e) => (e.contract === "market" ? market : dispute).has(e.name))
      .filter((e) => BigInt(e.blockNumber) >= from && BigInt(e.blockNumber) <= toBlock)
      .map((e) => {
        const contract = e.contract === "market" ? "market" : "disputes";
        const abi = contract === "market" ? hashworkMarketAbi : hashworkDisputesAbi;
        const address = contract === "market" ? getAddress(client.deployment.market) : module;
        if (address === undefined)
          throw new IndexerUnavailableError(`indexer: a dispute event of job ${parameters.jobId} before JobDisputed`);
        return {
          eventName: e.name as JobHistoryEntry["eventName"],
          contract,
          args: reviveEventArgs(abi, e.name, e.args),
          address,
          blockNumber: BigInt(e.blockNumber),
          logIndex: e.logIndex,
          transactionHash: e.txHash,
        };
      })
  );
}
