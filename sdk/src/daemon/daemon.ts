import { join } from "node:path";

import { createPublicClient, createWalletClient, defineChain, encodeEventTopics, http, type Address, type TransactionReceipt } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { defineDeployment, getDeployment, type HashworkDeployment } from "../deployments.ts";
import { createExecutor } from "../executor/executor.ts";
import { createInstrumenter } from "../executor/instrumenter.ts";
import { createModuleCache } from "../executor/module-cache.ts";
import { createLocalStore } from "../store/local.ts";
import type { HashworkBaseClient, HashworkPublicClient, HashworkWalletClient } from "../utils/client.ts";
import { createChainInput, type BlockRef, type ChainEvent } from "./chain-input.ts";
import { checkConfigForChain, loadPrivateKey, type DaemonConfig } from "./config.ts";
import { createDaemonContext, sleep, type DaemonContext } from "./context.ts";
import { backoffMs } from "./errors.ts";
import { createDaemonServer } from "./http.ts";
import { createInstrumentedStore } from "./instrumented-store.ts";
import { createJobIndex } from "./job-index.ts";
import { createOutputPruner, outputHashesOf } from "./output-pruner.ts";
import { openJournal } from "./journal.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { createKeeperRole } from "./roles/keeper.ts";
import { createProviderRole } from "./roles/provider.ts";
import { createVerifierRole } from "./roles/verifier.ts";
import { createWatcherRole } from "./roles/watcher.ts";
import { chainNow, type Role } from "./roles/role.ts";
import { createSeedPinner } from "./roles/seed-pins.ts";
import { createTxQueue } from "./tx-queue.ts";
import { watchHeads } from "./ws-heads.ts";

export type StartDaemonParameters = {
  config: DaemonConfig;
  logger?: Logger;
  metrics?: Metrics;
  env?: NodeJS.ProcessEnv;
};

export type Daemon = {
  context: DaemonContext;
  account: Address;
  deployment: HashworkDeployment;
  /** The HTTP server's base URL. */
  url: string;
  /** Stops claiming, lets work in flight reach a journaled point, closes everything. */
  stop(reason?: string): Promise<void>;
  /** Resolves when the daemon has stopped. */
  done: Promise<void>;
};

/** Waits for the RPC endpoint (the daemon may start before its node), backing off. */
async function chainIdOf(context: DaemonContext, publicClient: HashworkPublicClient): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await publicClient.getChainId();
    } catch (error) {
      if (context.shutdown.aborted) throw error;
      context.logger.warn("RPC endpoint not reachable yet", { error, attempt });
      await sleep(backoffMs(attempt, 500, 10_000), context.shutdown);
    }
  }
}

const JOB_FINALIZED = encodeEventTopics({ abi: hashworkMarketAbi, eventName: "JobFinalized" })[0];
/**
 * `finalizeJobs` skips a job that is not due at the block's time instead of reverting (after a
 * reorg moved the clock back, a batch simulated as due can be mined early): a finalization counts
 * only when its receipt holds the job's `JobFinalized`. Other intents: the receipt's status.
 */
function finalizedIn(market: Address) {
  return (member: { jobId: bigint; action: string }, receipt: TransactionReceipt) =>
    !/^finalize(:|$)/.test(member.action) ||
    receipt.logs.some(
      (l) =>
        l.address.toLowerCase() === market.toLowerCase() &&
        l.topics[0] === JOB_FINALIZED &&
        l.topics[1] !== undefined &&
        BigInt(l.topics[1]) === member.jobId,
    );
}

/** How often the store is pruned (`storeRetentionHours`). */
const STORE_PRUNE_INTERVAL_MS = 3_600_000;

/**
 * Starts the daemon: journal, HTTP server, executor pool, transaction queue, chain input, job
 * index and the configured roles, then follows the chain until `stop()` (or the context's
 * shutdown). On start it resumes journaled transactions and rebuilds its view of the market
 * from contract state, so nothing missed while it was down is lost.
 *
 * @example
 * const daemon = await startDaemon({ config: await loadConfig("daemon.json") })
 * process.once("SIGTERM", () => void daemon.stop("SIGTERM"))
 * await daemon.done
 */
export async function startDaemon({ config, logger, metrics, env }: StartDaemonParameters): Promise<Daemon> {
  const { context, stop: abort } = createDaemonContext({ config, logger, metrics });
  const account = privateKeyToAccount(await loadPrivateKey(config.key, env));
  const transport = http(config.rpcUrl, { retryCount: 2, timeout: 10_000 });
  const publicClient = createPublicClient({ transport, pollingInterval: Math.min(config.pollIntervalMs, 1000) }) as HashworkPublicClient;
  const chainId = await chainIdOf(context, publicClient);
  checkConfigForChain(config, chainId);
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  const deployment = config.deployment ? defineDeployment({ chainId, ...config.deployment }) : getDeployment(chainId);
  const walletClient = createWalletClient({ account, chain, transport }) as HashworkWalletClient;
  const client: HashworkBaseClient & { walletClient: HashworkWalletClient } = { publicClient, walletClient, deployment };
  const log = context.logger.child({ chain_id: chainId });
  const ctx: DaemonContext = { ...context, logger: log };

  // One SQLite commit per tick (the loop below flushes after each), not one per write; signed
  // transactions and vote/challenge secrets still commit before they are broadcast.
  const journal = openJournal({ dataDir: config.dataDir, commitDelayMs: Math.min(config.pollIntervalMs, 1000) });
  journal.bind({ chainId, market: deployment.market, account: account.address });
  const store = createLocalStore({ dir: config.storeDir });
  // Instrumented programs survive a restart on disk: a restarted daemon runs the programs it
  // knows without starting binaryen (`instrumented-store.ts`).
  const instrumenter = createInstrumentedStore({ dir: join(config.dataDir, "instrumented"), inner: createInstrumenter() });
  const executor = createExecutor({
    threads: config.executor.threads,
    timeoutMs: config.executor.timeoutMs,
    cache: createModuleCache({ instrumenter }),
  });
  if (config.roles.provider || config.roles.verifier || config.roles.watcher) executor.warm();
  const queue = createTxQueue(ctx, { client, account, journal, carriedOut: finalizedIn(deployment.market) });
  const outputs = createOutputPruner(ctx, { store, graceMs: config.outputGraceSeconds * 1000 });
  const index = createJobIndex(ctx, { client, onFinalized: config.outputGraceSeconds > 0 ? (job) => outputs.finalized(job) : undefined });
  const input = createChainInput(ctx, { publicClient, start: journal.getCursor() });

  /** When configured, new heads announced over a WebSocket wake the loop at once. */
  const heads = config.wsUrl ? watchHeads(ctx, { url: config.wsUrl }) : undefined;

  let lastPollOk = 0;
  let consecutiveFailures = 0;
  let failingSince = 0;
  const server = createDaemonServer(ctx, {
    store,
    health: () => ({
      healthy: !ctx.shutdown.aborted && Date.now() - lastPollOk < Math.max(10_000, 5 * config.pollIntervalMs),
      chain_id: chainId,
      account: account.address,
      market: deployment.market,
      roles: config.roles,
      finalized_block: input.finalized?.number,
      synced_block: index.synced?.number,
      jobs_tracked: index.jobs().length,
      rpc_failures: consecutiveFailures,
      websocket: config.wsUrl ? (heads?.connected ?? false) : undefined,
      stopping: ctx.shutdown.aborted,
    }),
  });
  const url = await server.start();
  const outputBaseUrl = () => config.http.publicUrl ?? url;

  const roles: Role[] = [];
  // One pinner for the provider and keeper roles: a block's audit seed is pinned once.
  const pinner = createSeedPinner({
    client,
    queue,
    logger: log.child({ component: "seed-pins" }),
    metrics: ctx.metrics,
    retryMs: 5 * config.pollIntervalMs,
  });
  if (config.roles.provider) {
    roles.push(createProviderRole(ctx, { client, me: account.address, index, queue, executor, store, outputBaseUrl, pinner }));
  }
  if (config.roles.verifier) {
    roles.push(createVerifierRole(ctx, { client, me: account.address, index, queue, journal, executor, store }));
  }
  if (config.roles.watcher) roles.push(createWatcherRole(ctx, { client, me: account.address, index, queue, journal, executor, store }));
  if (config.roles.keeper) roles.push(createKeeperRole(ctx, { client, index, queue, pinner }));

  log.info("daemon starting", {
    account: account.address,
    market: deployment.market,
    url,
    roles: roles.map((r) => r.name),
    confirmations: config.confirmations,
    chain_input: config.wsUrl ? "websocket" : "polling",
  });

  await queue.recover();

  let needsReconcile = true;
  /**
   * A reorg not yet fully applied: set before its handling starts and cleared when it is done,
   * so a handling that fails half way (the RPC dropped) is redone, not lost with the event.
   * Two pending reorgs merge into the deeper one.
   */
  let pendingReorg: { ancestor: BlockRef | undefined; dropped: number } | undefined;

  async function handle(event: ChainEvent) {
    if (event.type === "reorg") {
      const deeper = !pendingReorg || !event.ancestor || (pendingReorg.ancestor && event.ancestor.number < pendingReorg.ancestor.number);
      pendingReorg = {
        ancestor: deeper ? event.ancestor : pendingReorg!.ancestor,
        dropped: (pendingReorg?.dropped ?? 0) + event.dropped.length,
      };
      await applyReorg();
    } else if (event.type === "finalized") {
      await apply(event.block);
    }
  }
  async function applyReorg() {
    const { ancestor, dropped } = pendingReorg!;
    if (ancestor) await index.rewind(ancestor);
    else needsReconcile = true;
    // The journal must not believe in transactions the reorg removed (queue.reorg decides
    // which intents are waited for again and which are decided anew), and the cursor must
    // not point into the dropped branch, or a restart would resume from it.
    const reopened = await queue.reorg(ancestor);
    if (ancestor) journal.setCursor({ number: ancestor.number, hash: ancestor.hash });
    for (const role of roles) role.reorg?.();
    pendingReorg = undefined;
    log.warn("reorg handled", {
      ancestor: ancestor?.number,
      dropped_blocks: dropped,
      intents_kept: reopened.filter((r) => r.fate === "kept").length,
      intents_abandoned: reopened.filter((r) => r.fate === "abandoned").length,
    });
  }
  async function apply(block: BlockRef) {
    if (needsReconcile) {
      await index.reconcile(block);
      needsReconcile = false;
    } else {
      await index.sync(block);
    }
    journal.setCursor({ number: block.number, hash: block.hash });
  }

  /**
   * Store pruning: blobs written more than `storeRetentionHours` ago that no tracked (not yet
   * terminal) job names (program, input, output) are deleted, hourly and only while the index is
   * in step with the chain (otherwise it may not know every open job).
   */
  const retentionMs = config.storeRetentionHours * 3_600_000;
  /** Content a tracked (not yet terminal) job names: program, input, outputs. */
  const neededByOpenJobs = () => {
    const keep = new Set<string>();
    for (const job of index.jobs()) {
      keep.add(job.request.programHash.toLowerCase());
      keep.add(job.request.inputHash.toLowerCase());
      for (const hash of outputHashesOf(job)) keep.add(hash);
    }
    return keep;
  };
  /**
   * Output pruning: a finalized job's outputs `outputGraceSeconds` after the index saw it
   * finalized (checked every grace period, at most hourly), under the same conditions.
   */
  const outputGraceMs = config.outputGraceSeconds * 1000;
  let pruningOutputs: Promise<void> | undefined;
  const pruneOutputs = () => {
    if (outputGraceMs === 0 || pruningOutputs || outputs.waiting === 0 || !index.synced || needsReconcile || pendingReorg) return;
    pruningOutputs = outputs
      .prune(neededByOpenJobs())
      .then(() => undefined)
      .catch((error: unknown) => log.warn("output pruning failed", { error }))
      .finally(() => (pruningOutputs = undefined));
  };
  const outputTimer =
    outputGraceMs > 0 ? setInterval(pruneOutputs, Math.min(STORE_PRUNE_INTERVAL_MS, Math.max(1_000, outputGraceMs))) : undefined;
  outputTimer?.unref();
  let pruning: Promise<void> | undefined;
  const pruneStore = () => {
    if (retentionMs === 0 || pruning || !index.synced || needsReconcile || pendingReorg) return;
    pruning = store
      .prune({ olderThan: Date.now() - retentionMs, keep: neededByOpenJobs() })
      .then(({ removed, bytes }) => {
        if (removed > 0) log.info("store pruned", { removed, bytes, retention_hours: config.storeRetentionHours });
      })
      .catch((error: unknown) => log.warn("store pruning failed", { error }))
      .finally(() => (pruning = undefined));
  };
  /**
   * Journal pruning: finished intents (and their transactions, vote and challenge secrets) older
   * than `journalRetentionHours`, except for jobs the index still tracks — so the journal holds
   * about one retention period of work, not the daemon's whole history.
   */
  const journalRetentionMs = config.journalRetentionHours * 3_600_000;
  const pruneJournal = () => {
    if (journalRetentionMs === 0 || !index.synced || needsReconcile || pendingReorg) return;
    try {
      const keepJobs = new Set(index.jobs().map((j) => j.jobId));
      const deleted = journal.prune({ olderThan: Date.now() - journalRetentionMs, keepJobs });
      if (deleted.intents + deleted.transactions + deleted.secrets > 0) {
        log.info("journal pruned", { ...deleted, retention_hours: config.journalRetentionHours });
      }
    } catch (error) {
      log.warn("journal pruning failed", { error });
    }
  };
  const pruneTimer = setInterval(() => {
    pruneStore();
    pruneJournal();
  }, STORE_PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  let prunedOnce = false;
  let announced: BlockRef | undefined;

  const loop = (async () => {
    while (!ctx.shutdown.aborted) {
      try {
        if (pendingReorg) await applyReorg();
        for (const event of await input.poll(announced)) await handle(event);
        // Catch up when an earlier `finalized` could not be applied (the RPC failed half way),
        // and rebuild the index when a reorg's fork point was unknown.
        const target = input.finalized;
        if (target && (needsReconcile || index.synced?.hash !== target.hash)) await apply(target);
        lastPollOk = Date.now();
        if (consecutiveFailures > 0)
          log.info("RPC recovered", { after_failures: consecutiveFailures, outage_ms: Date.now() - failingSince });
        consecutiveFailures = 0;
      } catch (error) {
        if (consecutiveFailures === 0) failingSince = Date.now();
        consecutiveFailures++;
        // One warning when the outage starts, then quieter: the daemon keeps trying with back-off.
        if (consecutiveFailures === 1) log.warn("RPC unavailable; retrying with back-off", { error });
        else log.debug("poll failed", { error, failures: consecutiveFailures });
      }
      const at = index.synced;
      if (at && !needsReconcile && !pendingReorg && consecutiveFailures === 0) {
        const now = chainNow(input.head?.timestamp);
        for (const role of roles) role.tick({ at, now });
        // The first prune once the index is in step (then hourly).
        if (!prunedOnce) {
          prunedOnce = true;
          pruneStore();
          pruneJournal();
        }
      }
      try {
        journal.flush();
      } catch (error) {
        log.error("journal commit failed", { error });
      }
      const delay = consecutiveFailures === 0 ? config.pollIntervalMs : backoffMs(consecutiveFailures, config.pollIntervalMs, 5_000);
      if (heads) announced = await heads.next(delay);
      else await sleep(delay, ctx.shutdown);
    }
  })();

  let stopped: Promise<void> | undefined;
  function stop(reason = "stop"): Promise<void> {
    stopped ??= (async () => {
      await Promise.resolve(); // `stopped` is set before the abort listener calls back in
      log.info("daemon stopping", { reason });
      abort(reason);
      clearInterval(pruneTimer);
      clearInterval(outputTimer);
      await loop;
      await pruning;
      await pruningOutputs;
      heads?.close();
      await Promise.allSettled(roles.map((r) => r.stop()));
      await executor.close();
      await instrumenter.close();
      await server.close({ graceMs: 500 });
      journal.close();
      log.info("daemon stopped", { signed_transactions: queue.signed });
    })();
    return stopped;
  }
  ctx.shutdown.addEventListener("abort", () => void stop(String(ctx.shutdown.reason)), { once: true });

  return { context: ctx, account: account.address, deployment, url, stop, done: loop.then(() => stopped) };
}
