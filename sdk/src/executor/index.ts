// The deterministic, fuel-metered WebAssembly executor (program ABI v1, docs/program-abi.md).
export {
  DEFAULT_LIMITS,
  HOST_IMPORTS,
  HOST_MODULE,
  MAX_FUEL_LIMIT,
  PROGRAM_ABI_VERSION,
  resolveLimits,
  type ExecutionLimits,
} from "./abi.ts";
export * from "./errors.ts";
export { executeProgram, type ExecuteProgramParameters, type ExecuteProgramReturnType } from "./execute-program.ts";
export { createExecutor, DEFAULT_TIMEOUT_MS, type CreateExecutorParameters, type Executor } from "./executor.ts";
export { instrumentProgram, type InstrumentProgramParameters } from "./instrument.ts";
export { createInstrumenter, type Instrumenter } from "./instrumenter.ts";
export { createModuleCache, type ModuleCache, type PreparedProgram } from "./module-cache.ts";
export { ExecutionStatus, computeResultHash } from "./result-hash.ts";
export type { ExecutionResult, RunProgramParameters, WorkerResourceLimits } from "./types.ts";
export { validateProgram } from "./validate.ts";
