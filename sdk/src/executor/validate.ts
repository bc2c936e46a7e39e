import { HOST_IMPORTS, MEMORY_EXPORT, RUN_EXPORT, type ExecutionLimits } from "./abi.ts";
import {
  ForbiddenFeatureError,
  ForbiddenImportError,
  MalformedProgramError,
  ProgramAbiError,
} from "./errors.ts";
import { declaredMemories, type DeclaredMemory } from "./wasm-sections.ts";
import { Wasm, type WasmModule } from "./webassembly.ts";

export type ValidateProgramParameters = {
  /** The program's wasm bytes. */
  wasm: Uint8Array;
  limits: ExecutionLimits;
};

export type ValidateProgramReturnType = {
  /** The module's only memory. */
  memory: DeclaredMemory;
};

export type ValidateProgramErrorType =
  | MalformedProgramError
  | ForbiddenImportError
  | ForbiddenFeatureError
  | ProgramAbiError;

/**
 * The first, structural half of program validation: the bytes must compile (the engine's own
 * decoder and validator decide), import only ABI v1 host functions, export `run` and `memory`,
 * and define exactly one 32-bit, unshared memory no larger than the cap. The instrumenter checks
 * signatures and every instruction afterwards.
 *
 * @example
 * const { memory } = validateProgram({ wasm, limits: DEFAULT_LIMITS })
 */
export function validateProgram({ wasm, limits }: ValidateProgramParameters): ValidateProgramReturnType {
  let module: WasmModule;
  try {
    module = new Wasm.Module(wasm);
  } catch (error) {
    throw new MalformedProgramError({ reason: error instanceof Error ? error.message : String(error), cause: error });
  }

  for (const imp of Wasm.Module.imports(module)) {
    const known = HOST_IMPORTS.some((h) => h.module === imp.module && h.name === imp.name);
    if (imp.kind !== "function") {
      throw new ForbiddenImportError({
        module: imp.module,
        field: imp.name,
        reason: `imports a ${imp.kind}; a program may import only the host functions of ABI v1 and must define its own memory`,
      });
    }
    if (!known) {
      throw new ForbiddenImportError({
        module: imp.module,
        field: imp.name,
        reason: `the host provides only ${HOST_IMPORTS.map((h) => `${h.module}.${h.name}`).join(", ")} (no clock, randomness, filesystem or network)`,
      });
    }
  }

  const exports = Wasm.Module.exports(module);
  const run = exports.find((e) => e.name === RUN_EXPORT);
  if (run?.kind !== "function") throw new ProgramAbiError({ problem: `no exported function "${RUN_EXPORT}"` });
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
  return { memory };
}
