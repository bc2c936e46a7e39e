/**
 * A live feed of the market's, the dispute module's and the verifier pool's events: polls `eth_getLogs` over the new
 * blocks, decodes each log with its contract's ABI and hands the events to `onEvent` in chain
 * order. Every event seen is kept (`events`) for the report.
 */
import { getAddress, parseEventLogs, type Address, type Hash } from "viem";

import type { HashworkDeployment, HashworkPublicClient } from "../../sdk/src/index.ts";
import { hashworkDisputesAbi, hashworkMarketAbi, verifierPoolAbi } from "../../sdk/src/abi/index.ts";

export type FeedEvent = {
  contract: "market" | "disputes" | "pool";
  eventName: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hash;
};

export type EventFeed = {
  readonly events: readonly FeedEvent[];
  /** Reads up to the current head now (also called by the poll loop). */
  sync(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * @example
 * const feed = startEventFeed(publicClient, deployment, { fromBlock, onEvent: (e) => console.log(e.eventName) })
 * …
 * await feed.stop()
 */
export function startEventFeed(
  publicClient: HashworkPublicClient,
  deployment: HashworkDeployment,
  { fromBlock, onEvent, everyMs = 200 }: { fromBlock: bigint; onEvent: (event: FeedEvent) => void; everyMs?: number },
): EventFeed {
  const events: FeedEvent[] = [];
  const market = getAddress(deployment.market);
  const disputes = deployment.disputes ? getAddress(deployment.disputes) : undefined;
  const pool = deployment.verifierPool ? getAddress(deployment.verifierPool) : undefined;
  let next = fromBlock;
  let running = true;
  let syncing: Promise<void> | undefined;

  const readNew = async () => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    if (head < next) return;
    const address: Address[] = [market, ...(disputes ? [disputes] : []), ...(pool ? [pool] : [])];
    const logs = await publicClient.getLogs({ address, fromBlock: next, toBlock: head });
    const decoded: FeedEvent[] = [
      ...parseEventLogs({ abi: hashworkMarketAbi, logs: logs.filter((l) => getAddress(l.address) === market) }).map((l) => ({
        ...l,
        contract: "market" as const,
      })),
      ...(disputes
        ? parseEventLogs({ abi: hashworkDisputesAbi, logs: logs.filter((l) => getAddress(l.address) === disputes) }).map((l) => ({
            ...l,
            contract: "disputes" as const,
          }))
        : []),
      ...(pool
        ? parseEventLogs({ abi: verifierPoolAbi, logs: logs.filter((l) => getAddress(l.address) === pool) }).map((l) => ({
            ...l,
            contract: "pool" as const,
          }))
        : []),
    ].map((l) => ({
      contract: l.contract,
      eventName: l.eventName,
      args: l.args as Record<string, unknown>,
      blockNumber: l.blockNumber!,
      logIndex: l.logIndex!,
      transactionHash: l.transactionHash!,
    }));
    decoded.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
    for (const e of decoded) {
      events.push(e);
      onEvent(e);
    }
    next = head + 1n;
  };
  const sync = () => {
    syncing ??= readNew().finally(() => (syncing = undefined));
    return syncing;
  };
  const loop = (async () => {
    while (running) {
      await sync().catch(() => undefined); // a failed poll is retried on the next tick
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    events,
    sync,
    async stop() {
      running = false;
      await loop;
      await sync();
    },
  };
}
