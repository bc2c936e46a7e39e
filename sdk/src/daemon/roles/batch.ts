import type { TransactionReceipt } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { claimAndSubmit, claimAndSubmitJobs } from "../../actions/provider/claim-and-submit.ts";
import { claimJob } from "../../actions/provider/claim-job.ts";
import { submitResult } from "../../actions/provider/submit-result.ts";
import { finalizeJob } from "../../actions/requester/finalize-job.ts";
import { computeResultHash } from "../../executor/result-hash.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { encodeOutputUri, type ExecutionOutcome } from "../../utils/output-uri.ts";
import { toJobResult, type JobResult } from "../../utils/results.ts";
import { sendContractTransaction } from "../../utils/write.ts";

/** The market's largest batch (`MAX_BATCH`). */
export const MARKET_MAX_BATCH = 100;

export type BatchSent = { receipt: TransactionReceipt };

/** Claims `jobIds` in one transaction (`claimJob` for one, `claimJobs` for several). */
export async function sendClaims(client: HashworkBaseClient, jobIds: bigint[]): Promise<BatchSent> {
  if (jobIds.length === 1) return claimJob(client, { jobId: jobIds[0]! });
  return sendContractTransaction(client, {
    action: "claimJobs",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "claimJobs",
    args: [jobIds],
  });
}

export type Submission = { jobId: bigint; outcome: ExecutionOutcome; outputURI: string };

/**
 * Submits results in one transaction (`submitResult` for one, `submitResults` for several), each
 * with its outcome published in the output URI; returns each job's committed result.
 */
export async function sendSubmissions(
  client: HashworkBaseClient,
  items: Submission[],
): Promise<BatchSent & { results: Map<bigint, JobResult> }> {
  if (items.length === 1) {
    const { jobId, outcome, outputURI } = items[0]!;
    const sent = await submitResult(client, { jobId, outcome, outputURI });
    return { receipt: sent.receipt, results: new Map([[jobId, sent.result]]) };
  }
  const sent = await sendContractTransaction(client, {
    action: "submitResults",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "submitResults",
    args: [
      items.map((i) => i.jobId),
      items.map((i) => computeResultHash(i.outcome.outputHash, i.outcome.fuelUsed, i.outcome.status, i.outcome.exitCode)),
      items.map((i) => encodeOutputUri(i.outputURI, i.outcome)),
    ],
  });
  const results = new Map<bigint, JobResult>();
  for (const log of marketEventsInReceipt(client, sent.receipt, "ResultSubmitted")) results.set(log.args.jobId, toJobResult(log));
  return { receipt: sent.receipt, results };
}

/**
 * The fast path: claims and submits jobs run before claiming, in one transaction
 * (`claimAndSubmit` for one, `claimAndSubmitJobs` for several; the batch skips jobs no longer
 * open). Returns the committed result of each job this transaction took; a job without one was
 * taken by another provider first.
 */
export async function sendFastPath(
  client: HashworkBaseClient,
  items: Submission[],
): Promise<BatchSent & { results: Map<bigint, JobResult> }> {
  const hashes = items.map((i) => computeResultHash(i.outcome.outputHash, i.outcome.fuelUsed, i.outcome.status, i.outcome.exitCode));
  const uris = items.map((i) => encodeOutputUri(i.outputURI, i.outcome));
  const sent =
    items.length === 1
      ? await claimAndSubmit(client, { jobId: items[0]!.jobId, resultHash: hashes[0]!, outputURI: uris[0]! })
      : await claimAndSubmitJobs(client, {
          submissions: items.map((i, k) => ({ jobId: i.jobId, resultHash: hashes[k]!, outputURI: uris[k]! })),
        });
  const results = new Map<bigint, JobResult>();
  for (const log of marketEventsInReceipt(client, sent.receipt, "ResultSubmitted")) results.set(log.args.jobId, toJobResult(log));
  return { receipt: sent.receipt, results };
}

/** Finalizes submitted jobs in one transaction (`finalizeJob` for one, `finalizeJobs` for several). */
export async function sendFinalizations(
  client: HashworkBaseClient,
  items: { jobId: bigint; terms: SubmittedJobTerms }[],
): Promise<BatchSent> {
  if (items.length === 1) return finalizeJob(client, items[0]!);
  return sendContractTransaction(client, {
    action: "finalizeJobs",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "finalizeJobs",
    args: [items.map((i) => i.jobId), items.map((i) => i.terms)],
  });
}

/**
 * Collects items and hands them to `flush` in batches: the first item after an idle period
 * waits `windowMs`; while all is quiet one batch goes at a time. Beside batches already out, up to
 * `inFlight` at once (each awaiting its own receipt, the queue assigning their nonces in order),
 * another goes only once it is worth a transaction: `fill` items waiting, or the oldest waited
 * `fillMs`. So an idle provider adds little latency, a busy one sends one transaction per batch
 * instead of one per job, and on a chain with blocks a job ready just after a batch left does not
 * wait a whole block for that batch's receipt. At most `max` items per batch.
 */
export function createBatcher<I extends { jobId: bigint }, R>(
  flush: (items: I[]) => Promise<Map<bigint, R>>,
  {
    max = MARKET_MAX_BATCH,
    windowMs = 10,
    inFlight = 1,
    fill = 10,
    fillMs = 250,
  }: { max?: number; windowMs?: number; inFlight?: number; fill?: number; fillMs?: number } = {},
) {
  type Entry = { item: I; at: number; resolve: (r: R | undefined) => void; reject: (e: unknown) => void };
  let pending: Entry[] = [];
  let running = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the scheduled batch goes. */
  let due = 0;

  /** When the next batch may go (undefined: not now). */
  function nextAt(): number | undefined {
    if (pending.length === 0 || running >= inFlight) return undefined;
    const soon = Date.now() + windowMs;
    if (running === 0 || pending.length >= fill) return soon;
    return Math.max(soon, pending[0]!.at + fillMs);
  }

  function schedule() {
    const at = nextAt();
    if (at === undefined || (timer !== undefined && due <= at)) return;
    if (timer !== undefined) clearTimeout(timer);
    due = at;
    timer = setTimeout(send, at - Date.now());
  }

  function send() {
    timer = undefined;
    const at = nextAt();
    if (at === undefined) return;
    if (at > Date.now() + windowMs) return schedule();
    const batch = pending.slice(0, max);
    pending = pending.slice(max);
    running++;
    flush(batch.map((e) => e.item))
      .then((results) => {
        for (const e of batch) e.resolve(results.get(e.item.jobId));
      })
      .catch((error: unknown) => {
        for (const e of batch) e.reject(error);
      })
      .finally(() => {
        running--;
        schedule();
      });
    schedule();
  }

  return {
    /** Resolves with the item's result (undefined when `flush` returned none for it). */
    add(item: I): Promise<R | undefined> {
      return new Promise((resolve, reject) => {
        pending.push({ item, at: Date.now(), resolve, reject });
        schedule();
      });
    },
    get size() {
      return pending.length;
    },
    /** Batches being sent now. */
    get inFlight() {
      return running;
    },
  };
}
