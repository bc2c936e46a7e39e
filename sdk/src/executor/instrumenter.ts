import { Worker } from "node:worker_threads";

import type { ExecutionLimits } from "./abi.ts";
import { deserializeError } from "./error-transfer.ts";
import { ExecutorClosedError, ExecutorResourceError } from "./errors.ts";
import type { InstrumentRequest, InstrumentResponse } from "./instrument-worker.ts";

export type Instrumenter = {
  /** The instrumented bytes of `wasm` (see `instrumentProgram`), computed in the worker. */
  instrument(wasm: Uint8Array, limits: ExecutionLimits): Promise<Uint8Array>;
  /** Stops the worker; later calls fail with `ExecutorClosedError`. */
  close(): Promise<void>;
};

export type CreateInstrumenterParameters = {
  /**
   * Stack of the instrumentation worker. binaryen and the instrumenter recurse once per level of
   * expression nesting; 64 MB holds far more than the deterministic limit (`MAX_NESTING`).
   */
  stackSizeMb?: number;
};

const WORKER_URL = new URL("./instrument-worker.ts", import.meta.url);

/**
 * Runs `instrumentProgram` in a worker thread, so a large program never blocks the caller's
 * event loop and nesting depth is limited by a fixed rule rather than by the caller's stack. The
 * worker starts on first use and holds the process open only while it has work.
 *
 * @example
 * const instrumenter = createInstrumenter()
 * const metered = await instrumenter.instrument(wasm, DEFAULT_LIMITS)
 * await instrumenter.close()
 */
export function createInstrumenter({ stackSizeMb = 64 }: CreateInstrumenterParameters = {}): Instrumenter {
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve(wasm: Uint8Array): void; reject(error: unknown): void }>();

  function start(): Worker {
    const w = new Worker(WORKER_URL, { resourceLimits: { stackSizeMb } });
    w.on("message", (response: InstrumentResponse) => {
      const job = pending.get(response.id);
      if (!job) return;
      pending.delete(response.id);
      if (pending.size === 0) w.unref();
      if (response.ok) job.resolve(response.wasm);
      else job.reject(deserializeError(response.error));
    });
    const fail = (error: unknown) => {
      if (worker !== w) return;
      worker = undefined;
      for (const job of pending.values()) {
        job.reject(new ExecutorResourceError({ reason: `instrumentation worker died: ${(error as Error).message}`, cause: error }));
      }
      pending.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`exited with code ${code}`)));
    return w;
  }

  return {
    instrument(wasm, limits) {
      if (closed) return Promise.reject(new ExecutorClosedError());
      worker ??= start();
      worker.ref();
      const id = nextId++;
      const request: InstrumentRequest = { id, wasm, limits };
      return new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage(request);
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      for (const job of pending.values()) job.reject(new ExecutorClosedError());
      pending.clear();
      if (w) {
        w.removeAllListeners();
        await w.terminate();
      }
    },
  };
}
