import { toEventSelector, type AbiEvent, type Address, type Hash } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import type { JobStateName } from "../abi/enums.ts";
import { getJob } from "../actions/auditor/get-job.ts";
import type { HashworkBaseClient } from "../utils/client.ts";
import type { JobRequest } from "../utils/job-request.ts";
import { isTerminalJobState } from "../utils/job-state.ts";
import { getDecodedLogs } from "../utils/logs.ts";
import { toJobResult, type JobResult } from "../utils/results.ts";
import type { BlockRef } from "./chain-input.ts";
import type { DaemonContext } from "./context.ts";

/** A job the daemon follows: the request as posted and the state as of the last synced block. */
export type TrackedJob = {
  jobId: bigint;
  requester: Address;
  request: JobRequest;
  postedBlock: bigint;
  postedTx: Hash;
  state: JobStateName;
  /** The current phase's deadline (unix time), see `getJob`. */
  deadline: bigint;
  /** Designated provider while Open (zero: anyone), the claimant afterwards. */
  provider: Address;
  /** From Submitted on. */
  result?: JobResult | undefined;
  /**
   * Paid through its provider's pay bucket (`PayDeferred`, fast-path jobs): it gets no
   * `JobFinalized` and nobody finalizes it; it reads Finalized once its window has passed.
   */
  payDeferred?: boolean | undefined;
};

export type JobIndex = {
  /** Re-reads every job from the deployment block up to `at` (start, and after a deep reorg). */
  reconcile(at: BlockRef): Promise<void>;
  /** Applies the market's events in (`synced`, `to`] and re-reads the jobs they touched, at `to`. */
  sync(to: BlockRef): Promise<void>;
  /** Forgets what happened above `ancestor` and re-reads the market at it, settled jobs included (after a reorg). */
  rewind(ancestor: BlockRef): Promise<void>;
  /** Jobs not yet in a terminal state, in posting order. */
  jobs(): TrackedJob[];
  get(jobId: bigint): TrackedJob | undefined;
  /** The block the index is consistent with. */
  readonly synced: BlockRef | undefined;
};

const READ_CONCURRENCY = 32;

/**
 * Topic 0 of every market event with a `jobId` (or `jobIds`: `PayDeferred`) argument: the only
 * events the index reads, so the node does not send (and the daemon does not decode) stake, vault
 * and governance events.
 */
const JOB_EVENT_TOPICS = hashworkMarketAbi
  .filter((item) => item.type === "event" && item.inputs.some((p) => p.name === "jobId" || p.name === "jobIds"))
  .map((event) => toEventSelector(event as AbiEvent));

/** Events after which a job is settled for good: it leaves the index. */
const TERMINAL_EVENTS = new Set(["JobFinalized", "JobCancelled", "JobExpired", "JobTimedOut"]);

type MarketLog = { eventName: string; args: Record<string, unknown>; blockNumber: bigint | null; transactionHash: Hash | null };

export type CreateJobIndexParameters = {
  client: HashworkBaseClient;
  /** Called with a job seen finalized as it leaves the index (output pruning). */
  onFinalized?: ((job: TrackedJob) => void) | undefined;
};

/**
 * The daemon's view of the market: every non-terminal job with its request (from `JobPosted`),
 * state and result, kept consistent with one block (the last `finalized` block of the chain
 * input). Roles read it; nothing in it is trusted across restarts — `reconcile` rebuilds it
 * from contract state.
 *
 * @example
 * const index = createJobIndex(context, { client })
 * await index.reconcile(input.finalized)
 */
export function createJobIndex(context: DaemonContext, { client, onFinalized }: CreateJobIndexParameters): JobIndex {
  const log = context.logger.child({ component: "job-index" });
  const tracked = context.metrics.gauge("hashwork_jobs_tracked", "Non-terminal jobs the daemon follows, by state");
  const jobs = new Map<bigint, TrackedJob>();
  let synced: BlockRef | undefined;

  function publish() {
    const counts = new Map<string, number>();
    for (const j of jobs.values()) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
    for (const state of ["Open", "Claimed", "Submitted", "Disputed"]) tracked.set(counts.get(state) ?? 0, { state });
  }

  async function marketLogs(fromBlock: bigint, toBlock: bigint, topics: (`0x${string}` | `0x${string}`[] | null)[] = []) {
    return (await getDecodedLogs(client, {
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      topics,
      fromBlock,
      toBlock,
    })) as unknown as MarketLog[];
  }

  function addPosted(l: MarketLog) {
    const jobId = l.args.jobId as bigint;
    if (jobs.has(jobId)) return;
    const request = l.args.request as JobRequest;
    jobs.set(jobId, {
      jobId,
      requester: l.args.requester as Address,
      request,
      postedBlock: l.blockNumber!,
      postedTx: l.transactionHash!,
      state: "Open",
      deadline: BigInt(request.claimDeadline),
      provider: request.designatedProvider,
    });
  }

  /** Re-reads the state of `ids` at `at`, READ_CONCURRENCY reads in flight; drops terminal jobs. */
  async function refresh(ids: bigint[], at: BlockRef) {
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const jobId = ids[next++]!;
        const job = jobs.get(jobId);
        if (!job) continue;
        const view = await getJob(client, { jobId, blockNumber: at.number, includeResult: false });
        if (isTerminalJobState(view.state) || view.state === "None") {
          if (view.state === "Finalized") onFinalized?.(job);
          jobs.delete(jobId);
          continue;
        }
        job.state = view.state;
        job.deadline = view.deadline;
        // Past submission the market keeps only a hash of the terms: the claimant is in the result.
        job.provider = job.result && view.state !== "Open" && view.state !== "Claimed" ? job.result.provider : view.provider;
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, ids.length) }, worker));
  }

  /** Marks the jobs of a `PayDeferred` log as paid through a bucket. */
  function markDeferred(l: MarketLog) {
    for (const jobId of (l.args.jobIds as readonly bigint[] | undefined) ?? []) {
      const job = jobs.get(jobId);
      if (job) job.payDeferred = true;
    }
  }

  /**
   * A deferred-pay job past its window is Finalized (its result stands; the pay comes with its
   * bucket's release, which emits no per-job event): it leaves the index at that block's time.
   */
  function dropMaturedDeferred(at: BlockRef) {
    for (const job of jobs.values()) {
      if (job.payDeferred && job.state === "Submitted" && job.result && job.result.challengeEnd < at.timestamp) {
        onFinalized?.(job);
        jobs.delete(job.jobId);
      }
    }
  }

  async function reconcile(at: BlockRef) {
    const started = Date.now();
    jobs.clear();
    const from = client.deployment.fromBlock ?? 0n;
    // Every market event of the range: a job whose only event is JobPosted is Open as posted (each
    // transition of a job emits an event naming it), one with a terminal event is settled for good
    // (job ids are never reused); only the others are read from the contract. A backlog of
    // pre-posted jobs is then known after one getLogs instead of one read per job.
    const logs = await marketLogs(from, at.number, [JOB_EVENT_TOPICS]);
    const touched = new Set<bigint>();
    const settled = new Map<bigint, string>();
    let posted = 0;
    for (const l of logs) {
      if (l.eventName === "PayDeferred") markDeferred(l);
      const jobId = l.args.jobId as bigint | undefined;
      if (jobId === undefined) continue;
      if (l.eventName === "JobPosted") {
        posted++;
        addPosted(l);
        continue;
      }
      const job = jobs.get(jobId);
      if (!job) continue;
      if (l.eventName === "ResultSubmitted") job.result = toJobResult(l as never);
      if (TERMINAL_EVENTS.has(l.eventName)) settled.set(jobId, l.eventName);
      else touched.add(jobId);
    }
    for (const [jobId, event] of settled) {
      const job = jobs.get(jobId)!;
      touched.delete(jobId);
      jobs.delete(jobId);
      if (event === "JobFinalized") onFinalized?.(job);
    }
    await refresh([...touched], at);
    synced = at;
    publish();
    log.info("reconciled from contract state", {
      block: at.number,
      posted,
      open_jobs: jobs.size,
      read: touched.size,
      ms: Date.now() - started,
    });
  }

  async function sync(to: BlockRef) {
    if (!synced) return reconcile(to);
    if (to.number <= synced.number) return;
    const logs = await marketLogs(synced.number + 1n, to.number, [JOB_EVENT_TOPICS]);
    // The market's lifecycle events carry the new state and deadline, so most jobs are updated
    // from the logs alone (no read per job); a job touched by any other event is re-read at `to`.
    const touched = new Set<bigint>();
    for (const l of logs) {
      if (l.eventName === "PayDeferred") markDeferred(l);
      const jobId = l.args.jobId as bigint | undefined;
      if (jobId === undefined) continue;
      if (l.eventName === "JobPosted") {
        addPosted(l);
        continue;
      }
      const job = jobs.get(jobId);
      if (!job) continue;
      if (l.eventName === "ResultSubmitted") job.result = toJobResult(l as never);
      if (touched.has(jobId)) continue;
      if (l.eventName === "JobClaimed") {
        job.state = "Claimed";
        job.provider = l.args.provider as Address;
        job.deadline = l.args.executionDeadline as bigint;
      } else if (l.eventName === "ResultSubmitted") {
        job.state = "Submitted";
        job.provider = job.result!.provider;
        job.deadline = job.result!.challengeEnd;
      } else if (TERMINAL_EVENTS.has(l.eventName)) {
        if (l.eventName === "JobFinalized") onFinalized?.(job);
        jobs.delete(jobId);
      } else {
        touched.add(jobId);
      }
    }
    await refresh([...touched], to);
    dropMaturedDeferred(to);
    synced = to;
    publish();
  }

  async function rewind(ancestor: BlockRef) {
    // Jobs settled above the ancestor left the index, and their settlement may be gone with the
    // dropped blocks (a finalization removed by the reorg leaves the job Submitted again): only
    // re-reading the market at the ancestor brings them back. Reorgs are rare; this is the
    // start-up reconcile, at the block the index may claim (the ancestor, or lower).
    const base = synced && synced.number < ancestor.number ? synced : ancestor;
    await reconcile(base);
  }

  return {
    reconcile,
    sync,
    rewind,
    jobs: () => [...jobs.values()],
    get: (jobId) => jobs.get(jobId),
    get synced() {
      return synced;
    },
  };
}
