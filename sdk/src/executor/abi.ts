import { InvalidExecutionParametersError } from "./errors.ts";

/**
 * Program ABI v1: the constants every honest executor shares. A result hash is reproducible only
 * between executors that use these exact values (and the pinned `binaryen` version that defines
 * the fuel cost model), so changing any of them is a new ABI version. See docs/program-abi.md.
 */

/** Version tag of the program ABI these constants define. */
export const PROGRAM_ABI_VERSION = 1;

/**
 * Version of the metering rules (fuel costs, stack accounting, module limits) within ABI v1.
 * Results computed under different metering versions are not comparable.
 *
 * - 1: the original rules.
 * - 2 (issue 12): host calls cost {@link FUEL_PER_HOST_CALL}; every function that calls another
 *   charges its frame to the stack budget (not only recursive ones), frames include the
 *   expression depth; modules are checked against {@link MODULE_LIMITS} before instrumentation.
 * - 3: a call to a *leaf* function (no loop, no call but to the host, at most 64 expressions;
 *   `leaf-functions.ts`) is paid by its caller at the leaf's costliest path; the leaf charges
 *   nothing itself. Fuel of programs that call leaves differs from version 2.
 */
export const METERING_VERSION = 3;

/** Module name of every host import a program may use. */
export const HOST_MODULE = "hashwork";

/** The function a program exports as its entry point: `() -> ()`. */
export const RUN_EXPORT = "run";
/** The memory a program exports (its only memory, defined by the module, 32-bit, not shared). */
export const MEMORY_EXPORT = "memory";

type ValType = "i32" | "i64";

/** A host import a program may declare, with its exact signature. */
export type HostImport = { module: string; name: string; params: readonly ValType[]; results: readonly ValType[] };

/**
 * Every import a v1 program may declare. `env.abort` is what AssemblyScript emits for `abort()`
 * and failed assertions; like `hashwork.abort`, it ends the run as `Trapped`.
 */
export const HOST_IMPORTS: readonly HostImport[] = [
  { module: HOST_MODULE, name: "input_size", params: [], results: ["i32"] },
  { module: HOST_MODULE, name: "input_read", params: ["i32", "i32", "i32"], results: [] },
  { module: HOST_MODULE, name: "output_write", params: ["i32", "i32"], results: [] },
  { module: HOST_MODULE, name: "abort", params: ["i32", "i32", "i32", "i32"], results: [] },
  { module: "env", name: "abort", params: ["i32", "i32", "i32", "i32"], results: [] },
];

/** Resource caps of a run. On-chain results use {@link DEFAULT_LIMITS}. */
export type ExecutionLimits = {
  /** Most 64 KiB pages the memory may ever hold (initial size included). */
  maxMemoryPages: number;
  /** Most bytes `output_write` may accumulate; one byte more ends the run as `OutputTooLarge`. */
  maxOutputBytes: number;
  /** Most input bytes accepted (larger inputs are refused before running). */
  maxInputBytes: number;
  /** Call-stack budget in slots; deeper recursion traps deterministically. */
  maxStackSlots: number;
};

/** The limits of ABI v1. Two executors agree on a result only if they use the same limits. */
export const DEFAULT_LIMITS: Readonly<ExecutionLimits> = Object.freeze({
  maxMemoryPages: 1024, // 64 MiB
  maxOutputBytes: 8 * 1024 * 1024,
  maxInputBytes: 32 * 1024 * 1024,
  maxStackSlots: 128 * 1024,
});

/** The largest fuel limit a run accepts: a job's `uint64 fuelLimit`. */
export const MAX_FUEL_LIMIT = (1n << 64n) - 1n;

/**
 * The in-module fuel counter is a signed 64-bit integer, so it starts at
 * `min(fuelLimit, MAX_FUEL_COUNTER)`; no run can spend 2^63 fuel, so the cap is never observable.
 */
export const MAX_FUEL_COUNTER = (1n << 63n) - 1n;

/**
 * Fuel cost model. Every instruction costs {@link FUEL_PER_INSTRUCTION}; calls cost
 * {@link FUEL_PER_CALL}; the instructions whose work grows with an operand pay by the byte.
 */
export const FUEL_PER_INSTRUCTION = 1n;
export const FUEL_PER_CALL = 4n;
/**
 * Every host call (`input_size`, `input_read`, `output_write`) also costs this much, charged by
 * the host before it does anything: a call into the host is far dearer than an instruction, and
 * a free call would let a program do unbounded host work (e.g. a million 1-byte writes) for
 * little fuel.
 */
export const FUEL_PER_HOST_CALL = 64n;
/** `memory.copy` / `memory.fill` / `memory.init` / `input_read` / `output_write`: 1 fuel per 16 bytes. */
export const BYTES_PER_FUEL_SHIFT = 4n;
/** A successful `memory.grow` costs this much per page (64 KiB at 1 fuel per 16 bytes). */
export const FUEL_PER_PAGE = 4096n;

/** Slots every frame costs on top of its parameters, locals and expression depth (return address, saved registers). */
export const FRAME_OVERHEAD_SLOTS = 8;

/**
 * Native stack the execution worker gets, in MB. The stack budget (`maxStackSlots`) is charged
 * by every frame that can have another frame above it, and a frame's slot count covers its
 * parameters, locals and operand depth. Measured on Node 22 / V8 x64 (issue 12, by bisecting
 * the budget at which the engine overflows first): at most 8.1 bytes per slot (frames of 1 000
 * i64 or v128 locals; small frames and deep operand stacks use far less than they are charged).
 * 64 MB holds the default budget (128 Ki slots ≈ 1 MB) 60 times over, and the largest budget
 * accepted ({@link MAX_STACK_SLOTS}) about twice. The executor never starts a worker with less.
 */
export const EXECUTION_STACK_MB = 64;

/** The largest `maxStackSlots` a caller may set: 4 Mi slots ≈ 34 MB of engine stack at the measured 8.1 bytes a slot. */
export const MAX_STACK_SLOTS = 1 << 22;

/**
 * Size limits a module must meet before the instrumenter (binaryen) sees it, checked by a linear
 * scan of its sections (`wasm-sections.ts`). They bound the time and memory preparing a module
 * can take (target: under 2 s and 512 MB on a development machine; `npm run bench:hostile`), so
 * a provider never pays much for a job before claiming it. Every refusal is a `ProgramAbiError`
 * naming the limit.
 */
export const MODULE_LIMITS = Object.freeze({
  /** The module's size in bytes. */
  maxModuleBytes: 8 * 1024 * 1024,
  /** The code section's size in bytes (what binaryen works on). */
  maxCodeBytes: 512 * 1024,
  /** One function body's size in bytes. */
  maxFunctionBytes: 256 * 1024,
  /** Defined functions. */
  maxFunctions: 10_000,
  /** Function types. */
  maxTypes: 10_000,
  /** Globals. */
  maxGlobals: 10_000,
  /** Locals of one function (not counting parameters). */
  maxLocalsPerFunction: 10_000,
  /** Locals of all functions together. */
  maxTotalLocals: 250_000,
  /** Nested `block`/`loop`/`if` in one function. */
  maxControlNesting: 10_000,
  /** Table entries (initial size). */
  maxTableEntries: 65_536,
  /** Function indices in all element segments together. */
  maxElementEntries: 65_536,
  /** Data segments. */
  maxDataSegments: 100_000,
  /** Exports. */
  maxExports: 10_000,
});
export type ModuleLimits = typeof MODULE_LIMITS;

/** Names the instrumented module exports for the host (never the program's own names). */
export const INSTRUMENTED_EXPORTS = {
  entry: "__hashwork_entry",
  fuel: "__hashwork_fuel",
  fault: "__hashwork_fault",
  memory: "memory",
} as const;

/** Why instrumented code trapped on purpose, as stored in the fault global. */
export const FaultCode = {
  None: 0,
  /** The call-stack budget ran out: a deterministic trap. */
  StackExhausted: 1,
  /** `memory.grow` failed below the cap: the host ran out of memory, not a program result. */
  HostMemory: 2,
} as const;
export type FaultCode = (typeof FaultCode)[keyof typeof FaultCode];

/** Resolves partial limits against the ABI v1 defaults and checks their ranges. */
export function resolveLimits(limits: Partial<ExecutionLimits> = {}): ExecutionLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  const check = (name: keyof ExecutionLimits, max: number) => {
    const v = resolved[name];
    if (!Number.isSafeInteger(v) || v < 0 || v > max) {
      throw new InvalidExecutionParametersError(`limits.${name} must be an integer in [0, ${max}]`, {
        metaMessages: [`got: ${v}`],
      });
    }
  };
  check("maxMemoryPages", 65536);
  check("maxOutputBytes", 1 << 30);
  check("maxInputBytes", 1 << 30);
  check("maxStackSlots", MAX_STACK_SLOTS);
  return resolved;
}

/** Key for caching an instrumented module: only the limits baked into the code matter. */
export function instrumentationKey(limits: ExecutionLimits): string {
  return `v${PROGRAM_ABI_VERSION}.${METERING_VERSION}:mem=${limits.maxMemoryPages}:stack=${limits.maxStackSlots}`;
}
