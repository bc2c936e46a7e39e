import {
  BlockNotFoundError,
  encodeFunctionData,
  keccak256,
  parseTransaction,
  TransactionNotFoundError,
  type Abi,
  type Hex,
  type LocalAccount,
  type TransactionReceipt,
} from "viem";

import { ContractRevertError } from "../errors/contract-revert.ts";
import { TransactionRevertedError } from "../errors/sdk.ts";
import type { HashworkBaseClient, HashworkPublicClient, HashworkWalletClient } from "../utils/client.ts";
import { sleep, type DaemonContext } from "./context.ts";
import { backoffMs, classifyError } from "./errors.ts";
import type { BlockRef } from "./chain-input.ts";
import type { IntentStatus, Journal, ReorgedIntent } from "./journal.ts";

/** Which intent a transaction carries out: one action on one job. */
export type IntentKey = { jobId: bigint; action: string };

export type TxOutcome<T> =
  /** Mined and succeeded. `value` is what `send` returned (absent when resolved from the journal). */
  | { status: "confirmed"; receipt: TransactionReceipt | undefined; value?: T; resumed: boolean }
  /** Mined and reverted (e.g. another provider won the race). Final. */
  | { status: "reverted"; receipt: TransactionReceipt | undefined; resumed: boolean }
  /** Nothing was mined: refused before sending (non-retryable) or out of attempts. May be tried again later. */
  | { status: "failed"; error: unknown }
  /** Shutdown came first; the intent stays open in the journal and is resumed on restart. */
  | { status: "interrupted" };

export type TxQueue = {
  /**
   * Carries out an intent at most once: `send` gets a client whose wallet routes every
   * transaction through this queue (explicit nonce, journaled before broadcast). Retryable
   * failures before anything was signed are retried with back-off; once a transaction is
   * journaled, the queue only ever waits for, re-broadcasts or fee-bumps that transaction.
   */
  run<T extends { receipt: TransactionReceipt }>(key: IntentKey, send: (client: HashworkBaseClient) => Promise<T>): Promise<TxOutcome<T>>;
  /**
   * Carries out one `action` for several jobs with one transaction (a batched contract call),
   * each job's intent still at most once: members already finished or with a transaction out are
   * resolved from the journal; the rest go to `send`, which gets their job ids and must send
   * exactly one transaction covering them. The signed transaction is journaled for every member
   * before it is broadcast. When the simulation reverts naming one member's job, that member
   * fails and the batch is tried again without it (not counted as an attempt of the others).
   */
  runBatch<T extends { receipt: TransactionReceipt }>(
    action: string,
    jobIds: bigint[],
    send: (client: HashworkBaseClient, jobIds: bigint[]) => Promise<T>,
  ): Promise<Map<bigint, TxOutcome<T>>>;
  /** The journaled status of an intent, if it was ever begun. */
  status(key: IntentKey): IntentStatus | undefined;
  /** Resolves every journaled intent with a transaction out (call on start). */
  recover(): Promise<void>;
  /**
   * After a reorg to `ancestor` (undefined: fork point unknown, found from the journal's mined
   * blocks): reopens the intents whose transactions the reorg removed (`journal.applyReorg`
   * decides), re-reads the account's nonce, and waits again for the transactions the node kept.
   */
  reorg(ancestor: BlockRef | undefined): Promise<ReorgedIntent[]>;
  /** Transactions this queue signed since it was created. */
  readonly signed: number;
};

export type CreateTxQueueParameters = {
  client: HashworkBaseClient & { walletClient: HashworkWalletClient };
  account: LocalAccount;
  journal: Journal;
};

type WriteArgs = {
  address: Hex;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  gas?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  value?: bigint;
};

/** How long fee data (base fee, priority fee) is reused before it is read again. */
const FEE_TTL_MS = 1_000;
/** Gas limit from a cached estimate of the same call shape: estimate × 3/2 + 50k (unused gas is not paid). */
const GAS_MARGIN_NUMERATOR = 3n;
const GAS_MARGIN_DENOMINATOR = 2n;
const GAS_MARGIN_EXTRA = 50_000n;
/** Functions whose gas estimate is reused per call shape (see `gasFor`). */
const CACHED_ESTIMATES = new Set(["claimJob", "claimJobs", "submitResult", "submitResults", "finalizeJob", "finalizeJobs"]);

/** The job a contract revert names (its decoded `jobId` argument), if any. */
function blamedJob(error: unknown): bigint | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++, e = (e as { cause?: unknown }).cause) {
    if (e instanceof ContractRevertError) {
      const jobId = (e as { jobId?: unknown }).jobId;
      return typeof jobId === "bigint" ? jobId : undefined;
    }
  }
  return undefined;
}

/** Fee bump for a stuck transaction: +25% (nodes require at least +10% to replace). */
const BUMP_NUMERATOR = 125n;
const BUMP_DENOMINATOR = 100n;

/**
 * The single writer for one account. Nonces are assigned here, in order, under a lock held from
 * nonce choice through broadcast; each signed transaction is journaled (raw bytes included)
 * before it is broadcast.
 *
 * @example
 * const queue = createTxQueue(context, { client, account, journal })
 * const outcome = await queue.run({ jobId, action: "claim" }, (c) => claimJob(c, { jobId }))
 */
export function createTxQueue(context: DaemonContext, { client, account, journal }: CreateTxQueueParameters): TxQueue {
  const { config, metrics } = context;
  const log = context.logger.child({ component: "tx-queue", account: account.address });
  const publicClient = client.publicClient;
  const sent = metrics.counter("hashwork_tx_sent_total", "Transactions signed and broadcast");
  const outcomes = metrics.counter("hashwork_tx_outcomes_total", "Intents finished, by action and status");
  const bumps = metrics.counter("hashwork_tx_fee_bumps_total", "Fee bumps of stuck transactions");
  const retries = metrics.counter("hashwork_tx_retries_total", "Retryable failures retried");
  const pendingGauge = metrics.gauge("hashwork_tx_pending", "Intents with a transaction out");

  let nextNonce: number | undefined;
  let lock: Promise<void> = Promise.resolve();
  let signedCount = 0;
  const inFlight = new Map<string, Promise<TxOutcome<never>>>();
  const keyOf = (k: IntentKey) => `${k.jobId}:${k.action}`;

  // Fee data is read once per FEE_TTL_MS (not per transaction): max fee = 2 × base fee + tip,
  // so a few blocks of rising base fee do not strand a transaction (a stuck one is bumped).
  let feeCache: { at: number; fees: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> } | undefined;
  function fees() {
    if (!feeCache || Date.now() - feeCache.at > FEE_TTL_MS) {
      const fees = (async () => {
        const [block, tip] = await Promise.all([
          publicClient.getBlock({ blockTag: "latest" }),
          publicClient.estimateMaxPriorityFeePerGas().catch(() => 1_000_000_000n),
        ]);
        const base = block.baseFeePerGas ?? 0n;
        return { maxFeePerGas: 2n * base + tip, maxPriorityFeePerGas: tip };
      })();
      feeCache = { at: Date.now(), fees };
      fees.catch(() => (feeCache = undefined));
    }
    return feeCache.fees;
  }

  // One gas estimate per call shape, with a margin: the simulation before each transaction has
  // already shown that it succeeds, so the estimate is not repeated per transaction. The shape is
  // the function and, for batches, the batch size rounded up to a power of two; a batch larger
  // than the estimated one scales the estimate (which includes the fixed cost) by the ratio.
  // Only the job steps sent in volume are cached: every other call (dispute upkeep, votes,
  // challenges, pins, pool bonds) is estimated each time, since its cost depends on state — a
  // draw of five seats costs more than one of three, a resolve that slashes verifiers updates
  // their pool weights — and these are rare.
  const gasCache = new Map<string, { estimate: bigint; size: number }>();
  // By address: with a local account viem would prepare a whole transaction (nonce, chain id)
  // first. On the pending block, like the simulation: a draw right after its seed block, or a
  // challenge's reveal right after its commitment, would be refused at "latest".
  const estimate = (args: WriteArgs, data: Hex) =>
    publicClient.estimateGas({ account: account.address, to: args.address, data, value: args.value, blockTag: "pending" });
  async function gasFor(args: WriteArgs, data: Hex): Promise<bigint> {
    if (args.gas !== undefined) return args.gas;
    if (!CACHED_ESTIMATES.has(args.functionName)) {
      return ((await estimate(args, data)) * GAS_MARGIN_NUMERATOR) / GAS_MARGIN_DENOMINATOR + GAS_MARGIN_EXTRA;
    }
    const first = args.args?.[0];
    const size = Array.isArray(first) ? first.length : 1;
    const shape = `${args.address}:${args.functionName}:${2 ** Math.ceil(Math.log2(Math.max(1, size)))}`;
    let cached = gasCache.get(shape);
    if (cached === undefined) {
      cached = { estimate: await estimate(args, data), size };
      gasCache.set(shape, cached);
    }
    const scaled = size > cached.size ? (cached.estimate * BigInt(size) + BigInt(cached.size) - 1n) / BigInt(cached.size) : cached.estimate;
    return (scaled * GAS_MARGIN_NUMERATOR) / GAS_MARGIN_DENOMINATOR + GAS_MARGIN_EXTRA;
  }

  /** Runs `fn` alone: one nonce decision and broadcast at a time. */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = lock;
    let release!: () => void;
    lock = new Promise((r) => (release = r));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Waits for receipts with the daemon's timeout and polling interval (the SDK calls this after sending). */
  const waitingPublicClient = {
    ...publicClient,
    waitForTransactionReceipt: (args: Parameters<HashworkPublicClient["waitForTransactionReceipt"]>[0]) =>
      publicClient.waitForTransactionReceipt({
        pollingInterval: Math.min(config.pollIntervalMs, 1000),
        timeout: config.tx.receiptTimeoutMs,
        ...args,
      }),
    // The simulation before signing runs on the pending block: transactions already in the
    // node's pool (another provider's claim of the same job) make it fail before anything is
    // signed, instead of the transaction reverting in the next block.
    simulateContract: (args: Parameters<HashworkPublicClient["simulateContract"]>[0]) =>
      publicClient.simulateContract({ blockTag: "pending", ...args } as never),
  } as HashworkPublicClient;

  async function broadcast(raw: Hex, hash: Hex): Promise<void> {
    try {
      await publicClient.sendRawTransaction({ serializedTransaction: raw });
    } catch (error) {
      // A retried broadcast of a transaction the node already has (or already mined) is fine.
      const known = await publicClient.getTransaction({ hash }).catch(() => undefined);
      if (known) return;
      throw error;
    }
  }

  async function write(keys: IntentKey[], args: WriteArgs): Promise<Hex> {
    const key = keys[0]!;
    const data = encodeFunctionData({ abi: args.abi, functionName: args.functionName, args: args.args ?? [] } as never);
    const chainId = client.walletClient.chain?.id ?? (await publicClient.getChainId());
    return exclusive(async () => {
      if (nextNonce === undefined) {
        nextNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
      }
      const nonce = nextNonce;
      const [gas, fee] = await Promise.all([
        gasFor(args, data),
        args.maxFeePerGas !== undefined && args.maxPriorityFeePerGas !== undefined
          ? { maxFeePerGas: args.maxFeePerGas, maxPriorityFeePerGas: args.maxPriorityFeePerGas }
          : fees(),
      ]);
      const request = {
        type: "eip1559" as const,
        chainId,
        to: args.address,
        data,
        nonce,
        gas,
        maxFeePerGas: fee.maxFeePerGas,
        maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
        value: args.value,
      };
      const raw = await account.signTransaction(request);
      const hash = keccak256(raw);
      journal.recordTransaction({ hash, jobId: key.jobId, action: key.action, nonce, raw, members: keys.length > 1 ? keys : undefined });
      nextNonce = nonce + 1;
      signedCount++;
      try {
        await broadcast(raw, hash);
      } catch (error) {
        const c = classifyError(error);
        if (c.retryable && !c.nonceDesync) throw error; // delivery unknown: resolved (re-broadcast) from the journal
        // The node refused it: the nonce is free again, and nothing of this intent is out.
        journal.atomically(() => {
          journal.setTransactionStatus(hash, "dropped");
          for (const k of keys) journal.finishIntent(k.jobId, k.action, "failed", { error: c.message });
        });
        nextNonce = c.nonceDesync ? undefined : nonce;
        throw error;
      }
      sent.inc({ action: key.action });
      if (keys.length > 1) {
        log.info("transaction sent", { job_id: key.jobId, job_ids: keys.map((k) => k.jobId), action: key.action, tx_hash: hash, nonce });
      } else log.info("transaction sent", { job_id: key.jobId, action: key.action, tx_hash: hash, nonce });
      return hash;
    });
  }

  function clientFor(keys: IntentKey[]): HashworkBaseClient {
    const wallet = {
      ...client.walletClient,
      account,
      writeContract: (args: WriteArgs) => write(keys, args),
    } as unknown as HashworkWalletClient;
    return { ...client, publicClient: waitingPublicClient, walletClient: wallet };
  }

  function finish(key: IntentKey, status: "confirmed" | "reverted" | "failed", detail: { txHash?: Hex; error?: string } = {}) {
    journal.finishIntent(key.jobId, key.action, status, detail);
    outcomes.inc({ action: key.action, status });
  }

  /**
   * Waits for one of the intent's journaled transactions to be mined; re-broadcasts and
   * fee-bumps meanwhile. The members of a batched transaction share one waiter (keyed by nonce)
   * and are finished together.
   */
  async function resolveSent(key: IntentKey): Promise<TxOutcome<never>> {
    const first = journal.transactions(key).find((t) => t.status !== "dropped");
    const members = first ? journal.transactionMembers(first.hash) : [key];
    const batched = members.length > 1;
    const k = batched ? `nonce:${first!.nonce}` : keyOf(key);
    const running = inFlight.get(k);
    if (running) return running;
    const finishAll = (status: "confirmed" | "reverted" | "failed", detail: { txHash?: Hex; error?: string }) => {
      journal.atomically(() => {
        for (const m of batched ? members : [key]) finish(m, status, detail);
      });
    };
    const promise = (async (): Promise<TxOutcome<never>> => {
      pendingGauge.inc();
      let lastSignedAt = Date.now();
      let nonceUsedPolls = 0;
      try {
        while (!context.shutdown.aborted) {
          const txs = journal.transactions(key).filter((t) => t.status !== "dropped");
          if (txs.length === 0) {
            finishAll("failed", { error: "no transaction of this intent is out" });
            return { status: "failed", error: new Error("no transaction of this intent is out") };
          }
          try {
            for (const tx of txs) {
              const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash }).catch(() => undefined);
              if (!receipt) continue;
              journal.recordMined(tx.hash, { number: receipt.blockNumber, hash: receipt.blockHash });
              for (const other of txs) if (other.hash !== tx.hash) journal.setTransactionStatus(other.hash, "dropped");
              const status = receipt.status === "success" ? "confirmed" : "reverted";
              finishAll(status, { txHash: tx.hash });
              log.info(`transaction ${status === "confirmed" ? "mined" : "reverted"} (resumed)`, {
                job_id: key.jobId, action: key.action, tx_hash: tx.hash,
              });
              return { status, receipt, resumed: true };
            }
            const nonce = txs[0]!.nonce;
            const mined = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
            if (mined > nonce) {
              // Some transaction took the nonce; if none of ours shows a receipt soon, it was not ours.
              if (++nonceUsedPolls >= 5) {
                for (const tx of txs) journal.setTransactionStatus(tx.hash, "dropped");
                finishAll("failed", { error: `nonce ${nonce} was used by another transaction` });
                log.warn("intent's nonce was taken by another transaction", { job_id: key.jobId, action: key.action, nonce });
                return { status: "failed", error: new Error(`nonce ${nonce} used by another transaction`) };
              }
            } else {
              const latest = txs.at(-1)!;
              if (Date.now() - lastSignedAt > config.tx.receiptTimeoutMs) {
                await bump(key, latest.raw, nonce);
                lastSignedAt = Date.now();
              } else {
                for (const tx of txs) {
                  const known = await publicClient.getTransaction({ hash: tx.hash }).catch(() => undefined);
                  if (!known) {
                    await broadcast(tx.raw, tx.hash).catch((error: unknown) =>
                      log.warn("re-broadcast failed", { job_id: key.jobId, action: key.action, tx_hash: tx.hash, error }),
                    );
                  }
                }
              }
            }
          } catch (error) {
            log.warn("waiting for a journaled transaction failed; retrying", { job_id: key.jobId, action: key.action, error });
          }
          await sleep(Math.min(config.pollIntervalMs, 1000), context.shutdown);
        }
        return { status: "interrupted" };
      } finally {
        pendingGauge.inc(undefined, -1);
        inFlight.delete(k);
      }
    })();
    inFlight.set(k, promise);
    return promise;
  }

  /** Re-signs a stuck transaction with the same nonce and fees raised by a quarter. */
  async function bump(key: IntentKey, raw: Hex, nonce: number): Promise<void> {
    const tx = parseTransaction(raw);
    const fees = await publicClient.estimateFeesPerGas().catch(() => undefined);
    const raise = (old: bigint | undefined, market: bigint | undefined) => {
      const bumped = ((old ?? 0n) * BUMP_NUMERATOR) / BUMP_DENOMINATOR + 1n;
      return market !== undefined && market > bumped ? market : bumped;
    };
    const request = {
      ...tx,
      nonce,
      maxFeePerGas: raise(tx.maxFeePerGas, fees?.maxFeePerGas),
      maxPriorityFeePerGas: raise(tx.maxPriorityFeePerGas, fees?.maxPriorityFeePerGas),
    };
    delete (request as { v?: unknown }).v;
    delete (request as { r?: unknown }).r;
    delete (request as { s?: unknown }).s;
    delete (request as { yParity?: unknown }).yParity;
    const replacement = await account.signTransaction(request as never);
    const hash = keccak256(replacement);
    const members = journal.transactionMembers(keccak256(raw));
    journal.recordTransaction({ hash, jobId: key.jobId, action: key.action, nonce, raw: replacement, members: members.length > 1 ? members : undefined });
    signedCount++;
    bumps.inc({ action: key.action });
    log.warn("fee bump of a stuck transaction", { job_id: key.jobId, action: key.action, tx_hash: hash, nonce });
    await broadcast(replacement, hash);
  }

  async function run<T extends { receipt: TransactionReceipt }>(
    key: IntentKey,
    send: (client: HashworkBaseClient) => Promise<T>,
  ): Promise<TxOutcome<T>> {
    const intent = journal.beginIntent(key.jobId, key.action);
    if (intent.status === "confirmed" || intent.status === "reverted") {
      return { status: intent.status, receipt: undefined, resumed: true };
    }
    if (intent.status === "sent") return resolveSent(key);
    for (let attempt = 1; attempt <= config.tx.maxAttempts; attempt++) {
      if (context.shutdown.aborted) return { status: "interrupted" };
      journal.recordAttempt(key.jobId, key.action);
      try {
        const value = await send(clientFor([key]));
        journal.recordMined(value.receipt.transactionHash, { number: value.receipt.blockNumber, hash: value.receipt.blockHash });
        finish(key, "confirmed", { txHash: value.receipt.transactionHash });
        return { status: "confirmed", receipt: value.receipt, value, resumed: false };
      } catch (error) {
        const c = classifyError(error);
        const current = journal.getIntent(key.jobId, key.action);
        if (current?.status === "sent") {
          if (error instanceof TransactionRevertedError) {
            journal.recordMined(error.receipt.transactionHash, { number: error.receipt.blockNumber, hash: error.receipt.blockHash });
            finish(key, "reverted", { txHash: error.receipt.transactionHash, error: c.message });
            return { status: "reverted", receipt: error.receipt, resumed: false };
          }
          log.warn("a transaction is out; waiting for it instead of sending another", {
            job_id: key.jobId, action: key.action, tx_hash: current.txHash, error: c.message,
          });
          return resolveSent(key);
        }
        journal.recordError(key.jobId, key.action, c.message);
        if (!c.retryable || attempt === config.tx.maxAttempts) {
          finish(key, "failed", { error: c.message });
          return { status: "failed", error };
        }
        retries.inc({ action: key.action });
        const delay = backoffMs(attempt, config.tx.baseBackoffMs);
        log.info("retryable failure; backing off", { job_id: key.jobId, action: key.action, attempt, delay_ms: delay, error: c.message });
        await sleep(delay, context.shutdown);
      }
    }
    return { status: "failed", error: new Error("unreachable") };
  }

  async function runBatch<T extends { receipt: TransactionReceipt }>(
    action: string,
    jobIds: bigint[],
    send: (client: HashworkBaseClient, jobIds: bigint[]) => Promise<T>,
  ): Promise<Map<bigint, TxOutcome<T>>> {
    const outcomes = new Map<bigint, TxOutcome<T>>();
    const waiting: Promise<void>[] = [];
    let todo: bigint[] = [];
    // Per-member bookkeeping goes into one SQLite transaction each time (one fsync, not one per job).
    const intents = journal.atomically(() => [...new Set(jobIds)].map((jobId) => journal.beginIntent(jobId, action)));
    for (const intent of intents) {
      const jobId = intent.jobId;
      if (intent.status === "confirmed" || intent.status === "reverted") {
        outcomes.set(jobId, { status: intent.status, receipt: undefined, resumed: true });
      } else if (intent.status === "sent") {
        waiting.push(resolveSent({ jobId, action }).then((o) => void outcomes.set(jobId, o)));
      } else todo.push(jobId);
    }
    const counted = new Set<bigint>();
    for (let attempt = 1; todo.length > 0 && attempt <= config.tx.maxAttempts; ) {
      if (context.shutdown.aborted) break;
      const keys = todo.map((jobId) => ({ jobId, action }));
      journal.atomically(() => {
        for (const jobId of todo) {
          if (counted.has(jobId)) continue;
          journal.recordAttempt(jobId, action);
          counted.add(jobId);
        }
      });
      try {
        const value = await send(clientFor(keys), todo);
        const hash = value.receipt.transactionHash;
        journal.atomically(() => {
          journal.recordMined(hash, { number: value.receipt.blockNumber, hash: value.receipt.blockHash });
          for (const k of keys) finish(k, "confirmed", { txHash: hash });
        });
        for (const k of keys) outcomes.set(k.jobId, { status: "confirmed", receipt: value.receipt, value, resumed: false });
        todo = [];
        break;
      } catch (error) {
        const c = classifyError(error);
        if (journal.getIntent(todo[0]!, action)?.status === "sent") {
          const batch = todo;
          todo = [];
          if (error instanceof TransactionRevertedError) {
            journal.atomically(() => {
              journal.recordMined(error.receipt.transactionHash, { number: error.receipt.blockNumber, hash: error.receipt.blockHash });
              for (const jobId of batch) finish({ jobId, action }, "reverted", { txHash: error.receipt.transactionHash, error: c.message });
            });
            for (const jobId of batch) outcomes.set(jobId, { status: "reverted", receipt: error.receipt, resumed: false });
          } else {
            log.warn("a batched transaction is out; waiting for it instead of sending another", { action, job_ids: batch, error: c.message });
            waiting.push(...batch.map((jobId) => resolveSent({ jobId, action }).then((o) => void outcomes.set(jobId, o))));
          }
          break;
        }
        // The simulation named one member's job: that member fails; the others go again.
        const blamed = blamedJob(error);
        if (!c.retryable && blamed !== undefined && todo.includes(blamed) && todo.length > 1) {
          journal.recordError(blamed, action, c.message);
          finish({ jobId: blamed, action }, "failed", { error: c.message });
          outcomes.set(blamed, { status: "failed", error });
          todo = todo.filter((id) => id !== blamed);
          log.info("batch member refused by the simulation; sending the rest", { action, job_id: blamed, error: c.message });
          continue;
        }
        journal.atomically(() => {
          for (const jobId of todo) journal.recordError(jobId, action, c.message);
        });
        if (!c.retryable || attempt === config.tx.maxAttempts) {
          journal.atomically(() => {
            for (const jobId of todo) finish({ jobId, action }, "failed", { error: c.message });
          });
          for (const jobId of todo) outcomes.set(jobId, { status: "failed", error });
          todo = [];
          break;
        }
        retries.inc({ action });
        const delay = backoffMs(attempt, config.tx.baseBackoffMs);
        log.info("retryable failure; backing off", { action, job_ids: todo, attempt, delay_ms: delay, error: c.message });
        counted.clear();
        attempt++;
        await sleep(delay, context.shutdown);
      }
    }
    for (const jobId of todo) outcomes.set(jobId, { status: "interrupted" });
    await Promise.all(waiting);
    return outcomes;
  }

  async function recover(): Promise<void> {
    const open = journal.openIntents().filter((i) => i.status === "sent");
    if (open.length > 0) log.info("resuming journaled transactions", { count: open.length });
    await Promise.all(open.map((i) => resolveSent({ jobId: i.jobId, action: i.action })));
  }

  /** The highest block holding one of our mined transactions that is still canonical (fork point unknown). */
  async function lastCanonicalMinedBlock(): Promise<bigint> {
    for (const block of journal.minedBlocks()) {
      // Only "no such block" (the new chain is shorter) means not canonical; an RPC failure
      // propagates, so the daemon redoes the reorg instead of abandoning good transactions.
      const canonical = await publicClient.getBlock({ blockNumber: block.number }).catch((error: unknown) => {
        if (error instanceof BlockNotFoundError) return undefined;
        throw error;
      });
      if (canonical?.hash === block.hash) return block.number;
    }
    return -1n;
  }

  async function reorg(ancestor: BlockRef | undefined): Promise<ReorgedIntent[]> {
    const below = ancestor?.number ?? (await lastCanonicalMinedBlock());
    const removed = journal.minedAbove(below);
    if (removed.length === 0) return [];
    // Whatever the node still holds (re-pooled, or mined again on the new branch) is kept and
    // waited for; what it forgot cannot be re-broadcast safely, so the intent is decided anew.
    const known = new Set<Hex>();
    for (const tx of removed) {
      const there = await publicClient.getTransaction({ hash: tx.hash }).catch((error: unknown) => {
        if (error instanceof TransactionNotFoundError) return undefined;
        throw error; // unknown is not "forgotten": the reorg is redone once the RPC answers
      });
      if (there) known.add(tx.hash);
    }
    const fates = await exclusive(async () => {
      const result = journal.applyReorg(below, known);
      // Abandoned transactions gave their nonces back: the next one comes from the node again.
      if (result.some((r) => r.fate === "abandoned")) nextNonce = undefined;
      return result;
    });
    for (const f of fates) {
      log.warn(`reorg ${f.fate === "kept" ? "reopened" : "abandoned"} a transaction`, { job_id: f.jobId, action: f.action, tx_hash: f.txHash });
      if (f.fate === "kept") void resolveSent({ jobId: f.jobId, action: f.action });
    }
    return fates;
  }

  return {
    run,
    runBatch,
    recover,
    reorg,
    status: (key) => journal.getIntent(key.jobId, key.action)?.status,
    get signed() {
      return signedCount;
    },
  };
}

