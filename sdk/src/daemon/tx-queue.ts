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
import { backoffMs, classifyError, TransactionAbandonedError } from "./errors.ts";
import type { BlockRef } from "./chain-input.ts";
import type { IntentStatus, Journal, JournaledTransaction, ReorgedIntent } from "./journal.ts";

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
   * journaled, the queue only ever waits for or fee-bumps that transaction; one the node forgot
   * is abandoned by `reconcile` (the role decides again), never re-broadcast.
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
  /** Reconciles the journal with the node, then resolves every journaled intent with a transaction out (call on start). */
  recover(): Promise<void>;
  /**
   * After a reorg to `ancestor` (undefined: fork point unknown, found from the journal's mined
   * blocks): reconciles every transaction not final or mined above the ancestor with the node
   * (kept ones waited for, forgotten ones abandoned, nonce gaps filled) and re-checks
   * time-dependent transactions still in the pool at the new head.
   */
  reorg(ancestor: BlockRef | undefined): Promise<ReorgedIntent[]>;
  /** The same reconcile without a reorg (what start and a forgotten transaction trigger). */
  reconcile(): Promise<ReorgedIntent[]>;
  /** Transactions this queue signed since it was created. */
  readonly signed: number;
};

export type CreateTxQueueParameters = {
  client: HashworkBaseClient & { walletClient: HashworkWalletClient };
  account: LocalAccount;
  journal: Journal;
  /**
   * Whether a successful transaction carried out `member`'s intent. A batched call may skip a
   * member without reverting (`finalizeJobs` passes over a job not yet due, e.g. after a reorg
   * moved the chain's clock back): such a member is finished `reverted`, so its role tries again,
   * instead of `confirmed`. Absent: every member of a successful transaction is carried out.
   */
  carriedOut?: (member: IntentKey, receipt: TransactionReceipt) => boolean;
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

/** Intents that depend on the chain's clock (deadlines, windows): re-checked after a reorg. */
const TIME_DEPENDENT = /^(finalize|timeout|expire|resolve|void)(:|$)/;
/** The job id of intents about no job (nonce-gap fills); real job ids are never 0. */
const NO_JOB = 0n;

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
export function createTxQueue(context: DaemonContext, { client, account, journal, carriedOut }: CreateTxQueueParameters): TxQueue {
  /**
   * A member's status under a mined receipt. A success that skipped it is `failed` — nothing of
   * the intent happened, so the role decides it again (not `reverted`, which would use up one of
   * its tries while the skip says only "not yet").
   */
  const statusOf = (member: IntentKey, receipt: TransactionReceipt): "confirmed" | "reverted" | "failed" =>
    receipt.status !== "success" ? "reverted" : (carriedOut?.(member, receipt) ?? true) ? "confirmed" : "failed";
  const SKIPPED = "a successful batch passed over this member (not due at the block's time)";
  const { config, metrics } = context;
  const log = context.logger.child({ component: "tx-queue", account: account.address });
  const publicClient = client.publicClient;
  const sent = metrics.counter("hashwork_tx_sent_total", "Transactions signed and broadcast");
  const resent = metrics.counter(
    "hashwork_tx_resent_total",
    "Transactions decided again whose bytes equal one the node forgot (broadcast again, not counted as sent)",
  );
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

  // A transaction's receipt is awaited by `send` (through `waitingPublicClient`); when a
  // reconcile abandons or cancels it, that wait ends at once instead of after the receipt timeout.
  const waiters = new Map<Hex, (error: Error) => void>();

  /** Waits for receipts with the daemon's timeout and polling interval (the SDK calls this after sending). */
  const waitingPublicClient = {
    ...publicClient,
    // A reconcile that abandons or cancels the transaction ends the wait at once; one that the
    // node forgets meanwhile (a reorg, an eviction) starts that reconcile.
    waitForTransactionReceipt: (args: Parameters<HashworkPublicClient["waitForTransactionReceipt"]>[0]) => {
      const every = Math.min(config.pollIntervalMs, 1000);
      let waiting = true;
      const abandoned = new Promise<never>((_, reject) => waiters.set(args.hash, reject));
      void (async () => {
        while (waiting && !context.shutdown.aborted) {
          await sleep(2 * every, context.shutdown);
          if (!waiting) return;
          await nodeHas(args.hash)
            .then((has) => (has || !waiting ? undefined : reconcile()))
            .catch((error: unknown) => log.debug("checking a transaction awaited failed", { tx_hash: args.hash, error }));
        }
      })();
      return Promise.race([
        publicClient.waitForTransactionReceipt({ pollingInterval: every, timeout: config.tx.receiptTimeoutMs, ...args }),
        abandoned,
      ]).finally(() => {
        waiting = false;
        waiters.delete(args.hash);
      });
    },
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
      // "revived": the node forgot a transaction with these very bytes (same request, nonce, gas
      // and fees, e.g. after a reorg back to the same block) and the role decided it again.
      const fresh =
        journal.recordTransaction({
          hash,
          jobId: key.jobId,
          action: key.action,
          nonce,
          raw,
          members: keys.length > 1 ? keys : undefined,
        }) === "new";
      nextNonce = nonce + 1;
      signedCount++;
      try {
        await broadcast(raw, hash);
      } catch (error) {
        const c = classifyError(error);
        if (c.retryable && !c.nonceDesync) throw error; // delivery unknown: waited for; if the node never got it, reconcile abandons it
        // The node refused it: the nonce is free again, and nothing of this intent is out.
        journal.atomically(() => {
          journal.setTransactionStatus(hash, "dropped");
          for (const k of keys) journal.finishIntent(k.jobId, k.action, "failed", { error: c.message });
        });
        nextNonce = c.nonceDesync ? undefined : nonce;
        throw error;
      }
      const fields = {
        job_id: key.jobId,
        ...(keys.length > 1 ? { job_ids: keys.map((k) => k.jobId) } : {}),
        action: key.action,
        tx_hash: hash,
        nonce,
      };
      if (fresh) {
        sent.inc({ action: key.action });
        log.info("transaction sent", fields);
      } else {
        // Not a new send: the same transaction goes out again after a fresh decision (simulated
        // at the pending block like any other), so it is neither counted nor logged as sent twice.
        resent.inc({ action: key.action });
        log.info("transaction re-sent: decided again, the same bytes as one the node forgot", fields);
      }
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

  /** Whether the node still has a transaction (mined or in its pool). RPC failures propagate: unknown is not "forgotten". */
  async function nodeHas(hash: Hex): Promise<boolean> {
    // eth_getTransactionByHash answers for pooled and mined transactions alike.
    const tx = await publicClient.getTransaction({ hash }).catch((error: unknown) => {
      if (error instanceof TransactionNotFoundError) return undefined;
      throw error;
    });
    return tx !== undefined;
  }

  /** A no-op self-transfer: what fills a nonce gap or cancels a transaction that must not be mined. */
  const isNoOp = (raw: Hex) => {
    const tx = parseTransaction(raw);
    return tx.to?.toLowerCase() === account.address.toLowerCase() && (tx.data === undefined || tx.data === "0x") && !tx.value;
  };
  const FILL_ACTION = "fill-nonce";
  const isFill = (action: string) => action.startsWith(`${FILL_ACTION}:`);

  /** Signs a no-op self-transfer at `nonce` for `keys` (fees at least `floor` raised by a quarter), journals and broadcasts it. */
  async function sendNoOp(keys: IntentKey[], nonce: number, floor?: { maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }) {
    const market = await fees();
    const raise = (old: bigint | undefined, now: bigint) => {
      const bumped = old === undefined ? 0n : (old * BUMP_NUMERATOR) / BUMP_DENOMINATOR + 1n;
      return bumped > now ? bumped : now;
    };
    const chainId = client.walletClient.chain?.id ?? (await publicClient.getChainId());
    const raw = await account.signTransaction({
      type: "eip1559",
      chainId,
      to: account.address,
      value: 0n,
      nonce,
      gas: 21_000n,
      maxFeePerGas: raise(floor?.maxFeePerGas, market.maxFeePerGas),
      maxPriorityFeePerGas: raise(floor?.maxPriorityFeePerGas, market.maxPriorityFeePerGas),
    });
    const hash = keccak256(raw);
    journal.recordTransaction({
      hash,
      jobId: keys[0]!.jobId,
      action: keys[0]!.action,
      nonce,
      raw,
      members: keys.length > 1 ? keys : undefined,
    });
    signedCount++;
    await broadcast(raw, hash).catch((error: unknown) => log.warn("no-op transaction not accepted", { tx_hash: hash, nonce, error }));
    return hash;
  }

  /**
   * Fills every nonce below our highest live transaction that no live transaction holds (a
   * reorg or the node dropped it) with a no-op self-transfer, so the transactions behind it can
   * be mined; then the next nonce follows the highest live one. Called under the nonce lock.
   */
  async function fillNonceGaps(): Promise<IntentKey[]> {
    const latest = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
    const live = journal.openTransactions(latest);
    const held = new Set(live.map((t) => t.nonce));
    const top = live.reduce((max, t) => Math.max(max, t.nonce), latest - 1);
    const fills: IntentKey[] = [];
    for (let nonce = latest; nonce < top; nonce++) {
      if (held.has(nonce)) continue;
      const key = { jobId: NO_JOB, action: `${FILL_ACTION}:${nonce}:${journal.transactions({ nonce }).length}` };
      journal.beginIntent(key.jobId, key.action);
      // Fees a quarter above the market's, so a node orders the fills before what waits behind them.
      const hash = await sendNoOp([key], nonce, await fees());
      fills.push(key);
      log.warn("nonce gap filled with a no-op transaction", { nonce, tx_hash: hash, below: top });
    }
    nextNonce = top + 1;
    return fills;
  }

  /**
   * After a reorg the chain's clock may be earlier than when a time-dependent transaction
   * (finalize, timeout, expiry, resolve, void) was decided: each one still waiting in the pool
   * is simulated again at the new head, and one that would now revert is cancelled (a no-op at
   * its nonce with higher fees). Whichever of the two is mined decides the intent.
   */
  async function recheckTimeDependent(): Promise<void> {
    for (const tx of journal.openTransactions()) {
      if (!TIME_DEPENDENT.test(tx.action) || isNoOp(tx.raw)) continue;
      if (journal.transactions({ nonce: tx.nonce }).some((t) => t.status !== "dropped" && isNoOp(t.raw))) continue;
      const parsed = parseTransaction(tx.raw);
      const still = await publicClient
        .call({ account: account.address, to: parsed.to!, data: parsed.data, value: parsed.value, blockTag: "latest" })
        .then(
          () => true,
          (error: unknown) => {
            if (classifyError(error).retryable) throw error;
            return false;
          },
        );
      if (still) continue;
      const members = journal.transactionMembers(tx.hash);
      const hash = await sendNoOp(members.length > 0 ? members : [{ jobId: tx.jobId, action: tx.action }], tx.nonce, parsed);
      abandonWaiter(tx.hash, "cancelled: it would revert at the chain's time after a reorg");
      log.warn("reorg moved the chain's clock: time-dependent transaction cancelled", {
        job_id: tx.jobId,
        action: tx.action,
        tx_hash: tx.hash,
        cancel_hash: hash,
        nonce: tx.nonce,
      });
    }
  }

  function abandonWaiter(hash: Hex, reason: string) {
    waiters.get(hash)?.(new TransactionAbandonedError(hash, reason));
  }

  let reconciling: Promise<unknown> = Promise.resolve();
  /**
   * The one mechanism for transactions the node may no longer hold (after a reorg, on start, or
   * when a waited-for transaction is unknown to the node): every journaled transaction that is
   * not final — and every one mined above `ancestor` — is asked of the node. Kept ones are waited
   * for; forgotten ones are dropped and their intents abandoned (decided again by their role from
   * the chain's state, never re-broadcast); a nonce gap below live transactions is filled; after
   * a reorg, time-dependent transactions are re-checked. One at a time.
   */
  function reconcile(ancestor?: bigint, afterReorg = false): Promise<ReorgedIntent[]> {
    const next = reconciling.then(() => reconcileNow(ancestor, afterReorg));
    reconciling = next.catch(() => undefined);
    return next;
  }
  async function reconcileNow(ancestor: bigint | undefined, afterReorg: boolean): Promise<ReorgedIntent[]> {
    const { fates, fills } = await exclusive(async () => {
      const candidates = [...(ancestor === undefined ? [] : journal.minedAbove(ancestor)), ...journal.openTransactions()];
      const known = new Set<Hex>();
      const forgotten = new Set<Hex>();
      for (const tx of candidates) ((await nodeHas(tx.hash)) ? known : forgotten).add(tx.hash);
      const fates = journal.reconcile({ ancestor, known, forgotten });
      for (const hash of forgotten) abandonWaiter(hash, "no longer known to the node");
      const fills = await fillNonceGaps();
      if (afterReorg) await recheckTimeDependent();
      return { fates, fills };
    });
    for (const f of fates) {
      const verb = f.fate === "kept" ? "reopened" : "abandoned";
      log.warn(`${afterReorg ? "reorg" : "reconcile"} ${verb} a transaction`, { job_id: f.jobId, action: f.action, tx_hash: f.txHash });
      if (f.fate === "kept") background({ jobId: f.jobId, action: f.action });
      else outcomes.inc({ action: f.action, status: "abandoned" });
    }
    for (const key of fills) background(key);
    return fates;
  }

  /** Waits for an intent nobody awaits (reopened by a reorg, a nonce fill); a failure is logged (e.g. the journal closed at shutdown). */
  function background(key: IntentKey) {
    resolveSent(key).catch((error: unknown) =>
      log.warn("waiting for a journaled transaction failed", { job_id: key.jobId, action: key.action, error }),
    );
  }

  /** The intent's transactions still live (not dropped). */
  const liveTransactions = (key: IntentKey) => journal.liveTransactions(key.jobId, key.action);

  /** The first live transaction with a receipt: recorded, the others dropped, the members finished. */
  async function settleMined(txs: JournaledTransaction[], finishAll: Finisher): Promise<TxOutcome<never> | undefined> {
    for (const tx of txs) {
      const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash }).catch(() => undefined);
      if (!receipt) continue;
      journal.atomically(() => {
        journal.recordMined(tx.hash, { number: receipt.blockNumber, hash: receipt.blockHash });
        for (const other of txs) if (other.hash !== tx.hash) journal.setTransactionStatus(other.hash, "dropped");
      });
      // A cancellation mined instead of the intent's transaction: nothing of the intent happened.
      if (isNoOp(tx.raw) && !isFill(tx.action)) {
        const error = new TransactionAbandonedError(tx.hash, "cancelled after a reorg; decided again");
        finishAll("failed", { txHash: tx.hash, error: error.shortMessage });
        return { status: "failed", error };
      }
      const status = receipt.status === "success" ? "confirmed" : "reverted";
      finishAll((m) => statusOf(m, receipt), { txHash: tx.hash, error: undefined });
      log.info(`transaction ${status === "confirmed" ? "mined" : "reverted"} (resumed)`, {
        job_id: tx.jobId,
        action: tx.action,
        tx_hash: tx.hash,
      });
      return { status, receipt, resumed: true };
    }
    return undefined;
  }

  /** When none of the intent's live transactions is known to the node, reconcile (which abandons them). */
  async function reconcileIfForgotten(txs: JournaledTransaction[]): Promise<void> {
    for (const tx of txs) if (await nodeHas(tx.hash)) return;
    await reconcile();
  }

  type FinishStatus = "confirmed" | "reverted" | "failed";
  type Finisher = (status: FinishStatus | ((member: IntentKey) => FinishStatus), detail: { txHash?: Hex; error?: string }) => void;

  /**
   * Waits for one of the intent's journaled transactions to be mined, fee-bumping a stuck one;
   * a transaction the node forgot goes to `reconcile`, never back to the node. The members of a
   * batched transaction share one waiter (keyed by nonce) and are finished together.
   */
  async function resolveSent(key: IntentKey): Promise<TxOutcome<never>> {
    const first = liveTransactions(key)[0];
    const members = first ? journal.transactionMembers(first.hash) : [key];
    const batched = members.length > 1;
    const k = batched ? `nonce:${first!.nonce}` : keyOf(key);
    const running = inFlight.get(k);
    if (running) return running;
    const finishAll: Finisher = (status, detail) => {
      journal.atomically(() => {
        for (const m of batched ? members : [key]) finish(m, typeof status === "function" ? status(m) : status, detail);
      });
    };
    const promise = (async (): Promise<TxOutcome<never>> => {
      pendingGauge.inc();
      let lastSignedAt = Date.now();
      let nonceUsedPolls = 0;
      try {
        while (!context.shutdown.aborted) {
          const txs = liveTransactions(key);
          if (txs.length === 0) {
            // A reconcile dropped them (and finished the intent); say why.
            const intent = journal.getIntent(key.jobId, key.action);
            const reason = intent?.error ?? "no transaction of this intent is out";
            if (intent?.status === "sent" || intent?.status === "pending") finishAll("failed", { error: reason });
            return { status: "failed", error: new TransactionAbandonedError(intent?.txHash ?? "0x", reason) };
          }
          try {
            const settled = await settleMined(txs, finishAll);
            if (settled) return settled;
            const nonce = txs[0]!.nonce;
            const mined = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
            if (mined > nonce) {
              // Some transaction took the nonce; if none of ours shows a receipt soon, it was not ours.
              if (++nonceUsedPolls >= 5) {
                journal.atomically(() => {
                  for (const tx of txs) journal.setTransactionStatus(tx.hash, "dropped");
                });
                finishAll("failed", { error: `nonce ${nonce} was used by another transaction` });
                log.warn("intent's nonce was taken by another transaction", { job_id: key.jobId, action: key.action, nonce });
                return { status: "failed", error: new Error(`nonce ${nonce} used by another transaction`) };
              }
            } else if (Date.now() - lastSignedAt > config.tx.receiptTimeoutMs) {
              await bump(key, txs.at(-1)!.raw, nonce);
              lastSignedAt = Date.now();
            } else await reconcileIfForgotten(txs);
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
    journal.recordTransaction({
      hash,
      jobId: key.jobId,
      action: key.action,
      nonce,
      raw: replacement,
      members: members.length > 1 ? members : undefined,
    });
    signedCount++;
    bumps.inc({ action: key.action });
    log.warn("fee bump of a stuck transaction", { job_id: key.jobId, action: key.action, tx_hash: hash, nonce });
    await broadcast(replacement, hash);
  }

  /** One intent: the one-member case of `runBatch`. */
  async function run<T extends { receipt: TransactionReceipt }>(
    key: IntentKey,
    send: (client: HashworkBaseClient) => Promise<T>,
  ): Promise<TxOutcome<T>> {
    const outcomes = await runBatch(key.action, [key.jobId], (c) => send(c));
    return outcomes.get(key.jobId)!;
  }

  /** Records a mined receipt for `keys` (one SQLite transaction) and sets their outcomes. */
  function settleReceipt<T>(
    keys: IntentKey[],
    receipt: TransactionReceipt,
    status: "confirmed" | "reverted",
    out: Map<bigint, TxOutcome<T>>,
    extra: { value?: T; error?: string } = {},
  ) {
    const statuses = keys.map((k) => (status === "confirmed" ? statusOf(k, receipt) : status));
    journal.atomically(() => {
      journal.recordMined(receipt.transactionHash, { number: receipt.blockNumber, hash: receipt.blockHash });
      for (const [i, k] of keys.entries()) {
        const s = statuses[i]!;
        finish(k, s, { txHash: receipt.transactionHash, error: s === "failed" ? SKIPPED : extra.error });
      }
    });
    for (const [i, k] of keys.entries()) {
      const s = statuses[i]!;
      out.set(
        k.jobId,
        s === "confirmed"
          ? { status: s, receipt, value: extra.value, resumed: false }
          : s === "failed"
            ? { status: s, error: new Error(SKIPPED) }
            : { status: s, receipt, resumed: false },
      );
    }
  }

  /** Sorts a batch's members by their journaled state: finished ones resolved, ones with a transaction out awaited, the rest to do. */
  function triage<T>(action: string, jobIds: bigint[], out: Map<bigint, TxOutcome<T>>, waiting: Promise<void>[]): bigint[] {
    const todo: bigint[] = [];
    // Per-member bookkeeping goes into one SQLite transaction each time (one fsync, not one per job).
    const intents = journal.atomically(() => [...new Set(jobIds)].map((jobId) => journal.beginIntent(jobId, action)));
    for (const intent of intents) {
      const jobId = intent.jobId;
      if (intent.status === "confirmed" || intent.status === "reverted") {
        out.set(jobId, { status: intent.status, receipt: undefined, resumed: true });
      } else if (intent.status === "sent") {
        waiting.push(resolveSent({ jobId, action }).then((o) => void out.set(jobId, o)));
      } else todo.push(jobId);
    }
    return todo;
  }

  async function runBatch<T extends { receipt: TransactionReceipt }>(
    action: string,
    jobIds: bigint[],
    send: (client: HashworkBaseClient, jobIds: bigint[]) => Promise<T>,
  ): Promise<Map<bigint, TxOutcome<T>>> {
    const outcomes = new Map<bigint, TxOutcome<T>>();
    const waiting: Promise<void>[] = [];
    let todo = triage(action, jobIds, outcomes, waiting);
    const counted = new Set<bigint>();
    const failAll = (ids: bigint[], error: unknown, message: string) => {
      journal.atomically(() => {
        for (const jobId of ids) finish({ jobId, action }, "failed", { error: message });
      });
      for (const jobId of ids) outcomes.set(jobId, { status: "failed", error });
    };
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
        settleReceipt(keys, value.receipt, "confirmed", outcomes, { value });
        todo = [];
        break;
      } catch (error) {
        const c = classifyError(error);
        if (journal.getIntent(todo[0]!, action)?.status === "sent") {
          // Something was signed: only that transaction (or its replacement) can carry the batch out.
          const batch = todo;
          todo = [];
          if (error instanceof TransactionRevertedError) settleReceipt(keys, error.receipt, "reverted", outcomes, { error: c.message });
          else {
            log.warn("a transaction is out; waiting for it instead of sending another", { action, job_ids: batch, error: c.message });
            waiting.push(...batch.map((jobId) => resolveSent({ jobId, action }).then((o) => void outcomes.set(jobId, o))));
          }
          break;
        }
        if (error instanceof TransactionAbandonedError) {
          // A reconcile dropped the transaction and finished the intents: the role decides again.
          for (const jobId of todo) outcomes.set(jobId, { status: "failed", error });
          todo = [];
          break;
        }
        // The simulation named one member's job: that member fails; the others go again.
        const blamed = blamedJob(error);
        if (!c.retryable && blamed !== undefined && todo.includes(blamed) && todo.length > 1) {
          journal.recordError(blamed, action, c.message);
          failAll([blamed], error, c.message);
          todo = todo.filter((id) => id !== blamed);
          log.info("batch member refused by the simulation; sending the rest", { action, job_id: blamed, error: c.message });
          continue;
        }
        journal.atomically(() => {
          for (const jobId of todo) journal.recordError(jobId, action, c.message);
        });
        if (!c.retryable || attempt === config.tx.maxAttempts) {
          failAll(todo, error, c.message);
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

  /** On start: reconciles the journal with the node, then waits for every intent with a transaction out. */
  async function recover(): Promise<void> {
    await reconcile();
    const open = journal.openIntents().filter((i) => i.status === "sent");
    if (open.length > 0) log.info("resuming journaled transactions", { count: open.length });
    await Promise.all(open.map((i) => resolveSent({ jobId: i.jobId, action: i.action })));
  }

  /** The highest block holding one of our mined transactions that is still canonical (fork point unknown). */
  async function lastCanonicalMinedBlock(): Promise<bigint> {
    for (let block = journal.minedBlockBelow(2n ** 63n); block; block = journal.minedBlockBelow(block.number)) {
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
    return reconcile(ancestor?.number ?? (await lastCanonicalMinedBlock()), true);
  }

  return {
    run,
    runBatch,
    recover,
    reorg,
    reconcile: () => reconcile(),
    status: (key) => journal.getIntent(key.jobId, key.action)?.status,
    get signed() {
      return signedCount;
    },
  };
}
