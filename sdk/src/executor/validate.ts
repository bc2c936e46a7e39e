import { HOST_IMPORTS, MEMORY_EXPORT, MODULE_LIMITS, RUN_EXPORT, type ExecutionLimits, type HostImport, type ModuleLimits } from "./abi.ts";
import { ForbiddenFeatureError, ForbiddenImportError, MalformedProgramError, ProgramAbiError, ProgramTooLargeError } from "./errors.ts";
import {
  ModuleLimitError,
  UnknownOpcodeError,
  declaredMemories,
  scanModule,
  type DeclaredMemory,
  type ModuleStats,
} from "./wasm-sections.ts";
import { START_EXPORT, WASI_IMPORTS, WASI_MODULE } from "./wasi-abi.ts";
import { Wasm, type WasmModule } from "./webassembly.ts";

/** A program's ABI, declared by its imports: v2 when it imports anything from `wasi_snapshot_preview1`. */
export function programAbi(imports: readonly { module: string }[]): { version: 1 | 2; imports: readonly HostImport[]; entry: string } {
  return imports.some((i) => i.module === WASI_MODULE)
    ? { version: 2, imports: WASI_IMPORTS, entry: START_EXPORT }
    : { version: 1, imports: HOST_IMPORTS, entry: RUN_EXPORT };
}

export type ValidateProgramParameters = {
  /** The program's wasm bytes. */
  wasm: Uint8Array;
  limits: ExecutionLimits;
  /** Size limits (tests lower them); on-chain jobs use {@link MODULE_LIMITS}. */
  moduleLimits?: ModuleLimits;
};

export type ValidateProgramReturnType = {
  /** The module's only memory. */
  memory: DeclaredMemory;
  /** Sizes measured by the linear scan. */
  stats: ModuleStats;
  /** 1 (Hashwork's host functions, entry `run`) or 2 (WASI preview 1, entry `_start`). */
  abiVersion: 1 | 2;
};

export type ValidateProgramErrorType =
  | MalformedProgramError
  | ForbiddenImportError
  | ForbiddenFeatureError
  | ProgramAbiError
  | ProgramTooLargeError;

/**
 * The first, structural half of program validation: the module must be within
 * {@link MODULE_LIMITS} (a linear scan of its sections, before the engine compiles it, then of its
 * instructions for control nesting), the bytes must compile (the engine's own decoder and
 * validator decide), import only ABI v1 host functions, export `run` and `memory`, and define
 * exactly one 32-bit, unshared memory no larger than the cap. The instrumenter checks signatures
 * and every instruction afterwards.
 *
 * @example
 * const { memory } = validateProgram({ wasm, limits: DEFAULT_LIMITS })
 */
export function validateProgram({ wasm, limits, moduleLimits = MODULE_LIMITS }: ValidateProgramParameters): ValidateProgramReturnType {
  // Sizes and counts first, before the engine compiles anything. A structure the scanner cannot
  // read is left for the engine to report in its own words.
  scan(wasm, moduleLimits, false);

  let module: WasmModule;
  try {
    module = new Wasm.Module(wasm);
  } catch (error) {
    throw new MalformedProgramError({ reason: error instanceof Error ? error.message : String(error), cause: error });
  }

  const moduleImports = Wasm.Module.imports(module);
  const abi = programAbi(moduleImports);
  for (const imp of moduleImports) {
    const known = abi.imports.some((h) => h.module === imp.module && h.name === imp.name);
    if (imp.kind !== "function") {
      throw new ForbiddenImportError({
        module: imp.module,
        field: imp.name,
        reason: `imports a ${imp.kind}; a program may import only the host functions of ABI v${abi.version} and must define its own memory`,
      });
    }
    if (!known) {
      throw new ForbiddenImportError({
        module: imp.module,
        field: imp.name,
        reason:
          abi.version === 1
            ? `the host provides only ${HOST_IMPORTS.map((h) => `${h.module}.${h.name}`).join(", ")} (no clock, randomness, filesystem or network)`
            : `a program importing ${WASI_MODULE} (ABI v2) may import only WASI preview 1 functions from it, nothing else`,
      });
    }
  }

  // The bytes are valid now: decode every instruction for the nesting limit.
  const stats = scan(wasm, moduleLimits, true)!;

  const exports = Wasm.Module.exports(module);
  const run = exports.find((e) => e.name === abi.entry);
  if (run?.kind !== "function") throw new ProgramAbiError({ problem: `no exported function "${abi.entry}" (ABI v${abi.version})` });
  const memoryExport = exports.find((e) => e.name === MEMORY_EXPORT);
  if (memoryExport?.kind !== "memory") throw new ProgramAbiError({ problem: `no exported memory "${MEMORY_EXPORT}"` });

  let memories: DeclaredMemory[];
  try {
    memories = declaredMemories(wasm);
  } catch (error) {
    throw new MalformedProgramError({ reason: (error as Error).message, cause: error });
  }
  if (memories.length !== 1) {
    throw new ForbiddenFeatureError({ feature: "multiple memories", where: `${memories.length} memories defined` });
  }
  const memory = memories[0]!;
  if (memory.shared) throw new ForbiddenFeatureError({ feature: "threads (shared memory)", where: "memory section" });
  if (memory.memory64) throw new ForbiddenFeatureError({ feature: "memory64", where: "memory section" });
  if (memory.unknownFlags) {
    throw new ForbiddenFeatureError({ feature: `memory limit flags 0x${memory.unknownFlags.toString(16)}`, where: "memory section" });
  }
  if (memory.initialPages > BigInt(limits.maxMemoryPages)) {
    throw new ProgramAbiError({
      problem: `initial memory of ${memory.initialPages} pages exceeds the cap of ${limits.maxMemoryPages} pages`,
    });
  }
  return { memory, stats, abiVersion: abi.version };
}

function scan(wasm: Uint8Array, limits: ModuleLimits, decodeCode: boolean): ModuleStats | undefined {
  try {
    return scanModule(wasm, limits, { decodeCode });
  } catch (error) {
    if (error instanceof ModuleLimitError) {
      throw new ProgramTooLargeError({ limit: error.limit, value: error.value, max: error.max, where: error.message });
    }
    if (error instanceof UnknownOpcodeError)
      throw new ForbiddenFeatureError({ feature: featureOfOpcode(error.opcode), where: error.message });
    if (!decodeCode && error instanceof RangeError) return undefined;
    throw new MalformedProgramError({ reason: (error as Error).message, cause: error });
  }
}

/** The feature an opcode the scanner does not decode belongs to (every one is refused by ABI v1). */
function featureOfOpcode(opcode: string): string {
  const op = Number.parseInt(opcode, 16);
  if (opcode.startsWith("0xfe")) return "threads (atomics)";
  if (opcode.startsWith("0xfb")) return "GC";
  if (opcode.startsWith("0xfc")) return "reference types";
  if ([0x06, 0x07, 0x08, 0x09, 0x0a, 0x18, 0x19, 0x1f].includes(op)) return "exception handling";
  if ([0x12, 0x13, 0x15].includes(op)) return "tail calls";
  if (op === 0x14 || (op >= 0xd3 && op <= 0xd6)) return "typed function references";
  return `opcode ${opcode}`;
}
