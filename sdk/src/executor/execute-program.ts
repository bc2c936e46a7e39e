import { createExecutor, type CreateExecutorParameters, type ExecutorRunErrorType } from "./executor.ts";
import { createModuleCache, type ModuleCache } from "./module-cache.ts";
import type { ExecutionResult, RunProgramParameters } from "./types.ts";

export type ExecuteProgramParameters = RunProgramParameters & {
  /** V8 limits of the worker. */
  resourceLimits?: CreateExecutorParameters["resourceLimits"];
  /** Instrumented-module cache; defaults to one shared by every `executeProgram` call. */
  cache?: ModuleCache;
};

export type ExecuteProgramReturnType = ExecutionResult;

export type ExecuteProgramErrorType = ExecutorRunErrorType;

let sharedCache: ModuleCache | undefined;

/** The module cache of calls that pass none, made on first use. */
function defaultCache(): ModuleCache {
  sharedCache ??= createModuleCache({ maxEntries: 16 });
  return sharedCache;
}

/**
 * Runs a program once in a fresh worker thread and stops the worker afterwards. For many runs,
 * use `createExecutor`, which keeps its workers.
 *
 * @example
 * const result = await executeProgram({ wasm, input: new TextEncoder().encode("a,b\n1,2\n"), fuelLimit: 10_000_000n })
 * if (result.status === ExecutionStatus.Ok) console.log(new TextDecoder().decode(result.output), result.resultHash)
 */
export async function executeProgram({
  resourceLimits,
  cache = defaultCache(),
  ...run
}: ExecuteProgramParameters): Promise<ExecuteProgramReturnType> {
  const executor = createExecutor({ threads: 1, resourceLimits, cache });
  try {
    return await executor.run(run);
  } finally {
    await executor.close();
  }
}
