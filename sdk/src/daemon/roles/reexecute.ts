import type { Hex } from "viem";

import type { Executor } from "../../executor/executor.ts";
import type { LocalStore } from "../../store/local.ts";
import type { DaemonContext } from "../context.ts";
import type { TrackedJob } from "../job-index.ts";
import { fetchContent } from "./content.ts";

/**
 * Runs a job again as its request describes it (program and input fetched by hash and verified,
 * the request's fuel limit) and returns the result hash an honest provider would have committed:
 * `keccak256(abi.encode(keccak256(output), fuelUsed, status))`. The verifier votes it and the
 * watcher compares it with the provider's. Throws when content cannot be had or the run fails
 * for a reason that is not a deterministic outcome (timeout, shutdown).
 *
 * @example
 * const resultHash = await reexecute(context, { executor, store }, job)
 */
export async function reexecute(
  context: DaemonContext,
  { executor, store }: { executor: Executor; store: LocalStore },
  job: TrackedJob,
): Promise<{ resultHash: Hex; wallTimeMs: number }> {
  const { config } = context;
  const signal = context.shutdown;
  const [wasm, input] = await Promise.all([
    fetchContent(store, config, { uri: job.request.programURI, hash: job.request.programHash, signal }),
    fetchContent(store, config, { uri: job.request.inputURI, hash: job.request.inputHash, signal }),
  ]);
  // The program was verified against its hash by `fetchContent`: not hashed again.
  const result = await executor.run({
    wasm,
    input,
    fuelLimit: job.request.fuelLimit,
    jobId: job.jobId,
    timeoutMs: config.executor.timeoutMs,
    signal,
    programHash: job.request.programHash,
  });
  return { resultHash: result.resultHash, wallTimeMs: result.wallTimeMs };
}
