/**
 * The soak test's chaos steps on anvil (issue 15), each a reorg built with anvil's own tools while
 * daemons keep working; interval mining is paused only while a step builds its blocks:
 * - `reorgBelowPending`: a deep reorg that drops a daemon's mined transactions while later ones
 *   of the same account wait in the node's pool — a nonce gap behind pending transactions;
 * - `reorgClockBack`: a reorg that moves the chain's clock back under a finalization waiting in
 *   the pool (`anvil_reorg` gives the replacement blocks the common ancestor's timestamp), so
 *   mined as signed it would revert with `MarketChallengeWindowOpen`.
 * And `revertError`: the custom error a mined transaction reverted with, for the soak's check
 * that only documented races revert.
 */
import { decodeErrorResult, getAddress, type Hex } from "viem";

import { hashworkDisputesAbi } from "../sdk/src/abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../sdk/src/abi/hashwork-market.ts";
import { hdAccount, marketEvents, waitFor, type ChildHandle, type System } from "./local-cluster.ts";

type Rpc = <T>(method: string, params?: unknown[]) => Promise<T>;

const rpcOf =
  (system: System): Rpc =>
  <T>(method: string, params: unknown[] = []) =>
    system.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;

/**
 * The name of the custom error a mined transaction reverted with, read from anvil's
 * `debug_traceTransaction` (call tracer; replaying at the parent block would miss the same-block
 * transaction that made it revert), decoded with the market's and the dispute module's ABIs;
 * the raw revert data when neither knows it.
 */
export async function revertError(system: System, hash: Hex): Promise<string> {
  const trace = await rpcOf(system)<{ output?: Hex; error?: string }>("debug_traceTransaction", [hash, { tracer: "callTracer" }]);
  if (!trace.output || trace.output === "0x") return trace.error ?? "no revert data";
  try {
    return decodeErrorResult({ abi: [...hashworkMarketAbi, ...hashworkDisputesAbi], data: trace.output }).errorName;
  } catch {
    return trace.output;
  }
}

/** Parsed log records of a daemon child, read incrementally (the soak's logs run to thousands of lines). */
export function logTail(handle: ChildHandle) {
  let read = 0;
  const records: Record<string, unknown>[] = [];
  return () => {
    for (; read < handle.lines.length; read++) {
      try {
        records.push(JSON.parse(handle.lines[read]!) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    return records;
  };
}

const nonceOf = (system: System, index: number, blockTag: "latest" | "pending") =>
  system.publicClient.getTransactionCount({ address: hdAccount(index).address, blockTag });

/** The nonces of `index`'s transactions in anvil's pool (pending and queued). */
export async function poolNonces(system: System, index: number): Promise<number[]> {
  const pool = await rpcOf(system)<Record<string, Record<string, Record<string, unknown>>>>("txpool_content");
  const address = hdAccount(index).address.toLowerCase();
  const nonces: number[] = [];
  for (const part of Object.values(pool)) {
    for (const [from, txs] of Object.entries(part)) if (from.toLowerCase() === address) nonces.push(...Object.keys(txs).map(Number));
  }
  return nonces.sort((a, b) => a - b);
}

/** Hashes of the transactions in blocks `from`..`to`. */
async function transactionsIn(system: System, from: bigint, to: bigint): Promise<Hex[]> {
  const out: Hex[] = [];
  for (let n = from; n <= to; n++) out.push(...(await system.publicClient.getBlock({ blockNumber: n })).transactions);
  return out;
}

export type GapReorg = {
  /** The provider whose account was left with a gap. */
  victim: number;
  /** Its account's nonce after the reorg and the nonces it still had in the pool then (all above). */
  nonceAfter: number;
  pooled: number[];
  removed: Hex[];
};

/**
 * Pauses interval mining, mines `depth` blocks by hand, each once some provider has a transaction
 * in the pool, waits until a provider whose transactions those blocks hold has sent more (waiting
 * in the pool), then `anvil_reorg`s the `depth` blocks away: its account nonce goes back below the
 * transactions still pooled. The next block comes once that daemon (`handles`) handled the reorg
 * and sent a transaction after it (a daemon acts before the next block, as on a real chain with
 * longer block times); then interval mining resumes and the daemons keep working. (Anvil drops the
 * transactions it held across the reorg when it mines the next block if the gap is still open;
 * what the daemon signed after the reorg above the gap stays queued: without a fill, for good.)
 */
export async function reorgBelowPending(system: System, handles: Map<number, ChildHandle>, depth: number): Promise<GapReorg> {
  const rpc = rpcOf(system);
  const providers = [...handles.keys()];
  const logs = new Map(providers.map((i) => [i, logTail(handles.get(i)!)]));
  await rpc("evm_setIntervalMining", [0]);
  try {
    const base = new Map<number, number>();
    for (const i of providers) base.set(i, await nonceOf(system, i, "latest"));
    const first = (await system.publicClient.getBlockNumber()) + 1n;
    for (let b = 0; b < depth; b++) {
      await waitFor(
        "a daemon's transaction in the pool",
        async () => {
          for (const i of providers) if ((await nonceOf(system, i, "pending")) > (await nonceOf(system, i, "latest"))) return true;
          return undefined;
        },
        15_000,
        50,
      );
      await rpc("evm_mine");
    }
    const victim = await waitFor(
      "a daemon with transactions in the blocks to replace and more in the pool behind them",
      async () => {
        for (const i of providers) {
          const latest = await nonceOf(system, i, "latest");
          if (latest > base.get(i)! && (await nonceOf(system, i, "pending")) > latest) return i;
        }
        return undefined;
      },
      15_000,
      50,
    );
    const head = await system.publicClient.getBlockNumber();
    const removed = await transactionsIn(system, first, head);
    const seen = logs.get(victim)!().length;
    await rpc("anvil_reorg", [depth, []]);
    const gap = { victim, nonceAfter: await nonceOf(system, victim, "latest"), pooled: await poolNonces(system, victim), removed };
    const since = () => logs.get(victim)!().slice(seen);
    await waitFor("the victim to handle the reorg", () => (since().some((r) => r.msg === "reorg handled") ? true : undefined), 30_000, 50);
    await waitFor(
      "the victim to send a transaction after the reorg",
      () => {
        const after = since();
        const handled = after.findIndex((r) => r.msg === "reorg handled");
        return after.slice(handled).some((r) => r.msg === "transaction sent") ? true : undefined;
      },
      15_000,
      50,
    );
    return gap;
  } finally {
    await rpc("evm_setIntervalMining", [1]);
  }
}

export type ClockReorg = {
  /** The finalization that waited in the pool, and the block (and time) of the job's submission. */
  finalizeHash: Hex;
  submittedIn: bigint;
  submittedAt: bigint;
  /** The head's timestamp before the reorg and after it. */
  timeBefore: bigint;
  timeAfter: bigint;
};

/**
 * For `jobId` (claimed by the daemon `handle`, challenge window `window` seconds): once its result
 * is submitted, pauses interval mining, mines one block past the window (the daemon finalizes;
 * the finalization waits in the pool), then `anvil_reorg`s every block above the submission's
 * away — the replacement blocks carry the submission block's time, inside the window again.
 * Mining stays paused until the daemon logged `reorg handled` (it has to act before the next
 * block, like on a real chain), then resumes with the next block still inside the window.
 */
export async function reorgClockBack(system: System, handle: ChildHandle, jobId: bigint, window: number): Promise<ClockReorg> {
  const rpc = rpcOf(system);
  const logs = logTail(handle);
  const submitted = await waitFor(
    `job ${jobId} submitted`,
    async () =>
      (await marketEvents(system)).find((e) => e.eventName === "ResultSubmitted" && (e.args as { jobId: bigint }).jobId === jobId),
    60_000,
    200,
  );
  await rpc("evm_setIntervalMining", [0]);
  try {
    const submittedIn = submitted.blockNumber!;
    const submittedAt = (await system.publicClient.getBlock({ blockNumber: submittedIn })).timestamp;
    const handled = logs().filter((r) => r.msg === "reorg handled").length;
    // The daemon has not finalized yet: the window is still open at every block so far.
    await rpc("evm_setNextBlockTimestamp", [Number(submittedAt) + window + 1]);
    await rpc("evm_mine");
    const timeBefore = (await system.publicClient.getBlock()).timestamp;
    const sent = await waitFor(
      `the finalization of job ${jobId} in the pool`,
      () =>
        logs().find(
          (r) => r.msg === "transaction sent" && String(r.action).startsWith("finalize") && String(r.job_id) === jobId.toString(),
        ),
      20_000,
      20,
    );
    const finalizeHash = sent.tx_hash as Hex;
    const head = await system.publicClient.getBlockNumber();
    await rpc("anvil_reorg", [Number(head - submittedIn), []]);
    const timeAfter = (await system.publicClient.getBlock()).timestamp;
    await waitFor(
      "the daemon to handle the clock reorg",
      () => (logs().filter((r) => r.msg === "reorg handled").length > handled ? true : undefined),
      30_000,
      50,
    );
    // The next block is still inside the window: a finalization mined there reverts.
    await rpc("evm_setNextBlockTimestamp", [Number(submittedAt) + 1]);
    return { finalizeHash, submittedIn, submittedAt, timeBefore, timeAfter };
  } finally {
    await rpc("evm_setIntervalMining", [1]);
  }
}

/** Checksummed address of a test account (for daemon configs). */
export const addressOf = (index: number) => getAddress(hdAccount(index).address);
