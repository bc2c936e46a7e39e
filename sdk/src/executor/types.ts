import type { Hex } from "viem";

import type { ExecutionLimits } from "./abi.ts";
import type { ExecutionStatus } from "./result-hash.ts";

/** What one program run produced. Everything except `wallTimeMs` is deterministic. */
export type ExecutionResult = {
  status: ExecutionStatus;
  /** Fuel charged; equals the fuel limit when `status` is `OutOfFuel`. */
  fuelUsed: bigint;
  /** The program's output (ABI v2: its stdout); empty unless `status` is `Ok` or `Exited`. */
  output: Uint8Array;
  /** ABI v2: the code the program passed to `proc_exit`; non-zero exactly when `status` is `Exited`. Always 0 for v1. */
  exitCode: number;
  /** ABI v2: the first 64 KiB the program wrote to stderr. Not part of the result hash; empty for v1. */
  stderr: Uint8Array;
  /** keccak256(output). */
  outputHash: Hex;
  /** keccak256(abi.encode(outputHash, fuelUsed, status)) (with `exitCode` appended for `Exited`): what a provider commits on-chain. */
  resultHash: Hex;
  /** keccak256 of the program's wasm bytes. */
  programHash: Hex;
  /** Time spent running in the worker (informational, not part of any commitment). */
  wallTimeMs: number;
};

/** One program run. */
export type RunProgramParameters = {
  /** The program's wasm bytes (ABI v1, or v2 when it imports `wasi_snapshot_preview1`). */
  wasm: Uint8Array;
  /** The input bytes: v1 reads them with `input_size` / `input_read`; for v2 they are a bundle (`encodeBundle`). */
  input: Uint8Array;
  /** The job's id: with the input's hash it seeds a v2 program's `random_get`. Default 0 (local runs). */
  jobId?: bigint;
  /** Fuel the run may spend, 0 ≤ fuelLimit < 2^64 (a job's `uint64 fuelLimit`). */
  fuelLimit: bigint;
  /**
   * Overrides of the ABI v1 limits. Results are only comparable between runs with the same
   * limits; on-chain jobs use the defaults.
   */
  limits?: Partial<ExecutionLimits>;
  /** Wall-clock guard in milliseconds; past it the run fails with `ExecutionTimeoutError`. */
  timeoutMs?: number;
  /** Cancels the run (queued or running) with `ExecutionCancelledError`. */
  signal?: AbortSignal;
  /**
   * keccak256 of `wasm`, when the caller has verified the bytes against it already (the daemon
   * reads programs from a content store that verified them on entry): the program is then not
   * hashed again to find its cached preparation. Trusted: give it only for verified bytes.
   */
  programHash?: Hex;
};

/** V8 limits of each worker thread (see `worker_threads` `resourceLimits`). */
export type WorkerResourceLimits = {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
};
