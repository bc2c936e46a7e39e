import { keccak256 } from "viem";

import { BYTES_PER_FUEL_SHIFT, FUEL_PER_HOST_CALL, FaultCode, HOST_MODULE, INSTRUMENTED_EXPORTS, MAX_FUEL_COUNTER } from "./abi.ts";
import { ExecutorResourceError } from "./errors.ts";
import { HostStop as Stop } from "./host-stop.ts";
import { OutputBuffer } from "./output-buffer.ts";
import { ExecutionStatus } from "./result-hash.ts";
import { WASI_MODULE } from "./wasi-abi.ts";
import { InvalidBundleError, decodeBundle } from "./wasi-bundle.ts";
import { createWasiHost } from "./wasi-host.ts";
import { Wasm, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule } from "./webassembly.ts";

export type RunInstrumentedParameters = {
  /** A module produced by `instrumentProgram`, compiled. */
  module: WasmModule;
  input: Uint8Array;
  fuelLimit: bigint;
  maxOutputBytes: number;
  /** The job's id: with the input's hash, the seed of an ABI v2 program's `random_get`. Default 0. */
  jobId?: bigint;
};

export type RunInstrumentedReturnType = {
  status: ExecutionStatus;
  fuelUsed: bigint;
  /** The bytes written with `output_write` (v2: to stdout); empty unless `status` is `Ok` or `Exited`. */
  output: Uint8Array;
  /** v2: the code passed to `proc_exit` (0 otherwise); non-zero exactly when `status` is `Exited`. */
  exitCode: number;
  /** v2: what the program wrote to stderr, up to 64 KiB; not part of the result. Empty for v1. */
  stderr: Uint8Array;
};

export type RunInstrumentedErrorType = ExecutorResourceError;

/**
 * Runs an instrumented module once, in the current thread, and classifies how it ended. The rules,
 * in order (docs/program-abi.md):
 *
 * 1. the fuel counter is negative → `OutOfFuel`, `fuelUsed = fuelLimit` (once fuel is negative
 *    every continuation ends this way, so it does not matter where the engine noticed);
 * 2. the host refused memory below the cap, or the engine's own stack overflowed → not a result:
 *    `ExecutorResourceError` (the stack budget and the worker's `EXECUTION_STACK_MB` stack are
 *    sized so that the budget always runs out first);
 * 3. `output_write` went past the output cap → `OutputTooLarge`;
 * 4. any trap (including `abort`, a host bounds check and the stack budget) → `Trapped`;
 * 5. otherwise `Ok`, with the output.
 *
 * The caller runs this in a worker with a wall-clock guard; it never returns for a module that
 * does not terminate only if the module was not instrumented.
 *
 * @example
 * const { status, fuelUsed, output } = runInstrumented({ module, input, fuelLimit: 10_000_000n, maxOutputBytes: 1 << 20 })
 */
export function runInstrumented({
  module,
  input,
  fuelLimit,
  maxOutputBytes,
  jobId = 0n,
}: RunInstrumentedParameters): RunInstrumentedReturnType {
  let memory: WasmMemory | undefined;
  let fuel: WasmGlobal | undefined;
  const empty: Uint8Array = new Uint8Array();
  const v2 = Wasm.Module.imports(module).some((i) => i.module === WASI_MODULE);
  const end = (status: ExecutionStatus, fuelUsed: bigint, output = empty, exitCode = 0, stderr = empty): RunInstrumentedReturnType => ({
    status,
    fuelUsed,
    output,
    exitCode,
    stderr,
  });

  /** Takes fuel; a negative counter ends the run (`OutOfFuel`). */
  const take = (amount: bigint) => {
    const left = (fuel!.value as bigint) - amount;
    fuel!.value = left;
    if (left < 0n) throw new Stop("fuel");
  };

  let imports: Record<string, Record<string, unknown>>;
  let stdout: () => Uint8Array;
  let stderr: () => Uint8Array = () => empty;
  if (v2) {
    let bundle: ReturnType<typeof decodeBundle>;
    try {
      bundle = decodeBundle(input);
    } catch (error) {
      // Not a bundle: a committed result, like a data segment out of bounds (docs/program-abi.md).
      if (error instanceof InvalidBundleError) return end(ExecutionStatus.Trapped, 0n);
      throw error;
    }
    const host = createWasiHost({ bundle, inputHash: keccak256(input), jobId, maxOutputBytes, charge: take, memory: () => memory! });
    imports = { [WASI_MODULE]: host.imports };
    stdout = host.output; // stdout, with the /out files when there are any
    stderr = host.stderr;
  } else {
    const output = new OutputBuffer(maxOutputBytes);
    stdout = () => output.contents();
    /** A host call's price: a fixed cost plus 1 per 16 bytes moved, charged before anything else. */
    const charge = (bytes: number) => take(FUEL_PER_HOST_CALL + (BigInt(bytes) >> BYTES_PER_FUEL_SHIFT));
    const view = (ptr: number, len: number) => {
      const bytes = new Uint8Array(memory!.buffer);
      if (ptr + len > bytes.length) throw new Stop("trap");
      return bytes.subarray(ptr, ptr + len);
    };
    const trap = () => {
      throw new Stop("trap");
    };
    const host = {
      input_size: () => {
        charge(0);
        return input.length;
      },
      input_read: (ptr: number, offset: number, len: number) => {
        [ptr, offset, len] = [ptr >>> 0, offset >>> 0, len >>> 0];
        charge(len);
        if (offset + len > input.length) throw new Stop("trap");
        view(ptr, len).set(input.subarray(offset, offset + len));
      },
      output_write: (ptr: number, len: number) => {
        [ptr, len] = [ptr >>> 0, len >>> 0];
        charge(len);
        output.append(view(ptr, len));
      },
      abort: trap,
    };
    imports = { [HOST_MODULE]: host, env: { abort: trap } };
  }

  let instance: WasmInstance;
  try {
    instance = new Wasm.Instance(module, imports);
  } catch (error) {
    // Data or element segments out of bounds trap at instantiation, before any fuel is spent.
    if (error instanceof Wasm.RuntimeError) return end(ExecutionStatus.Trapped, 0n);
    throw new ExecutorResourceError({ reason: `instantiation failed: ${(error as Error).message}`, cause: error });
  }
  const exports = instance.exports;
  memory = exports[INSTRUMENTED_EXPORTS.memory] as WasmMemory;
  fuel = exports[INSTRUMENTED_EXPORTS.fuel] as WasmGlobal;
  const fault = exports[INSTRUMENTED_EXPORTS.fault] as WasmGlobal;
  const entry = exports[INSTRUMENTED_EXPORTS.entry] as () => void;
  const start = fuelLimit < MAX_FUEL_COUNTER ? fuelLimit : MAX_FUEL_COUNTER;
  fuel.value = start;

  let thrown: unknown;
  let threw = false;
  try {
    entry();
  } catch (error) {
    threw = true;
    thrown = error;
  }

  const left = fuel.value as bigint;
  const used = start - left;
  if (left < 0n) return end(ExecutionStatus.OutOfFuel, fuelLimit, empty, 0, stderr());
  // v2: proc_exit(0) is the same result as returning from _start; another code is `Exited`.
  if (thrown instanceof Stop && thrown.reason === "exit") {
    return end(thrown.code === 0 ? ExecutionStatus.Ok : ExecutionStatus.Exited, used, stdout(), thrown.code, stderr());
  }
  if (!threw) return end(ExecutionStatus.Ok, used, stdout(), 0, stderr());
  if (fault.value === FaultCode.HostMemory) {
    throw new ExecutorResourceError({ reason: "memory.grow failed below the page cap (the host is out of memory)" });
  }
  if (thrown instanceof Stop) {
    if (thrown.reason === "output") return end(ExecutionStatus.OutputTooLarge, used, empty, 0, stderr());
    return end(ExecutionStatus.Trapped, used, empty, 0, stderr());
  }
  if (thrown instanceof Wasm.RuntimeError) return end(ExecutionStatus.Trapped, used, empty, 0, stderr());
  // RangeError "Maximum call stack size exceeded": the engine's stack, not the program's budget.
  throw new ExecutorResourceError({ reason: (thrown as Error)?.message ?? String(thrown), cause: thrown });
}
