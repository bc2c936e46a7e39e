/**
 * Runs the repository's Hardhat in the foreground for `hashwork chain` and `hashwork deploy`:
 * the same Node binary, the repository root as working directory (its `hardhat.config.ts`),
 * SIGINT/SIGTERM forwarded, and the child's exit code returned.
 */
import { spawn, type StdioOptions } from "node:child_process";
import type { Transform, Writable } from "node:stream";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { CliError } from "./errors.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const HARDHAT_CLI = fileURLToPath(new URL("node_modules/hardhat/dist/src/cli.js", `file://${REPO_ROOT}`));

/** Runs `hardhat ...args` until it exits; a stop by a forwarded SIGINT/SIGTERM counts as success (0). */
export function runHardhat(
  args: readonly string[],
  {
    env = process.env,
    stdio = "inherit",
    stdout,
  }: {
    env?: NodeJS.ProcessEnv;
    stdio?: StdioOptions;
    /** Pipe the child's stdout through `through` into `to` (the rest of `stdio` still applies). */
    stdout?: { through: Transform; to: Writable };
  } = {},
): Promise<number> {
  // The installed package (@hashwork/sdk) has no Hardhat project: these commands need a checkout.
  if (!existsSync(HARDHAT_CLI)) {
    return Promise.reject(
      new CliError(
        `this command runs the Hashwork repository's Hardhat project; run it from a checkout (npm install there), not from the installed package`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const streams: StdioOptions = stdout && Array.isArray(stdio) ? [stdio[0], "pipe", stdio[2]] : stdio;
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], { cwd: REPO_ROOT, env, stdio: streams });
    // With a filtered stdout, the exit code is reported once the filter has passed on everything.
    const drained =
      stdout && child.stdout
        ? new Promise<void>((done) => {
            stdout.through.once("end", done);
            child.stdout!.pipe(stdout.through).pipe(stdout.to, { end: false });
          })
        : Promise.resolve();
    let forwarded = false;
    const forward = (signal: NodeJS.Signals) => {
      forwarded = true;
      child.kill(signal);
    };
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.once("error", (error) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      const result = code ?? (forwarded || signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1);
      drained.then(() => resolve(result));
    });
  });
}
