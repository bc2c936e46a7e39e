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

  async function write(key: IntentKey, args: WriteArgs): Promise<Hex> {
    const data = encodeFunctionData({ abi: args.abi, functionName: args.functionName, args: args.args ?? [] } as never);
    return exclusive(async () => {
      if (nextNonce === undefined) {
        nextNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
      }
      const nonce = nextNonce;
      const request = await client.walletClient.prepareTransactionRequest({
        account,
        chain: client.walletClient.chain,
        to: args.address,
        data,
        nonce,
        gas: args.gas,
        maxFeePerGas: args.maxFeePerGas,
        maxPriorityFeePerGas: args.maxPriorityFeePerGas,
        value: args.value,
      } as never);
      const raw = await account.signTransaction(request as never);
      const hash = keccak256(raw);
      journal.recordTransaction({ hash, jobId: key.jobId, action: key.action, nonce, raw });
      nextNonce = nonce + 1;
      signedCount++;
      try {
        await broadcast(raw, hash);
      } catch (error) {
        const c = classifyError(error);
        if (c.retryable && !c.nonceDesync) throw error; // delivery unknown: resolved (re-broadcast) from the journal
        // The node refused it: the nonce is free again, and nothing of this intent is out.
        journal.setTransactionStatus(hash, "dropped");
        journal.finishIntent(key.jobId, key.action, "failed", { error: c.message });
        nextNonce = c.nonceDesync ? undefined : nonce;
        throw error;
      }
      sent.inc({ action: key.action });
      log.info("transaction sent", { job_id: key.jobId, action: key.action, tx_hash: hash, nonce });
      return hash;
    });
  }

  function clientFor(key: IntentKey): HashworkBaseClient {
    const wallet = {
      ...client.walletClient,
      account,
      writeContract: (args: WriteArgs) => write(key, args),
    } as unknown as HashworkWalletClient;
    return { ...client, publicClient: waitingPublicClient, walletClient: wallet };
  }

  function finish(key: IntentKey, status: "confirmed" | "reverted" | "failed", detail: { txHash?: Hex; error?: string } = {}) {
    journal.finishIntent(key.jobId, key.action, status, detail);
    outcomes.inc({ action: key.action, status });
  }

  /** Waits for one of the intent's journaled transactions to be mined; re-broadcasts and fee-bumps meanwhile. */
  async function resolveSent(key: IntentKey): Promise<TxOutcome<never>> {
    const k = keyOf(key);
    const running = inFlight.get(k);
    if (running) return running;
    const promise = (async (): Promise<TxOutcome<never>> => {
      pendingGauge.inc();
      let lastSignedAt = Date.now();
      let nonceUsedPolls = 0;
      try {
        while (!context.shutdown.aborted) {
          const txs = journal.transactions(key).filter((t) => t.status !== "dropped");
          if (txs.length === 0) {
            finish(key, "failed", { error: "no transaction of this intent is out" });
            return { status: "failed", error: new Error("no transaction of this intent is out") };
          }
          try {
            for (const tx of txs) {
              const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash }).catch(() => undefined);
              if (!receipt) continue;
              journal.recordMined(tx.hash, { number: receipt.blockNumber, hash: receipt.blockHash });
              for (const other of txs) if (other.hash !== tx.hash) journal.setTransactionStatus(other.hash, "dropped");
              const status = receipt.status === "success" ? "confirmed" : "reverted";
              finish(key, status, { txHash: tx.hash });
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
                finish(key, "failed", { error: `nonce ${nonce} was used by another transaction` });
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
    journal.recordTransaction({ hash, jobId: key.jobId, action: key.action, nonce, raw: replacement });
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
        const value = await send(clientFor(key));
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
    recover,
    reorg,
    status: (key) => journal.getIntent(key.jobId, key.action)?.status,
    get signed() {
      return signedCount;
    },
  };
}

