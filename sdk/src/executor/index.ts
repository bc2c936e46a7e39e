// The deterministic, fuel-metered WebAssembly executor (program ABI v1 and v2, docs/program-abi.md).
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
export { programAbi, validateProgram } from "./validate.ts";
// One run of an instrumented module in the calling thread: no worker, no wall-clock limit (the
// executor's runs go through `createExecutor`); for benchmarks and embedding. `Wasm` is the global
// WebAssembly typed (the package compiles without the DOM library, which declares it).
export { runInstrumented, type RunInstrumentedParameters, type RunInstrumentedReturnType } from "./run-instrumented.ts";
export { Wasm, type WasmMemory, type WasmModule } from "./webassembly.ts";
export { START_EXPORT, WASI_IMPORTS, WASI_IMPLEMENTED, WASI_LIMITS, WASI_MODULE, Errno as WasiErrno } from "./wasi-abi.ts";
export {
  DEFAULT_ARGV0,
  InvalidBundleError,
  decodeBundle,
  encodeBundle,
  type EncodeBundleParameters,
  type WasiBundle,
} from "./wasi-bundle.ts";
export { MAX_OUT_FILES, OUT_DIR, decodeOutput, encodeOutput } from "./wasi-out.ts";
// The ABI v2 host functions over a decoded bundle (what the executor links a WASI program to);
// exported for embedding, e.g. running a program unmetered beside its metered run.
export { createWasiHost, WASI_FUEL_PER_BUFFER_BYTE, WASI_FUEL_PER_CALL, WASI_FUEL_PER_PATH_BYTE } from "./wasi-host.ts";
