import {
  ExecutorResourceError,
  ForbiddenFeatureError,
  ForbiddenImportError,
  InstrumentationError,
  MalformedProgramError,
  ProgramAbiError,
  ProgramTooLargeError,
} from "./errors.ts";

/** An executor error flattened for `postMessage` (class instances lose their prototype). */
export type SerializedError =
  | { kind: "MalformedProgramError"; reason: string }
  | { kind: "ForbiddenImportError"; module: string; field: string; reason: string }
  | { kind: "ForbiddenFeatureError"; feature: string; where: string }
  | { kind: "ProgramAbiError"; problem: string }
  | { kind: "ProgramTooLargeError"; limit: string; value: number; max: number; where: string }
  | { kind: "InstrumentationError"; reason: string }
  | { kind: "ExecutorResourceError"; reason: string };

/**
 * Flattens an error thrown in a worker. A `RangeError` (the worker's stack overflowed) becomes a
 * resource error: it depends on the host, so it is not a verdict on the program.
 */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof MalformedProgramError) return { kind: "MalformedProgramError", reason: error.details ?? error.message };
  if (error instanceof ForbiddenImportError) {
    return { kind: "ForbiddenImportError", module: error.module, field: error.field, reason: error.reason };
  }
  if (error instanceof ForbiddenFeatureError) return { kind: "ForbiddenFeatureError", feature: error.feature, where: error.where };
  if (error instanceof ProgramAbiError) return { kind: "ProgramAbiError", problem: error.problem };
  if (error instanceof ProgramTooLargeError) {
    return { kind: "ProgramTooLargeError", limit: error.limit, value: error.value, max: error.max, where: error.where };
  }
  if (error instanceof InstrumentationError) return { kind: "InstrumentationError", reason: error.details ?? error.message };
  if (error instanceof RangeError) return { kind: "ExecutorResourceError", reason: `instrumentation: ${error.message}` };
  return { kind: "InstrumentationError", reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

/** Rebuilds the typed error on the receiving side. */
export function deserializeError(error: SerializedError): Error {
  switch (error.kind) {
    case "MalformedProgramError":
      return new MalformedProgramError({ reason: error.reason });
    case "ForbiddenImportError":
      return new ForbiddenImportError(error);
    case "ForbiddenFeatureError":
      return new ForbiddenFeatureError(error);
    case "ProgramAbiError":
      return new ProgramAbiError(error);
    case "ProgramTooLargeError":
      return new ProgramTooLargeError(error);
    case "InstrumentationError":
      return new InstrumentationError({ reason: error.reason });
    case "ExecutorResourceError":
      return new ExecutorResourceError({ reason: error.reason });
  }
}
