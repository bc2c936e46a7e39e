import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { JobStateName } from "../../abi/enums.ts";
import { JobEndedError, JobResultNotFoundError, WaitTimeoutError } from "../../errors/sdk.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { resultJobStates } from "../../utils/job-state.ts";
import { getDecodedLogs, jobEventTopics, marketJobEvents } from "../../utils/logs.ts";
import { findJobResult, readJobState, toJobResult, type JobResult } from "../../utils/results.ts";

export type WaitForResultParameters = {
  jobId: bigint;
  /**
   * `"submitted"` (default): resolve once a provider has committed a result (the output can be
   * fetched and checked; it may still be challenged). `"finalized"`: resolve once the result is
   * final and the provider paid.
   */
  until?: "submitted" | "finalized" | undefined;
  /** Give up after this many milliseconds with `WaitTimeoutError`. Default: wait indefinitely. */
  timeout?: number | undefined;
  /** How often to poll for new blocks, in ms. Default: the public client's `pollingInterval`. */
  pollingInterval?: number | undefined;
  /** Stops waiting (rejecting with the signal's reason) when aborted. */
  signal?: AbortSignal | undefined;
};

export type WaitForResultReturnType = {
  jobId: bigint;
  /** The job's state when the wait ended. */
  state: JobStateName;
  /** The committed result, with the terms `finalizeJob` needs. */
  result: JobResult;
};

export type WaitForResultErrorType = WaitTimeoutError | JobEndedError | JobResultNotFoundError | Error;

// States after which the awaited outcome can no longer happen.
const DEAD_ENDS: Record<"submitted" | "finalized", readonly JobStateName[]> = {
  submitted: ["Cancelled", "Expired", "TimedOut"],
  finalized: ["Cancelled", "Expired", "TimedOut", "Overturned", "Voided"],
};

/**
 * Waits until a job has a committed result (or, with `until: "finalized"`, until that result
 * is final). It first reads the job's state at the latest block — so a job submitted long ago
 * resolves at once, with its result read from the `ResultSubmitted` event — and then follows
 * the job's own events block by block from there, so nothing between the read and the watch
 * is missed. Throws `JobEndedError` if the job ends in a way that rules the outcome out
 * (cancelled, expired, timed out; for "finalized" also overturned or voided).
 *
 * @example
 * const { result } = await waitForResult(client, { jobId, timeout: 10 * 60_000 })
 * const output = await fetchJobOutput(client, { store, result, … })
 */
export async function waitForResult(client: HashworkBaseClient, parameters: WaitForResultParameters): Promise<WaitForResultReturnType> {
  const { jobId, signal } = parameters;
  const until = parameters.until ?? "submitted";
  const interval = parameters.pollingInterval ?? client.publicClient.pollingInterval;
  const deadline = parameters.timeout === undefined ? Infinity : Date.now() + parameters.timeout;
  const waitingFor = until === "submitted" ? "a result was submitted" : "its result was finalized";
  // Everything that can happen to the job after it was posted.
  const topics = jobEventTopics(
    jobId,
    marketJobEvents.filter((name) => name !== "JobPosted"),
  );

  let result: JobResult | undefined;
  /** Decides from the state as of `block`; returns the outcome when the wait is over. */
  const settle = async (block: bigint): Promise<WaitForResultReturnType | undefined> => {
    const state = await readJobState(client, jobId, block);
    if (DEAD_ENDS[until].includes(state)) throw new JobEndedError({ jobId, state, waitingFor });
    const done = until === "submitted" ? (resultJobStates as readonly JobStateName[]).includes(state) : state === "Finalized";
    if (!done) return undefined;
    result ??= await findJobResult(client, { jobId, toBlock: block });
    if (!result) throw new JobResultNotFoundError({ jobId, state });
    return { jobId, state, result };
  };

  signal?.throwIfAborted();
  let cursor = await client.publicClient.getBlockNumber();
  const first = await settle(cursor);
  if (first) return first;

  for (;;) {
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), signal);
    if (Date.now() >= deadline) throw new WaitTimeoutError({ what: `job ${jobId}: ${waitingFor}`, timeout: parameters.timeout! });
    const latest = await client.publicClient.getBlockNumber();
    if (latest <= cursor) continue;
    const logs = await getDecodedLogs(client, {
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      topics,
      fromBlock: cursor + 1n,
      toBlock: latest,
    });
    cursor = latest;
    if (logs.length === 0) continue;
    const submitted = logs.find((l) => l.eventName === "ResultSubmitted");
    if (submitted) result = toJobResult(submitted as unknown as Parameters<typeof toJobResult>[0]);
    const outcome = await settle(latest);
    if (outcome) return outcome;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
