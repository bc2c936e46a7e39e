/**
 * A confirmation before anything that locks a bond or stake (`provider stake`, `verifier bond`,
 * `job challenge`): a yes/no question on the terminal, or `--yes`. Without a terminal to ask on
 * (a script, a pipe) the command is refused unless `--yes` is given, so nothing is locked by a
 * command whose question nobody saw.
 */
import { createInterface } from "node:readline/promises";

import { UsageError, type OptionSpec, type OptionValues } from "./args.ts";
import { CliError } from "./errors.ts";

export const yesOption = {
  yes: { type: "boolean", short: "y", description: "do not ask for confirmation (needed without a terminal)" },
} as const satisfies Record<string, OptionSpec>;

/**
 * Asks `question` (e.g. "Lock 20 HWK as a challenge bond?") unless `--yes`. Refuses (exit 2)
 * without a terminal; a "no" is a failure (exit 1) and nothing is sent.
 */
export async function confirm(options: OptionValues, question: string): Promise<void> {
  if (options.yes === true) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new UsageError(`${question.replace(/\?$/, "")}: pass --yes to confirm (there is no terminal to ask on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError("not confirmed; nothing was sent");
  } finally {
    rl.close();
  }
}
