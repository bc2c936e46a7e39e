import {
  encodeEventTopics,
  formatLog,
  numberToHex,
  type Abi,
  type Address,
  type ContractEventName,
  type Hex,
  type Log,
  type ParseEventLogsReturnType,
  type RpcLog,
  type TransactionReceipt,
} from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "./client.ts";
import { decodeEventLogs } from "./decode-logs.ts";

export type MarketEventName = ContractEventName<typeof hashworkMarketAbi>;

/** The market's events of one kind in a receipt (ignoring same-named events of other contracts). */
export function marketEventsInReceipt<const eventName extends MarketEventName>(
  client: HashworkBaseClient,
  receipt: TransactionReceipt,
  eventName: eventName,
) {
  const market = client.deployment.market.toLowerCase();
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === market);
  return decodeEventLogs(hashworkMarketAbi, logs, eventName) as unknown as ParseEventLogsReturnType<
    typeof hashworkMarketAbi,
    eventName,
    true
  >;
}

export type BlockRange = {
  /** First block to search. Default: the deployment's `fromBlock`, else 0. */
  fromBlock?: bigint | undefined;
  /** Last block to search. Default: the latest block. */
  toBlock?: bigint | undefined;
  /**
   * Largest block span per `eth_getLogs` request; longer ranges are split (many RPC providers
   * cap the span). Default: the client's `maxLogBlockRange`, else one request.
   */
  maxBlockRange?: bigint | undefined;
};

/**
 * Raw `eth_getLogs` with an arbitrary topic filter (for example several event signatures OR-ed in
 * topic 0 and a job id in topic 1, which viem's `getLogs` cannot express), split into chunks of
 * `maxBlockRange`, decoded with `abi`. Logs come back in block and log-index order.
 */
export async function getDecodedLogs<const abi extends Abi>(
  client: HashworkBaseClient,
  {
    address,
    abi,
    topics,
    fromBlock,
    toBlock,
    maxBlockRange,
  }: BlockRange & { address: Address | Address[]; abi: abi; topics: (Hex | Hex[] | null)[] },
): Promise<ParseEventLogsReturnType<abi, undefined, true>> {
  const from = fromBlock ?? client.deployment.fromBlock ?? 0n;
  const to = toBlock ?? (await client.publicClient.getBlockNumber());
  const limit = maxBlockRange ?? client.maxLogBlockRange;
  const span = limit && limit > 0n ? limit : undefined;
  const logs: Log[] = [];
  for (let start = from; start <= to; start = span ? start + span : to + 1n) {
    const end = span && start + span - 1n < to ? start + span - 1n : to;
    const raw = (await client.publicClient.request({
      method: "eth_getLogs",
      params: [{ address, topics, fromBlock: numberToHex(start), toBlock: numberToHex(end) }],
    })) as RpcLog[];
    for (const log of raw) logs.push(formatLog(log));
  }
  logs.sort((a, b) => (a.blockNumber === b.blockNumber ? Number(a.logIndex! - b.logIndex!) : a.blockNumber! < b.blockNumber! ? -1 : 1));
  return decodeEventLogs(abi, logs);
}

/**
 * Market events that move a job on or settle it; each has the job id as its first indexed
 * argument, so one topic filter finds them all for a job.
 */
export const marketJobEvents = [
  "JobPosted",
  "JobClaimed",
  "ResultSubmitted",
  "JobFinalized",
  "JobCancelled",
  "JobExpired",
  "JobTimedOut",
  "JobDisputed",
  "DisputeSettled",
  "DisputeVoided",
] as const satisfies readonly MarketEventName[];

/** A topic filter matching any of `eventNames` (market events) for one job. */
export function jobEventTopics(jobId: bigint, eventNames: readonly (typeof marketJobEvents)[number][]): (Hex | Hex[])[] {
  const selectors = eventNames.map((eventName) => encodeEventTopics({ abi: hashworkMarketAbi, eventName })[0] as Hex);
  const [, jobTopic] = encodeEventTopics({ abi: hashworkMarketAbi, eventName: "JobClaimed", args: { jobId } });
  return [selectors, jobTopic as Hex];
}
