// Entry point of an executor worker thread. It receives compiled, instrumented modules and runs
// them one at a time; the parent enforces the wall-clock guard by terminating the thread.
import { parentPort } from "node:worker_threads";

import { keccak256, type Hex } from "viem";

import { ExecutionAbortedError } from "./errors.ts";
import { computeResultHash, type ExecutionStatus } from "./result-hash.ts";
import { runInstrumented } from "./run-instrumented.ts";
import type { WasmModule } from "./webassembly.ts";

/** A job for the worker. */
export type WorkerRequest = {
  id: number;
  module: WasmModule;
  input: Uint8Array;
  fuelLimit: bigint;
  maxOutputBytes: number;
  jobId?: bigint;
};

/** The worker's answer: a deterministic result, or why there is none. */
export type WorkerResponse =
  | {
      id: number;
      ok: true;
      status: ExecutionStatus;
      fuelUsed: bigint;
      output: Uint8Array;
      exitCode: number;
      stderr: Uint8Array;
      outputHash: Hex;
      resultHash: Hex;
      wallTimeMs: number;
    }
  | { id: number; ok: false; aborted: boolean; message: string };

const port = parentPort;
if (port) {
  port.on("message", (request: WorkerRequest) => {
    const started = performance.now();
    let response: WorkerResponse;
    try {
      const { status, fuelUsed, output, exitCode, stderr } = runInstrumented(request);
      const outputHash = keccak256(output);
      response = {
        id: request.id,
        ok: true,
        status,
        fuelUsed,
        output,
        exitCode,
        stderr,
        outputHash,
        resultHash: computeResultHash(outputHash, fuelUsed, status, exitCode),
        wallTimeMs: performance.now() - started,
      };
    } catch (error) {
      response = {
        id: request.id,
        ok: false,
        aborted: error instanceof ExecutionAbortedError,
        message: error instanceof Error ? ((error as { details?: string }).details ?? error.message) : String(error),
      };
    }
    const transfer = response.ok
      ? [response.output, response.stderr].filter((b) => b.byteLength > 0).map((b) => b.buffer as ArrayBuffer)
      : [];
    port.postMessage(response, transfer);
  });
}
