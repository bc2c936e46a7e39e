#!/usr/bin/env node
// The `hashwork` command line (`hashwork …` through bin/hashwork.mjs, or `npm run hashwork -- …`).
// Runs on Node 22's type stripping. Commands are entries in COMMANDS; add one by writing a
// `Command` (see ./args.ts) and listing it. Exit codes: 0 ok, 1 failed, 2 bad usage; every
// failure is one line on stderr.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { helpText, parseArgs, type Command } from "./args.ts";
import { sanitizeForTerminal } from "./output.ts";
import { auditDisputes, auditJob, auditOverview, auditProvider } from "./audit.ts";
import { chain } from "./chain.ts";
import { contentPut, contentServe } from "./content.ts";
import { deploy } from "./deploy.ts";
import { disputeArbitrate, disputeShow, disputeVoid } from "./dispute.ts";
import { describeError, exitCodeOf } from "./errors.ts";
import { govCommands } from "./gov.ts";
import { jobPost } from "./job-post.ts";
import { jobQuote } from "./job-quote.ts";
import { jobResult, jobStatus, jobWait } from "./job-read.ts";
import { init } from "./init.ts";
import { jobList } from "./job-list.ts";
import { jobCancel, jobChallenge } from "./job-write.ts";
import { applyProfile, extractProfileOption, PROFILE_NAME_ENV, selectProfile } from "./profiles.ts";
import { providerRegister, providerStake, providerStatus, providerUnstake, providerWithdraw } from "./provider-account.ts";
import { providerRelease } from "./provider-release.ts";
import { programBuild, programRun } from "./program.ts";
import { providerStart } from "./provider-start.ts";
import { tokenBalance, tokenTransfer, tokenWithdraw } from "./token.ts";
import { verifierBond, verifierShow, verifierWithdraw, verifierWithdrawRequest } from "./verifier.ts";

// The CLI's programmatic entry (`@hashwork/sdk/cli`): its commands, the parser that checks a
// command line against them without running it, and the one-line description it prints for any
// error (Hardhat tasks reuse it), and the toolchain `hashwork program build` runs (C/C++ through
// @yowasp/clang or Debian clang, Rust through Debian rustc).
export { describeError, parseArgs };
export { compileProgram } from "./program-toolchain.ts";

export const COMMANDS: readonly Command[] = [
  init,
  chain,
  deploy,
  jobPost,
  jobList,
  jobQuote,
  jobStatus,
  jobWait,
  jobResult,
  jobCancel,
  jobChallenge,
  disputeShow,
  disputeArbitrate,
  disputeVoid,
  providerStake,
  providerUnstake,
  providerWithdraw,
  providerRelease,
  providerRegister,
  providerStatus,
  providerStart,
  verifierBond,
  verifierWithdrawRequest,
  verifierWithdraw,
  verifierShow,
  auditOverview,
  auditProvider,
  auditJob,
  auditDisputes,
  tokenBalance,
  tokenTransfer,
  tokenWithdraw,
  contentServe,
  contentPut,
  programBuild,
  programRun,
  ...govCommands,
];

export async function main(argv: readonly string[]): Promise<number> {
  try {
    // `--profile NAME` works with every command; the profile fills in unset environment variables.
    const { argv: rest, profile } = extractProfileOption(argv);
    const parsed = parseArgs(COMMANDS, rest);
    if (parsed.kind === "help") {
      process.stdout.write(helpText(COMMANDS, parsed.command, parsed.prefix));
      return 0;
    }
    if (profile !== undefined) process.env[PROFILE_NAME_ENV] = profile;
    if (parsed.command !== init) {
      const selected = await selectProfile(profile);
      if (selected) applyProfile(selected.profile);
    }
    return await parsed.command.run(parsed.options, parsed.args);
  } catch (error) {
    // Errors can quote chain strings (URIs): nothing in them may act on the terminal.
    process.stderr.write(`hashwork: ${sanitizeForTerminal(describeError(error), { multiline: true })}\n`);
    return exitCodeOf(error);
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  // A closed pipe (`hashwork audit --json | head`) is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
