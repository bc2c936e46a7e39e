import { keccak256, zeroAddress, type Address, type Hex, type TransactionReceipt } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { getProvider } from "../../actions/auditor/get-provider.ts";
import { PAY_SEAL_SECONDS } from "../../actions/auditor/get-pending-pay.ts";
import { resolveLimits } from "../../executor/abi.ts";
import type { Executor } from "../../executor/executor.ts";
import { ContentUnavailableError } from "../../store/errors.ts";
import type { LocalStore } from "../../store/local.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { ExecutionOutcome } from "../../utils/output-uri.ts";
import { decideClaim, type ClaimDecision } from "../claim-policy.ts";
import type { DaemonContext } from "../context.ts";
import { classifyError } from "../errors.ts";
import { createRefusalMemory } from "../refusals.ts";
import { skipReasonOf } from "../skipped-jobs.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { TxOutcome, TxQueue } from "../tx-queue.ts";
import { createBatcher, sendClaims, sendFastPath, sendFinalizations, sendSubmissions, type Submission } from "./batch.ts";
import { fetchContent } from "./content.ts";
import { createContentMemo } from "./content-memo.ts";
import { createJobOrder } from "./job-order.ts";
import { createPayReleaser } from "./pay-release.ts";
import type { Role, Tick } from "./role.ts";
import { createSeedPinner, seedPinsDue, type SeedPinner } from "./seed-pins.ts";

export type CreateProviderRoleParameters = {
  client: HashworkBaseClient;
  me: Address;
  index: JobIndex;
  queue: TxQueue;
  executor: Executor;
  store: LocalStore;
  /** Base URL outputs are served from (`<base>/content/<hash>`). */
  outputBaseUrl: () => string;
  /** Audit-seed pins; shared with the keeper role when the daemon runs both (one pin per block). */
  pinner?: SeedPinner;
};

/** Intents per job and step (see `step`). */
const MAX_TRIES = 3;
/** No new block for this long: the chain mines on demand, and the next block carries the wall clock's time. */
const IDLE_CHAIN_MS = 3_000;

/** A provider not seen holding a job for this long no longer counts as working the backlog (`job-order.ts`). */
const PEER_MEMORY_MS = 60_000;

/** Verified programs and inputs kept in memory between a job's preparation and its run (`content-memo.ts`). */
const CONTENT_MEMO_BYTES = 64 * 1024 * 1024;

/** How long a job that failed before claiming (bad content, refused program) is left alone. */
const REFUSAL_MEMORY_MS = 10 * 60_000;
/** How long a job refused for our free stake waits: stake comes back as our jobs are paid (seconds to minutes), and a look costs no RPC call. */
const STAKE_RECHECK_MS = 2_000;

/**
 * How long a job gated above our reputation is left alone: our score on it rises as our jobs are
 * finalized (and a finalization of our own looks at such jobs again at once).
 */
const REPUTATION_RECHECK_MS = 60_000;

/**
 * The provider role: claims open jobs the claim policy accepts (collateral within
 * `maxCollateralPct`; for a job with a `minReputation`, our `scoreFor(me, reward)` — 0 for a
 * newcomer — at least that; program and input fetched and
 * verified first, and the program validated, so bad content is refused before any stake is
 * locked), runs them in the executor pool, keeps the output in the local store (served by the
 * daemon's content server), submits the result with its outcome published in the output URI,
 * and finalizes its own jobs once the challenge window has passed. Jobs it already claimed are
 * picked up again after a restart (state comes from the chain, the journal prevents repeats).
 * With `provider.pinSeeds` it pins the audit seed of its own submission blocks whose jobs are
 * still in their challenge window `provider.pinAfterBlocks` blocks later (a seed nobody pinned
 * before it aged out would select those jobs for an audit).
 *
 * @example
 * const provider = createProviderRole(context, { client, me, index, queue, executor, store, outputBaseUrl })
 * provider.tick(finalizedBlock)
 */
export function createProviderRole(context: DaemonContext, p: CreateProviderRoleParameters): Role {
  const { config, metrics } = context;
  const { client, me, index, queue, executor, store } = p;
  const log = context.logger.child({ role: "provider" });
  const pinner = p.pinner ?? createSeedPinner({ client, queue, logger: log, metrics, retryMs: 5 * config.pollIntervalMs });
  const m = {
    claimed: metrics.counter("hashwork_jobs_claimed_total", "Jobs claimed by this provider"),
    submitted: metrics.counter("hashwork_jobs_submitted_total", "Results submitted by this provider"),
    finalized: metrics.counter("hashwork_jobs_finalized_total", "Own jobs finalized by this provider"),
    refused: metrics.counter("hashwork_jobs_refused_total", "Jobs refused before claiming, by reason"),
    failed: metrics.counter("hashwork_jobs_failed_total", "Claimed jobs this provider could not complete, by stage"),
    execution: metrics.histogram("hashwork_execution_seconds", "Wall time of program runs"),
    active: metrics.gauge("hashwork_provider_active_jobs", "Jobs between claim decision and submission"),
    preparing: metrics.gauge(
      "hashwork_provider_preparing_jobs",
      "Jobs whose content is being fetched, verified and compiled before a claim",
    ),
    skipped: metrics.counter("hashwork_requesters_skipped_total", "Times a requester was skipped after repeated refused jobs"),
    fastPathLost: metrics.counter("hashwork_fast_path_lost_total", "Jobs run before claiming that another provider took first"),
  };
  const refusals = createRefusalMemory(config.refusals);
  const releaser = createPayReleaser({ client, me, queue, logger: log, metrics, checkEveryMs: Math.max(1_000, 5 * config.pollIntervalMs) });
  /** Jobs whose program and input are in the store and whose program compiled: ready to claim. */
  const prepared = new Set<bigint>();
  /** Preparations in flight (at most `fetch.concurrency`, `fetch.concurrencyPerRequester` each); they hold no claim slot. */
  const preparing = new Map<bigint, Promise<void>>();
  const preparingBy = new Map<string, number>();
  /** Jobs refused for their collateral (logged once each). */
  const overCollateral = new Set<bigint>();
  /** Jobs refused for our free stake (counted once each). */
  const shortOfStake = new Set<bigint>();

  /** Jobs with a pipeline running (claim → execute → submit). */
  const active = new Map<bigint, Promise<void>>();
  /** Finalizations in flight. */
  const finalizing = new Map<bigint, Promise<void>>();
  /**
   * Jobs refused or failed, with when to look at them again and the reorg epoch the decision
   * was made in: a reorg can remove what a decision was based on (the claim, the job itself,
   * which may be reposted under the same id), so decisions from an older epoch no longer hold.
   */
  const backoff = new Map<bigint, { until: number; epoch: number }>();
  let reorgEpoch = 0;
  /** The synced block and when it was first seen (whether the chain is producing blocks). */
  let lastBlock: bigint | undefined;
  let lastBlockSeenAt = 0;
  /** Leaves a job alone for `ms`; `epoch` is when the decision's inputs were read. */
  const hold = (jobId: bigint, ms: number, epoch = reorgEpoch) => {
    if (epoch === reorgEpoch) backoff.set(jobId, { until: Date.now() + ms, epoch });
  };
  let stopping = false;

  /**
   * How long to leave a job after a transaction that was not made: briefly when it ran out of
   * retries on a retryable error (the RPC was down for a while; the job is still worth doing),
   * long when the chain said no.
   */
  const afterFailure = (outcome: { status: string; error?: unknown }) =>
    outcome.status === "failed" && classifyError(outcome.error).retryable ? 5 * config.pollIntervalMs : REFUSAL_MEMORY_MS;

  const mine = (job: TrackedJob) => job.provider.toLowerCase() === me.toLowerCase();

  // Claims, submissions and finalizations go out in batches: what is ready while the previous
  // batch of the same kind is being sent goes into the next one (one transaction for all).
  type ClaimOutcome = TxOutcome<Awaited<ReturnType<typeof sendClaims>>>;
  type SubmitOutcome = TxOutcome<Awaited<ReturnType<typeof sendSubmissions>>>;
  /** `fastpath`: claimAndSubmit of a job run before claiming (`claimPolicy.fastPathMaxFuel`). */
  type StepName = "claim" | "submit" | "finalize" | "fastpath";
  /**
   * A batched transaction reverts as a whole when one member cannot be carried out (e.g. another
   * provider claimed one of the jobs in the same block), which says nothing about the others. So
   * each step has up to MAX_TRIES intents — `claim`, `claim:2`, `claim:3` (likewise `submit`,
   * `finalize`) — and the next is used only once the previous one's transaction was mined and
   * reverted (it can never take effect): still at most one successful transaction per job and step.
   */
  function step(jobId: bigint, name: StepName) {
    const tries = Array.from({ length: MAX_TRIES }, (_, i) => {
      const action = i === 0 ? name : `${name}:${i + 1}`;
      return { action, status: queue.status({ jobId, action }) };
    });
    // A reorg can reopen or abandon an earlier try after a later one was made: a confirmed try
    // (or one with a transaction out) wins over an earlier one that became free again.
    const confirmed = tries.find((t) => t.status === "confirmed");
    if (confirmed) return { action: confirmed.action, confirmed: true, done: true };
    const out = tries.find((t) => t.status === "sent");
    if (out) return { action: out.action, confirmed: false, done: false };
    const next = tries.find((t) => t.status !== "reverted");
    if (next) return { action: next.action, confirmed: false, done: false };
    return { action: undefined, confirmed: false, done: true };
  }
  const STEPS: StepName[] = ["claim", "submit", "finalize", "fastpath"];
  /** Whether no try of `name` was ever journaled for the job. */
  const noIntent = (jobId: bigint, name: StepName) =>
    Array.from({ length: MAX_TRIES }, (_, i) => (i === 0 ? name : `${name}:${i + 1}`)).every(
      (action) => queue.status({ jobId, action }) === undefined,
    );
  /**
   * Jobs with no intent of any step in the journal. Intents of these steps are made only by
   * `byIntent` (which removes the job first), so membership stays true until then.
   */
  const untouched = new Set<bigint>();
  /** Sends `items` grouped by their current intent for `name` (usually a single group). */
  async function byIntent<I extends { jobId: bigint }, T extends { receipt: TransactionReceipt }>(
    name: StepName,
    items: I[],
    send: (c: HashworkBaseClient, items: I[]) => Promise<T>,
  ): Promise<Map<bigint, TxOutcome<T>>> {
    const groups = new Map<string, I[]>();
    for (const item of items) {
      untouched.delete(item.jobId);
      const { action } = step(item.jobId, name);
      if (action === undefined) continue;
      groups.set(action, [...(groups.get(action) ?? []), item]);
    }
    const out = new Map<bigint, TxOutcome<T>>();
    for (const [action, group] of groups) {
      const outcomes = await queue.runBatch(
        action,
        group.map((i) => i.jobId),
        (c, ids) =>
          send(
            c,
            group.filter((i) => ids.includes(i.jobId)),
          ),
      );
      for (const [id, o] of outcomes) out.set(id, o);
    }
    return out;
  }
  // Several batches of a kind may be out at once (`tx.batchesInFlight`): a block's wait for a
  // receipt is not paid once per batch.
  const pipelined = { inFlight: config.tx.batchesInFlight };
  const claims = createBatcher<TrackedJob, ClaimOutcome>(
    // Claimed by someone else since the decision (the index updates jobs in place): leave it.
    (jobs) =>
      byIntent(
        "claim",
        jobs.filter((j) => j.state === "Open"),
        (c, js) =>
          sendClaims(
            c,
            js.map((j) => j.jobId),
          ),
      ),
    pipelined,
  );
  const submissions = createBatcher<Submission, SubmitOutcome>((items) => byIntent("submit", items, sendSubmissions), pipelined);
  const fastPaths = createBatcher<Submission, SubmitOutcome>((items) => byIntent("fastpath", items, sendFastPath), pipelined);
  /** Short jobs are run before claiming and claimed with their result (one transaction, no collateral at risk while running). */
  const fastPathMaxFuel = config.claimPolicy.fastPathMaxFuel;
  // A job with a window longer than PAY_SEAL would keep the other jobs of its pay bucket unpaid and
  // their collateral locked until that window ends (landing review 6): it takes the claim-first path.
  const takesFastPath = (job: TrackedJob) =>
    job.state === "Open" &&
    fastPathMaxFuel > 0n &&
    job.request.fuelLimit <= fastPathMaxFuel &&
    job.request.challengeWindow <= PAY_SEAL_SECONDS;
  const finalizations = createBatcher<TrackedJob, TxOutcome<{ receipt: TransactionReceipt }>>(
    (jobs) =>
      byIntent("finalize", jobs, (c, js) =>
        sendFinalizations(
          c,
          js.map((j) => ({ jobId: j.jobId, terms: j.result!.terms })),
        ),
      ),
    pipelined,
  );

  // Providers working the same backlog go through it in different orders (rendezvous hashing
  // over the providers seen claiming, `job-order.ts`), so they mostly take different jobs
  // instead of racing for the same ones.
  const order = createJobOrder(me);
  /** Other providers seen holding a job, with when they were last seen. */
  const peers = new Map<string, number>();
  const jobLog = (job: TrackedJob) => log.child({ job_id: job.jobId });

  function refuse(job: TrackedJob, reason: string, epoch: number, error?: unknown) {
    m.refused.inc({ reason });
    context.skipped.record(job, "content", `${reason}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
    jobLog(job).warn("job refused", { reason, error });
  }

  /** A job's program or input, verified: from memory when this daemon read it lately, else `fetchContent`. */
  const memo = createContentMemo({ maxBytes: CONTENT_MEMO_BYTES });
  const content = (uri: string, hash: Hex) =>
    memo.get(hash, uri, () => fetchContent(store, config, { uri, hash, signal: context.shutdown }));

  async function loadContent(job: TrackedJob) {
    const [wasm, input] = await Promise.all([
      content(job.request.programURI, job.request.programHash),
      content(job.request.inputURI, job.request.inputHash),
    ]);
    return { wasm, input };
  }

  /**
   * The refusal-memory keys of a job's content: each URI with the hash expected there (a URI
   * that served the wrong bytes for one hash may serve another hash's bytes rightly), and the
   * program hash (a program that does not compile never will).
   */
  const uriKey = (uri: string, hash: string) => `uri:${hash.toLowerCase()}@${uri}`;
  const contentKeys = (job: TrackedJob) => [
    uriKey(job.request.programURI, job.request.programHash),
    uriKey(job.request.inputURI, job.request.inputHash),
    `hash:${job.request.programHash.toLowerCase()}`,
  ];

  /** A job that could not be prepared: held, remembered, and counted against its requester. */
  function prepareFailed(job: TrackedJob, epoch: number, error: unknown, key: string | undefined) {
    const l = jobLog(job);
    const timedOut = error instanceof ContentUnavailableError && error.timedOut;
    const c = classifyError(error);
    if (c.retryable && !timedOut) {
      hold(job.jobId, 5 * config.pollIntervalMs, epoch);
      // Once per job: it is looked at again every few polls until the content shows up.
      if (context.skipped.record(job, "content", `content not available yet: ${c.message}`)) l.warn("content not available yet", { error });
      else l.debug("content not available yet", { error });
      return;
    }
    if (timedOut) {
      hold(job.jobId, Math.max(5 * config.pollIntervalMs, config.fetch.timeoutMs), epoch);
      m.refused.inc({ reason: "slow content" });
      l.warn("content too slow; job left alone for a while", { error });
    } else {
      if (key) refusals.remember(key, c.message);
      refuse(job, "bad content", epoch, error);
    }
    const { skipped, count } = refusals.failed(job.requester);
    if (skipped) {
      m.skipped.inc();
      log.warn("requester skipped after repeated refused jobs", {
        requester: job.requester,
        refused_jobs: count,
        window_ms: config.refusals.windowMs,
        skip_ms: config.refusals.skipMs,
      });
    }
  }

  /**
   * Fetches and verifies a job's program and input into the store and compiles the program,
   * before any claim (and without a claim slot); success marks the job ready to claim.
   */
  async function prepare(job: TrackedJob, epoch: number): Promise<void> {
    const known = refusals.known(contentKeys(job));
    if (known !== undefined) {
      refuse(job, "content refused before", epoch, known);
      const { skipped, count } = refusals.failed(job.requester);
      if (skipped) {
        m.skipped.inc();
        log.warn("requester skipped after repeated refused jobs", {
          requester: job.requester,
          refused_jobs: count,
          window_ms: config.refusals.windowMs,
          skip_ms: config.refusals.skipMs,
        });
      }
      return;
    }
    const [program, input] = await Promise.allSettled([
      content(job.request.programURI, job.request.programHash),
      content(job.request.inputURI, job.request.inputHash),
    ]);
    if (stopping) return;
    if (program.status === "rejected")
      return prepareFailed(job, epoch, program.reason, uriKey(job.request.programURI, job.request.programHash));
    if (input.status === "rejected") return prepareFailed(job, epoch, input.reason, uriKey(job.request.inputURI, job.request.inputHash));
    try {
      await executor.cache.prepare(program.value, resolveLimits(undefined), job.request.programHash);
    } catch (error) {
      return prepareFailed(job, epoch, error, `hash:${job.request.programHash.toLowerCase()}`);
    }
    if (epoch === reorgEpoch) {
      prepared.add(job.jobId);
      context.skipped.clear(job.jobId);
    }
  }

  function startPrepare(job: TrackedJob) {
    const epoch = reorgEpoch;
    const requester = job.requester.toLowerCase();
    preparingBy.set(requester, (preparingBy.get(requester) ?? 0) + 1);
    const task = prepare(job, epoch)
      .catch((error: unknown) => {
        hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
        jobLog(job).error("job preparation failed", { error });
      })
      .finally(() => {
        preparing.delete(job.jobId);
        const left = (preparingBy.get(requester) ?? 1) - 1;
        if (left > 0) preparingBy.set(requester, left);
        else preparingBy.delete(requester);
        m.preparing.set(preparing.size);
      });
    preparing.set(job.jobId, task);
    m.preparing.set(preparing.size);
  }

  /** Claim (if still open and acceptable) → execute → store → submit. */
  async function pipeline(job: TrackedJob, epoch: number): Promise<void> {
    const l = jobLog(job);
    let content: { wasm: Uint8Array; input: Uint8Array };
    try {
      // An open job gets here only once prepared (`prepare`): this reads the store. A job we
      // already claimed (a restart) may still need the fetch.
      content = await loadContent(job);
      await executor.cache.prepare(content.wasm, resolveLimits(undefined), job.request.programHash);
    } catch (error) {
      const c = classifyError(error);
      if (c.retryable) {
        hold(job.jobId, 5 * config.pollIntervalMs, epoch);
        l.warn("content not available yet", { error });
      } else refuse(job, job.state === "Open" ? "bad content" : "bad content after claim", epoch, error);
      if (job.state !== "Open") m.failed.inc({ stage: "fetch" });
      return;
    }
    if (stopping) return;
    // The index updates `job` in place while the content loads: if another provider claimed it
    // meanwhile, it is not ours to claim or run.
    if (job.state !== "Open" && !mine(job)) {
      hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
      l.info("claimed by another provider", { state: job.state, provider: job.provider });
      return;
    }

    const fast = takesFastPath(job);
    if (job.state === "Open" && !fast) {
      const outcome = await claims.add(job);
      if (outcome === undefined) {
        hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
        l.info("claimed by another provider", { state: job.state, provider: job.provider });
        return;
      }
      if (outcome.status !== "confirmed") {
        if (outcome.status === "failed") l.info("claim not made", { error: outcome.error });
        if (outcome.status === "reverted") {
          // Another provider was first, for this job or for another one in the same batch: look
          // again after the next index sync (the next try's simulation has the last word).
          l.info("claim reverted (another provider was first)", { tx_hash: outcome.receipt?.transactionHash });
          hold(job.jobId, 2 * config.pollIntervalMs, epoch);
        } else hold(job.jobId, afterFailure(outcome), epoch);
        return;
      }
      m.claimed.inc();
      l.info("claimed", { tx_hash: outcome.receipt?.transactionHash, resumed: outcome.resumed });
      // Another claim by us cannot succeed; the index learns the new state at the next sync.
      job.state = "Claimed";
      job.provider = me;
    }
    if (stopping) return;

    let result: Awaited<ReturnType<Executor["run"]>>;
    try {
      result = await executor.run({
        wasm: content.wasm,
        input: content.input,
        fuelLimit: job.request.fuelLimit,
        jobId: job.jobId, // seeds an ABI v2 program's random_get
        timeoutMs: config.executor.timeoutMs,
        signal: context.shutdown,
        // Verified against this hash when it entered the store (`fetchContent`): not hashed again.
        programHash: job.request.programHash,
      });
    } catch (error) {
      if (!stopping) {
        m.failed.inc({ stage: "execute" });
        hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
        l.error("execution failed", { error });
      }
      return;
    }
    m.execution.observe(result.wallTimeMs / 1000);
    let output = result.output;
    if (config.corruptResults) {
      // TEST AND DEMO ONLY: a different output than the program produced.
      output = new Uint8Array([...output, 0x21]);
      l.warn("corruptResults is on: committing a wrong result");
    }
    const outputHash = keccak256(output);
    const stored = await store.put(output, { hash: outputHash });
    const outcomeClaim: ExecutionOutcome = {
      outputHash,
      fuelUsed: result.fuelUsed,
      status: result.status,
      exitCode: result.exitCode,
    };
    const outputURI = `${p.outputBaseUrl()}/content/${stored.hash}`;
    l.info("executed", { status: result.status, fuel_used: result.fuelUsed, wall_ms: Math.round(result.wallTimeMs) });
    if (fast) return fastSubmit(job, epoch, { jobId: job.jobId, outcome: outcomeClaim, outputURI });

    const submitted = (await submissions.add({ jobId: job.jobId, outcome: outcomeClaim, outputURI })) ?? { status: "interrupted" };
    if (submitted.status === "confirmed") {
      m.submitted.inc();
      l.info("submitted", { tx_hash: submitted.receipt?.transactionHash, resumed: submitted.resumed });
      const result = submitted.value?.results.get(job.jobId);
      if (result) {
        job.result = result;
        job.state = "Submitted";
      }
    } else if (
      submitted.status === "reverted" &&
      job.deadline > BigInt(Math.floor(Date.now() / 1000)) &&
      step(job.jobId, "submit").action
    ) {
      // The batch reverted as a whole: submit again (next intent) while the deadline allows.
      l.warn("submission reverted; trying again", { tx_hash: submitted.receipt?.transactionHash });
      hold(job.jobId, config.pollIntervalMs, epoch);
    } else if (submitted.status !== "interrupted") {
      m.failed.inc({ stage: "submit" });
      hold(job.jobId, afterFailure(submitted), epoch);
      l.error("submission failed", { status: submitted.status, error: submitted.status === "failed" ? submitted.error : undefined });
    }
  }

  /**
   * The fast path's second half: claims and submits a job already run, in one transaction. A
   * provider that loses the race (another took the job while we ran it, or in the same block)
   * loses the run's compute and at most a reverted transaction's gas: nothing was locked.
   */
  async function fastSubmit(job: TrackedJob, epoch: number, submission: Submission): Promise<void> {
    const l = jobLog(job);
    const lost = (detail: Record<string, unknown>) => {
      m.fastPathLost.inc();
      hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
      l.info("fast path: another provider was first; the run is lost, no collateral was locked", detail);
    };
    // The index updates `job` in place: taken while we ran it, so no transaction at all.
    if (job.state !== "Open") return lost({ state: job.state, provider: job.provider });
    const outcome = await fastPaths.add(submission);
    if (outcome === undefined) return lost({ state: job.state });
    if (outcome.status === "confirmed") {
      const committed = outcome.value?.results.get(job.jobId);
      // Resumed from the journal (no value): the index tells whose the job is at the next sync.
      if (!outcome.value) return void l.info("fast path resumed", { tx_hash: outcome.receipt?.transactionHash });
      if (!committed) return lost({ tx_hash: outcome.receipt?.transactionHash, skipped_in_batch: true });
      m.claimed.inc();
      m.submitted.inc();
      l.info("claimed and submitted (fast path)", { tx_hash: outcome.receipt?.transactionHash });
      job.result = committed;
      job.state = "Submitted";
      job.provider = me;
    } else if (outcome.status === "reverted") {
      lost({ tx_hash: outcome.receipt?.transactionHash });
    } else if (outcome.status === "failed") {
      hold(job.jobId, afterFailure(outcome), epoch);
      l.info("fast path not made", { error: outcome.error });
    }
  }

  async function finalize(job: TrackedJob): Promise<void> {
    const outcome = await finalizations.add(job);
    if (!outcome) return;
    if (outcome.status === "confirmed") {
      if (!outcome.resumed) m.finalized.inc();
      // Our fees paid grew, and with them our score on every job: look at the gated ones again.
      for (const id of belowReputation) backoff.delete(id);
      jobLog(job).info("finalized", { tx_hash: outcome.receipt?.transactionHash, resumed: outcome.resumed });
    } else if (outcome.status === "failed" || outcome.status === "reverted") {
      // Usually the window is not over at the chain's clock yet, or someone else finalized it.
      hold(job.jobId, config.pollIntervalMs);
      jobLog(job).debug("finalize not done", { status: outcome.status });
    }
  }

  /**
   * The collateral of each job we started claiming this process, until its pipeline ends. While
   * the index still reads such a job Open its lock may not be in the stake read yet, so claim
   * rounds take it off the free stake (a fast-path job locks only when its run is mined, blocks
   * after it started).
   */
  const claimsInFlight = new Map<bigint, bigint>();
  function unlockedClaims() {
    let sum = 0n;
    for (const [id, collateral] of claimsInFlight) if (index.get(id)?.state === "Open") sum += collateral;
    return sum;
  }

  function start(job: TrackedJob, collateral = 0n) {
    if (collateral > 0n) claimsInFlight.set(job.jobId, collateral);
    const epoch = reorgEpoch;
    const task = pipeline(job, epoch)
      .catch((error: unknown) => {
        m.failed.inc({ stage: "unexpected" });
        hold(job.jobId, REFUSAL_MEMORY_MS, epoch);
        jobLog(job).error("job pipeline failed", { error });
      })
      .finally(() => {
        active.delete(job.jobId);
        claimsInFlight.delete(job.jobId);
        prepared.delete(job.jobId);
        m.active.set(active.size);
      });
    active.set(job.jobId, task);
    m.active.set(active.size);
  }

  /** Jobs refused for our reputation (logged once each), looked at again after our next finalization. */
  const belowReputation = new Set<bigint>();

  /** One line per refusal worth an operator's attention (collateral, reputation: once per job); the rest at debug. */
  function notClaiming(job: TrackedJob, decision: Extract<ClaimDecision, { claim: false }>) {
    const { reason, refusal } = decision;
    const news = context.skipped.record(job, skipReasonOf(decision), reason);
    if (refusal === "reputation") {
      hold(job.jobId, REPUTATION_RECHECK_MS);
      if (belowReputation.has(job.jobId)) return void jobLog(job).debug("not claiming", { reason });
      belowReputation.add(job.jobId);
      m.refused.inc({ reason: "reputation" });
      return void jobLog(job).info("not claiming", { reason });
    }
    if (refusal === "stake") {
      // Not ten minutes: our stake frees up as our jobs are paid, and a look again reads nothing
      // new (one stake read per block serves every round).
      hold(job.jobId, STAKE_RECHECK_MS);
      if (shortOfStake.has(job.jobId)) return void jobLog(job).debug("not claiming", { reason });
      shortOfStake.add(job.jobId);
      m.refused.inc({ reason: "stake" });
      return void jobLog(job).debug("not claiming", { reason });
    }
    hold(job.jobId, REFUSAL_MEMORY_MS);
    if (refusal === "collateral" && overCollateral.has(job.jobId)) return void jobLog(job).debug("not claiming", { reason });
    m.refused.inc({ reason: refusal === "collateral" ? "collateral" : "policy" });
    const kind = skipReasonOf(decision);
    if (refusal === "collateral") {
      overCollateral.add(job.jobId);
      jobLog(job).info("not claiming", { reason });
    } else if (news && (kind === "fuel" || kind === "price")) {
      // An operator wants to know when jobs go by for its price or fuel limit (once per job).
      jobLog(job).info("not claiming", { reason });
    } else jobLog(job).debug("not claiming", { reason });
  }

  /**
   * Our free stake at the head, read once per synced block (started by the tick as soon as a
   * claim round is coming, so the round seldom waits for it); rounds take off the collateral of
   * jobs started whose claim the index has not seen (`unlockedClaims`). Read at the head, not at
   * the synced block: with confirmations, a job whose claim was mined and whose pipeline ended
   * would otherwise be in neither; a claim mined but not yet seen counts twice, erring safe. A
   * failed read is dropped, so the next round reads again.
   */
  let stake: { block: bigint; read: Promise<bigint | undefined> } | undefined;
  function stakeAt(block: bigint) {
    if (stake?.block === block) return stake;
    const entry = {
      block,
      read: getProvider(client, { provider: me, includeProfile: false })
        .then((d) => d.free)
        .catch((error: unknown) => {
          log.warn("cannot read free stake", { error });
          if (stake === entry) stake = undefined;
          return undefined;
        }),
    };
    stake = entry;
    return entry;
  }

  async function claimRound(open: TrackedJob[], block: bigint) {
    if (open.length === 0) return;
    const read = stakeAt(block);
    const total = await read.read;
    if (total === undefined) return;
    let free = total - unlockedClaims();
    // Our score on a gated job depends on its reward: one read per reward in a round, and only
    // for jobs that passed every other check.
    const scores = new Map<bigint, Promise<number | undefined>>();
    const scoreFor = (reward: bigint) => {
      let read = scores.get(reward);
      if (!read) {
        read = client.publicClient
          .readContract({ address: client.deployment.market, abi: hashworkMarketAbi, functionName: "scoreFor", args: [me, reward] })
          .then(Number)
          .catch((error: unknown) => {
            log.warn("cannot read our reputation score", { error });
            return undefined;
          });
        scores.set(reward, read);
      }
      return read;
    };
    const claimable = (job: TrackedJob) =>
      !stopping && active.size < config.claimPolicy.concurrency && !active.has(job.jobId) && job.state === "Open";
    for (const job of open) {
      if (stopping || active.size >= config.claimPolicy.concurrency) return;
      if (!claimable(job)) continue;
      let decision = decideClaim(job, config.claimPolicy, { me, freeStake: free });
      if (!decision.claim && decision.refusal === "score-needed") {
        const score = await scoreFor(job.request.reward);
        // Unread: the next round tries again. Read: the world may have moved on meanwhile.
        if (score === undefined || !claimable(job)) continue;
        decision = decideClaim(job, config.claimPolicy, { me, freeStake: free, score });
      }
      if (!decision.claim) {
        notClaiming(job, decision);
        continue;
      }
      free -= decision.collateral;
      start(job, decision.collateral);
    }
  }

  let claiming: Promise<void> | undefined;

  return {
    name: "provider",
    tick({ at, now }: Tick) {
      if (stopping) return;
      if (config.provider.pinSeeds) {
        const own = index.jobs().filter((job) => job.state === "Submitted" && mine(job));
        const { pinAfterBlocks: afterBlocks } = config.provider;
        if (own.length > 0) pinner.dispatch(seedPinsDue(own, { at: at.number, now, afterBlocks, confirmations: config.confirmations }));
      }
      // Due by the synced block's own timestamp while blocks keep coming, not by the wall clock:
      // `finalizeJobs` passes over a job whose window is open at the block's time without
      // reverting (the simulation cannot tell), and a busy node's block times can lag the wall
      // clock; every later block is later still. On a chain idle for a while (a node that mines
      // only on transactions) the next block takes the wall clock's time: then the wall clock.
      if (at.number !== lastBlock) {
        lastBlock = at.number;
        lastBlockSeenAt = Date.now();
      }
      const idle = Date.now() - lastBlockSeenAt > IDLE_CHAIN_MS;
      const finalizable = (challengeEnd: bigint) => challengeEnd < at.timestamp || (idle && challengeEnd < now);
      const due = (job: TrackedJob) => {
        const entry = backoff.get(job.jobId);
        return !entry || entry.epoch !== reorgEpoch || entry.until <= Date.now();
      };
      // Skipped jobs someone else claimed (or that ended) are no longer worth showing.
      context.skipped.retain((id) => index.get(id)?.state === "Open" && !active.has(id));
      const open: TrackedJob[] = [];
      for (const job of index.jobs()) {
        if (active.has(job.jobId) || finalizing.has(job.jobId) || !due(job)) continue;
        // A job we never acted on (the backlog, most of the index) costs one set lookup per tick
        // instead of a dozen journal lookups; it leaves `untouched` before any intent is made.
        let fresh = untouched.has(job.jobId);
        if (!fresh && STEPS.every((name) => noIntent(job.jobId, name))) {
          untouched.add(job.jobId);
          fresh = true;
        }
        const done = (name: "claim" | "submit" | "finalize") => !fresh && step(job.jobId, name).done;
        // The index lags the head by `confirmations`: the journal knows what we already did.
        if (done("submit")) {
          // The index can still show Submitted after our finalization was mined: not again
          // (it would only be answered from the journal, but counted and logged twice).
          if (done("finalize")) continue;
          // A fast-path job paid through our pay bucket needs no finalize (see pay-release.ts).
          if (job.state === "Submitted" && mine(job) && !job.payDeferred && job.result && finalizable(job.result.challengeEnd)) {
            const task = finalize(job).finally(() => finalizing.delete(job.jobId));
            finalizing.set(job.jobId, task);
          }
          continue;
        }
        if (job.state === "Open" && job.deadline > now && !done("claim")) open.push(job);
        else if ((job.state === "Claimed" && mine(job)) || (job.state === "Open" && !fresh && step(job.jobId, "claim").confirmed)) {
          if (job.deadline > now) start(job);
        } else if (
          job.state === "Submitted" &&
          mine(job) &&
          !job.payDeferred &&
          job.result &&
          finalizable(job.result.challengeEnd) &&
          !done("finalize")
        ) {
          const task = finalize(job).finally(() => finalizing.delete(job.jobId));
          finalizing.set(job.jobId, task);
        }
      }
      if (order.size + untouched.size + belowReputation.size + overCollateral.size + shortOfStake.size > 2 * index.jobs().length + 1_000) {
        const tracked = new Set(index.jobs().map((j) => j.jobId));
        order.retain((id) => tracked.has(id));
        for (const id of untouched) if (!tracked.has(id)) untouched.delete(id);
        for (const id of belowReputation) if (!tracked.has(id)) belowReputation.delete(id);
        for (const id of overCollateral) if (!tracked.has(id)) overCollateral.delete(id);
        for (const id of shortOfStake) if (!tracked.has(id)) shortOfStake.delete(id);
      }
      if (prepared.size > 0) {
        const stillOpen = new Set(
          index
            .jobs()
            .filter((j) => j.state === "Open")
            .map((j) => j.jobId),
        );
        for (const id of prepared) if (!stillOpen.has(id) && !active.has(id)) prepared.delete(id);
      }
      // Jobs are prepared (fetched, verified, compiled) with their own concurrency, apart from the
      // claim slots; only prepared jobs go to a claim round.
      const seenAt = Date.now();
      for (const job of index.jobs())
        if (job.state !== "Open" && job.provider !== zeroAddress) peers.set(job.provider.toLowerCase(), seenAt);
      for (const [peer, at] of peers) if (seenAt - at > PEER_MEMORY_MS) peers.delete(peer);
      order.setPeers(peers.keys());
      open.sort(order.compare);
      const ready: TrackedJob[] = [];
      // Prepared jobs waiting for a claim slot: enough to fill the slots again, no more (the rest
      // of the queue is prepared as they go, not fetched ahead for jobs others may take).
      let waiting = 0;
      for (const id of prepared) if (!active.has(id)) waiting++;
      for (const job of open) {
        if (preparing.has(job.jobId)) continue;
        if (prepared.has(job.jobId)) {
          ready.push(job);
          continue;
        }
        const skippedUntil = refusals.skippedUntil(job.requester);
        if (skippedUntil !== undefined) {
          hold(job.jobId, skippedUntil - Date.now());
          jobLog(job).debug("not claiming", { reason: "requester skipped after repeated refused jobs" });
          continue;
        }
        // Policy first (stake and reputation are read in the claim round): no fetch for a job we would not take.
        const decision = decideClaim(job, config.claimPolicy, { me });
        if (!decision.claim && decision.refusal !== "score-needed") {
          notClaiming(job, decision);
          continue;
        }
        const theirs = preparingBy.get(job.requester.toLowerCase()) ?? 0;
        if (waiting + preparing.size >= 2 * config.claimPolicy.concurrency + config.fetch.concurrency) continue;
        if (preparing.size < config.fetch.concurrency && theirs < config.fetch.concurrencyPerRequester) startPrepare(job);
      }
      // Our matured pay buckets, released while nothing is in our pipeline (a fast-path
      // transaction would release them itself).
      releaser.tick(active.size > 0 || ready.length > 0 || preparing.size > 0);
      // No free slot: no stake read, no claim round. Jobs being prepared: a round is coming, so
      // this block's stake read starts now instead of when the round needs it.
      if (active.size < config.claimPolicy.concurrency && (preparing.size > 0 || ready.length > 0)) stakeAt(at.number);
      if (!claiming && ready.length > 0 && active.size < config.claimPolicy.concurrency) {
        claiming = claimRound(ready, at.number).finally(() => (claiming = undefined));
      }
    },
    reorg() {
      reorgEpoch++;
      backoff.clear();
      untouched.clear();
      // A reorg can repost a different job under the same id: prepare again.
      prepared.clear();
      // Block numbers repeat on the new branch: a stake read of the old one is not this block's.
      stake = undefined;
      pinner.reset();
    },
    async stop() {
      stopping = true;
      await claiming;
      await Promise.allSettled([...active.values(), ...finalizing.values(), ...preparing.values(), releaser.stop()]);
      await pinner.stop();
    },
  };
}
