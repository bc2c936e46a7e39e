// The deterministic, fuel-metered WebAssembly executor (program ABI v1, docs/program-abi.md).
export {
  DEFAULT_LIMITS,
  EXECUTION_STACK_MB,
  FUEL_PER_HOST_CALL,
  HOST_IMPORTS,
  HOST_MODULE,
  MAX_FUEL_LIMIT,
  MAX_STACK_SLOTS,
  METERING_VERSION,
  MODULE_LIMITS,
  PROGRAM_ABI_VERSION,
  resolveLimits,
  type ExecutionLimits,
  type ModuleLimits,
} from "./abi.ts";
export * from "./errors.ts";
export { executeProgram, type ExecuteProgramParameters, type ExecuteProgramReturnType } from "./execute-program.ts";
export { createExecutor, DEFAULT_TIMEOUT_MS, type CreateExecutorParameters, type Executor } from "./executor.ts";
export { instrumentProgram, type InstrumentProgramParameters } from "./instrument.ts";
export {
  PREPARE_MAX_RSS_MB,
  PREPARE_TIMEOUT_MS,
  createInstrumenter,
  type CreateInstrumenterParameters,
  type Instrumenter,
} from "./instrumenter.ts";
export { createModuleCache, type ModuleCache, type PreparedProgram } from "./module-cache.ts";
export { ExecutionStatus, computeResultHash } from "./result-hash.ts";
export type { ExecutionResult, RunProgramParameters, WorkerResourceLimits } from "./types.ts";
export { validateProgram } from "./validate.ts";
// One run of an instrumented module in the calling thread: no worker, no wall-clock limit (the
// executor's runs go through `createExecutor`); for benchmarks and embedding. `Wasm` is the global
// WebAssembly typed (the package compiles without the DOM library, which declares it).
export { runInstrumented, type RunInstrumentedParameters, type RunInstrumentedReturnType } from "./run-instrumented.ts";
export { Wasm, type WasmMemory, type WasmModule } from "./webassembly.ts";
