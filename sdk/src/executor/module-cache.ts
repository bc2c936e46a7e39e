import { keccak256, type Hex } from "viem";

import { instrumentationKey, type ExecutionLimits } from "./abi.ts";
import { ExecutorClosedError, InstrumentationError } from "./errors.ts";
import { createInstrumenter, type Instrumenter } from "./instrumenter.ts";
import { Wasm, type WasmModule } from "./webassembly.ts";

/** A program ready to run: validated, instrumented and compiled. */
export type PreparedProgram = {
  /** keccak256 of the program's original wasm bytes (the on-chain program hash). */
  programHash: Hex;
  /** The compiled instrumented module (shareable with worker threads). */
  module: WasmModule;
  /** Size of the instrumented module in bytes. */
  instrumentedSize: number;
};

export type ModuleCache = {
  /**
   * The prepared form of `wasm` under `limits`, instrumenting and compiling it on first use.
   * Rejections are cached too, so a retry never pays again: refusals (`InvalidProgramError`,
   * including `ProgramTooLargeError` for the preparation time and memory caps) and instrumenter
   * failures (`InstrumentationError`). Only `ExecutorClosedError` is forgotten. `programHash`:
   * keccak256 of `wasm` when the caller verified the bytes against it (not hashed again; trusted);
   * without it the bytes are hashed, once per `Uint8Array` object.
   */
  prepare(wasm: Uint8Array, limits: ExecutionLimits, programHash?: Hex): Promise<PreparedProgram>;
  /** Starts the instrumentation process now instead of at the first program. */
  warm(): void;
  /** Entries currently held. */
  readonly size: number;
  clear(): void;
};

export type CreateModuleCacheParameters = {
  /** Most programs kept; the least recently used one is evicted first. Default 64. */
  maxEntries?: number;
  /**
   * Where instrumentation runs. Default: one instrumentation worker shared by every cache in the
   * process, started on first use and not keeping the process alive while idle.
   */
  instrumenter?: Instrumenter;
};

let sharedInstrumenter: Instrumenter | undefined;

/** The instrumenter of caches created without one, made on first use. */
function defaultInstrumenter(): Instrumenter {
  sharedInstrumenter ??= createInstrumenter();
  return sharedInstrumenter;
}

/**
 * An LRU cache of instrumented, compiled modules keyed by program hash (keccak256 of the wasm
 * bytes) and the limits baked into the instrumentation, so running the same program again costs
 * neither instrumentation nor compilation. Concurrent requests for one program share the work.
 * Instrumentation runs in a worker thread and compilation in V8's background threads, so the
 * caller's event loop stays free.
 *
 * @example
 * const cache = createModuleCache({ maxEntries: 16 })
 * const { programHash, module } = await cache.prepare(wasm, DEFAULT_LIMITS)
 */
export function createModuleCache({ maxEntries = 64, instrumenter }: CreateModuleCacheParameters = {}): ModuleCache {
  const entries = new Map<string, Promise<PreparedProgram>>();
  // The same bytes handed in again (one job's program prepared before the claim, then run) are
  // not hashed twice: keccak256 of a program was a fifth of a busy daemon's CPU.
  const hashes = new WeakMap<Uint8Array, Hex>();
  const hashOf = (wasm: Uint8Array) => {
    let hash = hashes.get(wasm);
    if (hash === undefined) {
      hash = keccak256(wasm);
      hashes.set(wasm, hash);
    }
    return hash;
  };

  async function build(wasm: Uint8Array, limits: ExecutionLimits, programHash: Hex): Promise<PreparedProgram> {
    const instrumented = await (instrumenter ?? defaultInstrumenter()).instrument(wasm, limits);
    let module: WasmModule;
    try {
      module = await Wasm.compile(instrumented);
    } catch (error) {
      throw new InstrumentationError({ reason: `instrumented module does not compile: ${(error as Error).message}`, cause: error });
    }
    return { programHash, module, instrumentedSize: instrumented.byteLength };
  }

  return {
    prepare(wasm, limits, knownHash) {
      const programHash = knownHash === undefined ? hashOf(wasm) : (knownHash.toLowerCase() as Hex);
      const key = `${programHash}:${instrumentationKey(limits)}`;
      let entry = entries.get(key);
      if (entry) {
        entries.delete(key); // re-insert: most recently used last
        entries.set(key, entry);
        return entry;
      }
      entry = build(wasm, limits, programHash);
      entries.set(key, entry);
      // Keep every rejection (a hostile module must not be paid for twice) except a closed instrumenter.
      entry.catch((error: unknown) => {
        if (error instanceof ExecutorClosedError && entries.get(key) === entry) entries.delete(key);
      });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return entry;
    },
    warm() {
      (instrumenter ?? defaultInstrumenter()).warm();
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
