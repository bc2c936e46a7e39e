import { HashworkError } from "../errors/base.ts";
import { UsageError } from "./args.ts";

/** A command failed for a reason worth one line (exit code 1). */
export class CliError extends Error {
  override name = "CliError";
}

/** Exit codes: 0 ok, 1 failed, 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * One line describing `error`, never a stack: usage and CLI errors as they are, SDK errors by
 * their `shortMessage` (decoded contract reverts name the custom error), anything else by its
 * first line.
 */
export function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof CliError) return error.message;
  if (error instanceof HashworkError) return `${error.name}: ${error.shortMessage}`;
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage;
    const text = typeof short === "string" ? short : error.message;
    return `${error.name === "Error" ? "" : `${error.name}: `}${text.split("\n")[0]}`;
  }
  return String(error).split("\n")[0]!;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT.usage : EXIT.failed;
}
