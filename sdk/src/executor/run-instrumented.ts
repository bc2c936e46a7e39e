import {
  BYTES_PER_FUEL_SHIFT,
  FUEL_PER_HOST_CALL,
  FaultCode,
  HOST_MODULE,
  INSTRUMENTED_EXPORTS,
  MAX_FUEL_COUNTER,
} from "./abi.ts";
import { ExecutorResourceError } from "./errors.ts";
import { ExecutionStatus } from "./result-hash.ts";
import { Wasm, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule } from "./webassembly.ts";

export type RunInstrumentedParameters = {
  /** A module produced by `instrumentProgram`, compiled. */
  module: WasmModule;
  input: Uint8Array;
  fuelLimit: bigint;
  maxOutputBytes: number;
};

export type RunInstrumentedReturnType = {
  status: ExecutionStatus;
  fuelUsed: bigint;
  /** The bytes written with `output_write`; empty unless `status` is `Ok`. */
  output: Uint8Array;
};

export type RunInstrumentedErrorType = ExecutorResourceError;

/** Why a host function stopped the run. */
type StopReason = "trap" | "fuel" | "output";
class Stop {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    this.reason = reason;
  }
}

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
}: RunInstrumentedParameters): RunInstrumentedReturnType {
  let memory: WasmMemory | undefined;
  let fuel: WasmGlobal | undefined;
  // One growable buffer (doubling, capped at maxOutputBytes): no allocation per write.
  let output = new Uint8Array(Math.min(maxOutputBytes, 4096));
  let outputLength = 0;

  /** A host call's price: a fixed cost plus 1 per 16 bytes moved, charged before anything else. */
  const charge = (bytes: number) => {
    const left = (fuel!.value as bigint) - FUEL_PER_HOST_CALL - (BigInt(bytes) >> BYTES_PER_FUEL_SHIFT);
    fuel!.value = left;
    if (left < 0n) throw new Stop("fuel");
  };
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
      const bytes = view(ptr, len);
      if (outputLength + len > maxOutputBytes) throw new Stop("output");
      if (outputLength + len > output.length) {
        let capacity = output.length || 1;
        while (capacity < outputLength + len) capacity *= 2;
        const grown = new Uint8Array(Math.min(capacity, maxOutputBytes));
        grown.set(output.subarray(0, outputLength));
        output = grown;
      }
      output.set(bytes, outputLength);
      outputLength += len;
    },
    abort: trap,
  };

  let instance: WasmInstance;
  try {
    instance = new Wasm.Instance(module, { [HOST_MODULE]: host, env: { abort: trap } });
  } catch (error) {
    // Data or element segments out of bounds trap at instantiation, before any fuel is spent.
    if (error instanceof Wasm.RuntimeError) return { status: ExecutionStatus.Trapped, fuelUsed: 0n, output: new Uint8Array() };
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
  const empty = new Uint8Array();
  if (left < 0n) return { status: ExecutionStatus.OutOfFuel, fuelUsed: fuelLimit, output: empty };
  if (!threw) return { status: ExecutionStatus.Ok, fuelUsed: used, output: output.slice(0, outputLength) };
  if (fault.value === FaultCode.HostMemory) {
    throw new ExecutorResourceError({ reason: "memory.grow failed below the page cap (the host is out of memory)" });
  }
  if (thrown instanceof Stop) {
    if (thrown.reason === "output") return { status: ExecutionStatus.OutputTooLarge, fuelUsed: used, output: empty };
    return { status: ExecutionStatus.Trapped, fuelUsed: used, output: empty };
  }
  if (thrown instanceof Wasm.RuntimeError) return { status: ExecutionStatus.Trapped, fuelUsed: used, output: empty };
  // RangeError "Maximum call stack size exceeded": the engine's stack, not the program's budget.
  throw new ExecutorResourceError({ reason: (thrown as Error)?.message ?? String(thrown), cause: thrown });
}
