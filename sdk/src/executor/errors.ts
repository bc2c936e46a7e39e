import { HashworkError, type HashworkErrorOptions } from "../errors/base.ts";

/**
 * Base of every refusal to run a program: the module itself is not a valid ABI v1 program.
 * Refusals are deterministic (every honest executor refuses the same bytes), so a daemon can
 * skip the job for good.
 *
 * @example
 * try { await executeProgram({ wasm, input, fuelLimit }) } catch (e) {
 *   if (e instanceof InvalidProgramError) console.error(`refused: ${e.shortMessage}`)
 * }
 */
export class InvalidProgramError extends HashworkError {
  override name = "InvalidProgramError";
}

/**
 * The bytes are not a WebAssembly module (bad magic, truncated section, invalid code…).
 * `details` holds the engine's exact complaint.
 *
 * @example
 * if (e instanceof MalformedProgramError) console.error(e.details)
 */
export class MalformedProgramError extends InvalidProgramError {
  override name = "MalformedProgramError";
  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super("Program is not a valid WebAssembly module", { details: reason, cause });
  }
}

/**
 * The module imports something outside the program ABI (a clock, randomness, WASI, a memory or
 * table, or a known import with the wrong signature).
 *
 * @example
 * if (e instanceof ForbiddenImportError) console.error(`${e.module}.${e.field}: ${e.reason}`)
 */
export class ForbiddenImportError extends InvalidProgramError {
  override name = "ForbiddenImportError";
  readonly module: string;
  readonly field: string;
  readonly reason: string;
  constructor({ module, field, reason }: { module: string; field: string; reason: string }) {
    super(`Program imports "${module}.${field}", which ABI v1 forbids`, { details: reason });
    this.module = module;
    this.field = field;
    this.reason = reason;
  }
}

/**
 * The module uses a WebAssembly feature whose behaviour is not deterministic or not metered
 * (threads and atomics, shared memory, relaxed SIMD, exceptions, GC, tail calls, memory64…).
 * `feature` names it; `where` says where it was found.
 *
 * @example
 * if (e instanceof ForbiddenFeatureError) console.error(`${e.feature} in ${e.where}`)
 */
export class ForbiddenFeatureError extends InvalidProgramError {
  override name = "ForbiddenFeatureError";
  readonly feature: string;
  readonly where: string;
  constructor({ feature, where }: { feature: string; where: string }) {
    super(`Program uses ${feature}, which ABI v1 forbids`, { metaMessages: [`where: ${where}`] });
    this.feature = feature;
    this.where = where;
  }
}

/**
 * The module breaks a structural rule of the ABI: no `run` export or the wrong signature, no
 * exported memory, more than one memory, an initial memory above the cap.
 *
 * @example
 * if (e instanceof ProgramAbiError) console.error(e.problem)
 */
export class ProgramAbiError extends InvalidProgramError {
  override name = "ProgramAbiError";
  readonly problem: string;
  constructor({ problem }: { problem: string }) {
    super(`Program does not follow ABI v1: ${problem}`);
    this.problem = problem;
  }
}

/**
 * The module is over a preparation limit: one of `MODULE_LIMITS` (module or code bytes, function
 * count, locals, control nesting, table size…), checked by a linear scan before the
 * instrumenter sees the module, or the instrumenter's own time and memory caps
 * (`prepareTimeMs`, `prepareMemoryMb`), which bound what a provider pays before claiming a job.
 * `limit` names it, `value` is what the module needed (for the time and memory caps: at least),
 * `max` the limit.
 *
 * @example
 * if (e instanceof ProgramTooLargeError) console.error(`${e.limit}: ${e.value} > ${e.max}`)
 */
export class ProgramTooLargeError extends InvalidProgramError {
  override name = "ProgramTooLargeError";
  readonly limit: string;
  readonly value: number;
  readonly max: number;
  readonly where: string;
  constructor({ limit, value, max, where }: { limit: string; value: number; max: number; where: string }) {
    super(`Program exceeds the preparation limit ${limit} (${value} > ${max})`, { metaMessages: [`where: ${where}`] });
    this.where = where;
    this.limit = limit;
    this.value = value;
    this.max = max;
  }
}

/**
 * The caller passed parameters the executor cannot run with (a fuel limit out of range, limits
 * out of range, an input above `maxInputBytes`).
 *
 * @example
 * if (e instanceof InvalidExecutionParametersError) console.error(e.shortMessage)
 */
export class InvalidExecutionParametersError extends HashworkError {
  override name = "InvalidExecutionParametersError";
  constructor(shortMessage: string, options?: HashworkErrorOptions) {
    super(shortMessage, options);
  }
}

/**
 * Base of every run that ended without a deterministic result: the host, not the program,
 * decided the outcome. Never commit a result for such a run; a daemon skips or retries the job.
 *
 * @example
 * if (e instanceof ExecutionAbortedError) logger.warn("not committing", { reason: e.shortMessage })
 */
export class ExecutionAbortedError extends HashworkError {
  override name = "ExecutionAbortedError";
}

/**
 * The run hit the wall-clock guard. Fuel bounds the work, so this means the machine is slower
 * than the fuel limit assumed (or overloaded); another machine might finish.
 *
 * @example
 * if (e instanceof ExecutionTimeoutError) console.error(`gave up after ${e.timeoutMs} ms`)
 */
export class ExecutionTimeoutError extends ExecutionAbortedError {
  override name = "ExecutionTimeoutError";
  readonly timeoutMs: number;
  constructor({ timeoutMs }: { timeoutMs: number }) {
    super(`Execution exceeded the ${timeoutMs} ms wall-clock limit`, {
      details: "A timeout is not a deterministic result; the run was stopped and nothing was committed.",
    });
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The host ran out of a resource the program could not see: the worker's heap or native stack,
 * memory the operating system refused below the page cap, or the worker died.
 *
 * @example
 * if (e instanceof ExecutorResourceError) console.error(e.details)
 */
export class ExecutorResourceError extends ExecutionAbortedError {
  override name = "ExecutorResourceError";
  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super("Execution aborted: the host ran out of resources", { details: reason, cause });
  }
}

/**
 * The run was cancelled by the caller's `AbortSignal`.
 *
 * @example
 * if (e instanceof ExecutionCancelledError) return
 */
export class ExecutionCancelledError extends ExecutionAbortedError {
  override name = "ExecutionCancelledError";
  constructor({ cause }: { cause?: unknown } = {}) {
    super("Execution cancelled", { cause });
  }
}

/**
 * `run` was called on an executor after `close()`.
 *
 * @example
 * await executor.close(); await executor.run(job) // throws ExecutorClosedError
 */
export class ExecutorClosedError extends HashworkError {
  override name = "ExecutorClosedError";
  constructor() {
    super("Executor is closed");
  }
}

/**
 * Instrumentation produced an invalid module: a bug in the executor, never the program's fault.
 *
 * @example
 * if (e instanceof InstrumentationError) reportBug(e)
 */
export class InstrumentationError extends HashworkError {
  override name = "InstrumentationError";
  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super("Instrumentation failed", { details: reason, cause });
  }
}
