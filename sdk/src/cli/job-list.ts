/**
 * `hashwork job list`: your jobs (or another requester's), newest first, with their current
 * state, from the market's `JobPosted` events. Your own jobs show short ids (`#<nonce>`), which
 * every command taking a job id accepts.
 */
import type { Address } from "viem";

import { jobStateNames, type JobStateName } from "../abi/enums.ts";
import { UsageError, type Command, type OptionValues } from "./args.ts";
import { connect, connectionOptions, jsonOption } from "./connect.ts";
import { shortJobId } from "./job-ref.ts";
import { keyOptions, loadAccount } from "./keys.ts";
import { formatAmount, formatTable, printJson, printLine, withProgress } from "./output.ts";
import { parseAddress, parseInteger, stringOption, stringsOption } from "./values.ts";

const STATES = jobStateNames.filter((s) => s !== "None");

/** `--state` values (repeated or comma-separated, any case) as state names. */
function parseStates(values: readonly string[]): JobStateName[] | undefined {
  const words = values
    .flatMap((v) => v.split(","))
    .map((w) => w.trim())
    .filter((w) => w !== "");
  if (words.length === 0) return undefined;
  return words.map((word) => {
    const state = STATES.find((s) => s.toLowerCase() === word.toLowerCase());
    if (!state) throw new UsageError(`--state must be one of ${STATES.join(", ")}, got "${word}"`);
    return state;
  });
}

/** The key's account; without a key, a line saying what `job list` needs. */
async function myAddress(options: OptionValues): Promise<Address> {
  try {
    return (await loadAccount(options)).address;
  } catch (error) {
    if (error instanceof UsageError && /signs transactions/.test(error.message))
      throw new UsageError(
        "job list shows your jobs: set HASHWORK_PRIVATE_KEY, pass --key-file FILE (or hashwork init), or pass --requester ADDR",
      );
    throw error;
  }
}

export const jobList: Command = {
  path: ["job", "list"],
  summary: "List your jobs, newest first, with their state and short ids (#<nonce>)",
  options: {
    state: {
      type: "string",
      multiple: true,
      placeholder: "STATE",
      description: `only jobs in these states (comma-separated or repeated): ${STATES.join(", ")}`,
    },
    requester: { type: "string", placeholder: "ADDR", description: "list this requester's jobs instead of your own (no key needed)" },
    limit: { type: "string", placeholder: "N", description: "show at most N jobs (default 50; 0 for all)" },
    ...connectionOptions,
    ...keyOptions,
    ...jsonOption,
  },
  notes: `Your jobs are those posted by your key's account (HASHWORK_PRIVATE_KEY, --key-file, or the profile's
key file). A short id #N is the N-th job that account posted (#0 the first); quote it in a shell,
where # starts a comment: hashwork job status '#3'.`,
  async run(options) {
    const json = options.json === true;
    const states = parseStates(stringsOption(options.state));
    const limit = Number(parseInteger(stringOption(options.limit) ?? "50", "--limit", { max: 1_000_000n }));
    const given = stringOption(options.requester);
    const requester: Address = given !== undefined ? parseAddress(given, "--requester") : await myAddress(options);
    const connection = await connect(options);
    const jobs = await withProgress(`listing the jobs of ${requester}`, json, () => connection.client.listJobs({ requester, states }));
    jobs.reverse();
    const shown = limit === 0 ? jobs : jobs.slice(0, limit);
    const me = given === undefined ? requester : undefined;
    if (json) {
      printJson(
        shown.map((j) => ({
          jobId: j.jobId,
          shortId: shortJobId(j.jobId, me ?? j.requester),
          state: j.state,
          requester: j.requester,
          reward: j.request.reward,
          fuelLimit: j.request.fuelLimit,
          programHash: j.request.programHash,
          inputHash: j.request.inputHash,
          programURI: j.request.programURI,
          inputURI: j.request.inputURI,
          postedBlock: j.postedBlock,
          transactionHash: j.transactionHash,
        })),
      );
      return 0;
    }
    const token = await connection.token();
    printLine(
      formatTable(
        ["id", "state", "reward", "fuel limit", "posted in", "full id"],
        shown.map((j) => [
          shortJobId(j.jobId, me ?? j.requester),
          j.state,
          formatAmount(j.request.reward, token),
          j.request.fuelLimit.toString(),
          `block ${j.postedBlock}`,
          j.jobId.toString(),
        ]),
      ),
    );
    if (shown.length < jobs.length) printLine(`(${jobs.length - shown.length} older jobs not shown; --limit 0 shows all)`);
    return 0;
  },
};
