import type { Hex } from "viem";

import type { HashworkPublicClient } from "../utils/client.ts";
import { sleep, type DaemonContext } from "./context.ts";
import type { Cursor } from "./journal.ts";

export type BlockRef = { number: bigint; hash: Hex; parentHash: Hex; timestamp: bigint };

/**
 * What the chain input yields, in order:
 * - `block`: a new canonical head block (not yet safe to act on unless `confirmations` is 0);
 * - `reorg`: blocks above `ancestor` were replaced; `ancestor` is undefined when the fork point
 *   lies beyond what the input remembers (the consumer should re-read everything);
 * - `finalized`: `block` is now `confirmations` deep; act on state up to it.
 */
export type ChainEvent =
  | { type: "block"; block: BlockRef }
  | { type: "reorg"; ancestor: BlockRef | undefined; dropped: BlockRef[] }
  | { type: "finalized"; block: BlockRef };

export type ChainInput = {
  /**
   * One poll: reads the head (or takes `announced`, a head a WebSocket subscription announced)
   * and returns the events it implies (possibly none). An announced head at or below the
   * current one is treated as a plain wake-up (the head is read), so a late announcement can
   * never move the head backwards or fake a reorg.
   */
  poll(announced?: BlockRef): Promise<ChainEvent[]>;
  /** Polls every `pollIntervalMs` until shutdown, handing events to `onEvent` in order. Poll errors are logged and retried. */
  run(onEvent: (event: ChainEvent) => Promise<void> | void): Promise<void>;
  /** The last block reported `finalized`. */
  readonly finalized: BlockRef | undefined;
  /** The latest head seen. */
  readonly head: BlockRef | undefined;
};

export type CreateChainInputParameters = {
  publicClient: HashworkPublicClient;
  /** Start from here (the journal's cursor); a cursor no longer canonical yields a `reorg`. */
  start?: Cursor | undefined;
  /** Default: `context.config.confirmations`. */
  confirmations?: number;
  /** Unfinalized blocks remembered for reorg detection. Default: max(64, 2 × confirmations). */
  window?: number;
};

type RpcBlock = { number: bigint | null; hash: Hex | null; parentHash: Hex; timestamp: bigint };

function ref(block: RpcBlock): BlockRef {
  if (block.number === null || block.hash === null) throw new Error("pending block returned where a mined block was expected");
  return { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp };
}

/**
 * Chain input over HTTP polling: follows the head by block hash, detects reorgs by parent-hash
 * links, and reports a block `finalized` once it is `confirmations` deep.
 *
 * @example
 * const input = createChainInput(context, { publicClient, start: journal.getCursor() })
 * await input.run(async (event) => { if (event.type === "finalized") await index.sync(event.block) })
 */
export function createChainInput(context: DaemonContext, parameters: CreateChainInputParameters): ChainInput {
  const { publicClient } = parameters;
  const confirmations = BigInt(parameters.confirmations ?? context.config.confirmations);
  const window = BigInt(parameters.window ?? Math.max(64, 2 * Number(confirmations)));
  const log = context.logger.child({ component: "chain-input" });
  const headGauge = context.metrics.gauge("hashwork_chain_head_block", "Latest block number seen");
  const finalizedGauge = context.metrics.gauge("hashwork_chain_finalized_block", "Latest block number acted on (head minus confirmations)");
  const reorgs = context.metrics.counter("hashwork_chain_reorgs_total", "Reorganisations detected");
  const pollErrors = context.metrics.counter("hashwork_chain_poll_errors_total", "Failed head polls");

  /** Canonical blocks we remember, by number (contiguous up to the head). */
  const blocks = new Map<bigint, BlockRef>();
  let head: BlockRef | undefined;
  let finalized: BlockRef | undefined;
  let started = false;

  const byNumber = async (number: bigint) => ref(await publicClient.getBlock({ blockNumber: number }));
  const byHash = async (hash: Hex) => ref(await publicClient.getBlock({ blockHash: hash }));

  async function begin(latest: BlockRef): Promise<ChainEvent[]> {
    started = true;
    const start = parameters.start;
    if (!start) return [];
    if (start.number > latest.number) {
      log.warn("cursor is ahead of the chain head", { cursor: start.number, head: latest.number });
      return [{ type: "reorg", ancestor: undefined, dropped: [] }];
    }
    const there = await byNumber(start.number);
    if (there.hash !== start.hash) {
      log.warn("cursor block is no longer canonical", { cursor: start.number, cursor_hash: start.hash, canonical_hash: there.hash });
      return [{ type: "reorg", ancestor: undefined, dropped: [] }];
    }
    blocks.set(there.number, there);
    head = there;
    finalized = there;
    return [];
  }

  async function poll(announced?: BlockRef): Promise<ChainEvent[]> {
    const ahead = announced && head && announced.number > head.number ? announced : undefined;
    const latest = ahead ?? ref(await publicClient.getBlock({ blockTag: "latest" }));
    const events: ChainEvent[] = started ? [] : await begin(latest);
    headGauge.set(Number(latest.number));
    if (head && latest.hash === head.hash) return events;
    const same = blocks.get(latest.number);
    if (head && same?.hash === latest.hash) {
      // The head went back to a block we know (e.g. a node rolled back without new blocks yet).
      const dropped = [...blocks.values()].filter((x) => x.number > latest.number).sort((a, b) => Number(a.number - b.number));
      for (const x of dropped) blocks.delete(x.number);
      reorgs.inc();
      log.warn("reorg", { ancestor: latest.number, ancestor_hash: latest.hash, dropped: dropped.length, new_head: latest.number });
      events.push({ type: "reorg", ancestor: latest, dropped });
      head = latest;
      if (finalized && finalized.number > latest.number) finalized = latest;
      return events;
    }

    // Walk back from the new head until a block we know is canonical (or memory runs out).
    const fresh: BlockRef[] = [latest];
    let linked: BlockRef | undefined;
    const oldest = head ? head.number - window : latest.number;
    for (let b = latest; ; ) {
      const known = blocks.get(b.number - 1n);
      if (known && known.hash === b.parentHash) {
        linked = known;
        break;
      }
      if (!head || b.number - 1n <= oldest || b.number === 0n) break;
      if (head && b.number - 1n > head.number) b = await byNumber(b.number - 1n);
      else b = await byHash(b.parentHash);
      if (b.hash !== fresh[0]!.parentHash) {
        // The chain moved while we walked; start over on the next poll.
        return events;
      }
      fresh.unshift(b);
    }

    const firstNew = fresh[0]!.number;
    if (head && (firstNew <= head.number || !linked)) {
      const dropped = [...blocks.values()].filter((x) => x.number >= firstNew || !linked).sort((a, b) => Number(a.number - b.number));
      reorgs.inc();
      log.warn("reorg", { ancestor: linked?.number, ancestor_hash: linked?.hash, dropped: dropped.length, new_head: latest.number });
      for (const x of dropped) blocks.delete(x.number);
      events.push({ type: "reorg", ancestor: linked, dropped });
      if (finalized && (!linked || finalized.number > linked.number)) {
        log.error("reorg reached below the confirmation depth", { finalized: finalized.number, ancestor: linked?.number });
        finalized = linked;
      }
    } else if (!linked && head === undefined) {
      blocks.clear();
    }
    for (const b of fresh) {
      blocks.set(b.number, b);
      events.push({ type: "block", block: b });
    }
    head = latest;
    for (const n of [...blocks.keys()]) if (n < latest.number - window) blocks.delete(n);

    const target = latest.number - confirmations;
    if (target >= 0n && (!finalized || target > finalized.number)) {
      finalized = blocks.get(target) ?? (await byNumber(target));
      finalizedGauge.set(Number(target));
      events.push({ type: "finalized", block: finalized });
    }
    return events;
  }

  async function run(onEvent: (event: ChainEvent) => Promise<void> | void): Promise<void> {
    let failures = 0;
    while (!context.shutdown.aborted) {
      let events: ChainEvent[] = [];
      try {
        events = await poll();
        if (failures > 0) log.info("chain polling recovered", { after_failures: failures });
        failures = 0;
      } catch (error) {
        failures++;
        pollErrors.inc();
        log.warn("chain poll failed", { error, failures });
      }
      for (const event of events) {
        if (context.shutdown.aborted) break;
        await onEvent(event);
      }
      const backoff = failures === 0 ? 0 : Math.min(30_000, context.config.pollIntervalMs * 2 ** Math.min(failures, 5));
      await sleep(Math.max(context.config.pollIntervalMs, backoff), context.shutdown);
    }
  }

  return {
    poll,
    run,
    get finalized() {
      return finalized;
    },
    get head() {
      return head;
    },
  };
}
