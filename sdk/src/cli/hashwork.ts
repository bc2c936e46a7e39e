#!/usr/bin/env node
// The `hashwork` command line (`npm run hashwork -- <command>`). Runs on Node 22's type stripping.
// Commands are entries in COMMANDS; add one by writing a `Command` (see ./args.ts) and listing it.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { errorMessage } from "../daemon/errors.ts";
import { helpText, parseArgs, UsageError, type Command } from "./args.ts";
import { providerStart } from "./provider-start.ts";

export const COMMANDS: readonly Command[] = [providerStart];

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(COMMANDS, argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`hashwork: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.kind === "help") {
    process.stdout.write(helpText(COMMANDS, parsed.command, parsed.prefix));
    return 0;
  }
  return parsed.command.run(parsed.options);
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`hashwork: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
