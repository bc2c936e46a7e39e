import { Worker } from "node:worker_threads";

import { EXECUTION_STACK_MB, MAX_FUEL_LIMIT, resolveLimits } from "./abi.ts";
import {
  ExecutionCancelledError,
  ExecutionTimeoutError,
  ExecutorClosedError,
  ExecutorResourceError,
  InvalidExecutionParametersError,
  type ExecutionAbortedError,
  type InstrumentationError,
  type InvalidProgramError,
} from "./errors.ts";
import { createModuleCache, type ModuleCache } from "./module-cache.ts";
import type { ExecutionResult, RunProgramParameters, WorkerResourceLimits } from "./types.ts";
import type { WorkerRequest, WorkerResponse } from "./worker.ts";
import { siblingModuleUrl } from "../module-url.ts";

export type CreateExecutorParameters = {
  /** Worker threads, i.e. runs in parallel. Default 1. */
  threads?: number;
  /** Default wall-clock guard per run, in milliseconds. Default 60 000. */
  timeoutMs?: number;
  /**
   * V8 limits of each worker. Default: 128 MB old space, 32 MB young space, 64 MB stack. The stack
   * is never set below `EXECUTION_STACK_MB`, which the stack budget relies on.
   */
  resourceLimits?: WorkerResourceLimits;
  /** Instrumented-module cache; pass one to share it between executors. */
  cache?: ModuleCache;
};

export type Executor = {
  /** Runs one program; queues when every worker is busy. */
  run(params: RunProgramParameters): Promise<ExecutionResult>;
  /** Waits for running jobs, refuses queued and new ones, and stops the workers. */
  close(): Promise<void>;
  /** Starts every worker and the instrumentation process now instead of at the first runs (a long-running process's first jobs then do not wait for them to boot). */
  warm(): void;
  readonly threads: number;
  readonly cache: ModuleCache;
};

export type ExecutorRunErrorType =
  | InvalidProgramError
  | InvalidExecutionParametersError
  | ExecutionAbortedError
  | ExecutorClosedError
  | InstrumentationError;

export const DEFAULT_TIMEOUT_MS = 60_000;

const DEFAULT_RESOURCE_LIMITS: WorkerResourceLimits = {
  maxOldGenerationSizeMb: 128,
  maxYoungGenerationSizeMb: 32,
  // Far above what the stack budget (maxStackSlots) can use, so the budget, not V8, ends deep calls.
  stackSizeMb: EXECUTION_STACK_MB,
};

const WORKER_URL = siblingModuleUrl("worker", import.meta.url);

type Job = {
  request: Omit<WorkerRequest, "id">;
  programHash: ExecutionResult["programHash"];
  timeoutMs: number;
  signal?: AbortSignal;
  resolve(result: ExecutionResult): void;
  reject(error: unknown): void;
  onAbort?: () => void;
};

type Slot = { worker: Worker; job?: Job; timer?: NodeJS.Timeout; jobId: number };

/**
 * A pool of worker threads that run programs: validation and instrumentation happen once per
 * program (cached by program hash), each run gets a fresh instance in a worker with V8 resource
 * limits and a wall-clock guard. A worker that times out, is cancelled or crashes is replaced.
 *
 * @example
 * const executor = createExecutor({ threads: 2 })
 * const { status, resultHash } = await executor.run({ wasm, input, fuelLimit: 50_000_000n })
 * await executor.close()
 */
export function createExecutor({
  threads = 1,
  timeoutMs: defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  resourceLimits = DEFAULT_RESOURCE_LIMITS,
  cache = createModuleCache(),
}: CreateExecutorParameters = {}): Executor {
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new InvalidExecutionParametersError("threads must be a positive integer", { metaMessages: [`got: ${threads}`] });
  }
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextJobId = 1;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  function spawn(): Slot {
    const limits = { ...resourceLimits, stackSizeMb: Math.max(resourceLimits.stackSizeMb ?? 0, EXECUTION_STACK_MB) };
    const slot: Slot = { worker: new Worker(WORKER_URL, { resourceLimits: limits }), jobId: 0 };
    slot.worker.on("message", (response: WorkerResponse) => onMessage(slot, response));
    slot.worker.on("error", (error) => onCrash(slot, error));
    slot.worker.on("exit", (code) => onCrash(slot, new Error(`worker exited with code ${code}`)));
    slots.push(slot);
    return slot;
  }

  function retire(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    if (slot.timer) clearTimeout(slot.timer);
    slot.worker.removeAllListeners();
    slot.worker.on("error", () => {}); // a late error from a terminated worker is not ours to report
    void slot.worker.terminate();
  }

  function finish(slot: Slot): Job | undefined {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    if (job?.signal && job.onAbort) job.signal.removeEventListener("abort", job.onAbort);
    return job;
  }

  function dispatch(): void {
    while (queue.length > 0) {
      let slot = slots.find((s) => s.job === undefined);
      if (!slot && slots.length < threads) slot = spawn();
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      slot.jobId = nextJobId++;
      slot.timer = setTimeout(() => {
        const timedOut = finish(slot!);
        retire(slot!);
        timedOut?.reject(new ExecutionTimeoutError({ timeoutMs: job.timeoutMs }));
        dispatch();
      }, job.timeoutMs);
      const message: WorkerRequest = { id: slot.jobId, ...job.request };
      slot.worker.postMessage(message);
    }
    if (slots.every((s) => s.job === undefined)) {
      for (const wake of idleWaiters) wake();
      idleWaiters = [];
    }
  }

  function onMessage(slot: Slot, response: WorkerResponse): void {
    if (response.id !== slot.jobId || !slot.job) return;
    const job = finish(slot)!;
    if (response.ok) {
      job.resolve({
        status: response.status,
        fuelUsed: response.fuelUsed,
        output: response.output,
        exitCode: response.exitCode,
        stderr: response.stderr,
        outputHash: response.outputHash,
        resultHash: response.resultHash,
        programHash: job.programHash,
        wallTimeMs: response.wallTimeMs,
      });
    } else {
      job.reject(new ExecutorResourceError({ reason: response.message }));
    }
    dispatch();
  }

  function onCrash(slot: Slot, error: unknown): void {
    if (!slots.includes(slot)) return;
    const job = finish(slot);
    retire(slot);
    job?.reject(new ExecutorResourceError({ reason: `worker died: ${(error as Error).message}`, cause: error }));
    dispatch();
  }

  async function run(params: RunProgramParameters): Promise<ExecutionResult> {
    if (closed) throw new ExecutorClosedError();
    const { wasm, input, fuelLimit, signal, jobId = 0n } = params;
    const limits = resolveLimits(params.limits);
    if (typeof fuelLimit !== "bigint" || fuelLimit < 0n || fuelLimit > MAX_FUEL_LIMIT) {
      throw new InvalidExecutionParametersError("fuelLimit must be a bigint in [0, 2^64 - 1]", {
        metaMessages: [`got: ${String(fuelLimit)}`],
      });
    }
    if (input.byteLength > limits.maxInputBytes) {
      throw new InvalidExecutionParametersError(`Input exceeds the ${limits.maxInputBytes}-byte limit`, {
        metaMessages: [`size: ${input.byteLength} bytes`],
      });
    }
    const timeoutMs = params.timeoutMs ?? defaultTimeoutMs;
    if (!(timeoutMs > 0)) throw new InvalidExecutionParametersError("timeoutMs must be positive");
    if (signal?.aborted) throw new ExecutionCancelledError({ cause: signal.reason });

    const prepared = await cache.prepare(wasm, limits, params.programHash);
    if (closed) throw new ExecutorClosedError();
    if (signal?.aborted) throw new ExecutionCancelledError({ cause: signal.reason });

    return new Promise<ExecutionResult>((resolve, reject) => {
      const job: Job = {
        request: { module: prepared.module, input, fuelLimit, maxOutputBytes: limits.maxOutputBytes, jobId },
        programHash: prepared.programHash,
        timeoutMs,
        signal,
        resolve,
        reject,
      };
      if (signal) {
        job.onAbort = () => {
          const queued = queue.indexOf(job);
          if (queued >= 0) {
            queue.splice(queued, 1);
          } else {
            const slot = slots.find((s) => s.job === job);
            if (!slot) return;
            finish(slot);
            retire(slot);
            dispatch();
          }
          reject(new ExecutionCancelledError({ cause: signal.reason }));
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      queue.push(job);
      dispatch();
    });
  }

  async function close(): Promise<void> {
    closed = true;
    for (const job of queue.splice(0)) job.reject(new ExecutorClosedError());
    if (slots.some((s) => s.job !== undefined)) await new Promise<void>((wake) => idleWaiters.push(wake));
    await Promise.all(
      slots.splice(0).map((slot) => {
        slot.worker.removeAllListeners();
        return slot.worker.terminate();
      }),
    );
  }

  function warm(): void {
    while (!closed && slots.length < threads) spawn();
    if (!closed) cache.warm();
  }

  return { run, close, warm, threads, cache };
}
