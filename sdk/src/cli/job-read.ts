import { accessSync, constants, existsSync, statSync, type Stats } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import { outDirOption, writeOutFiles } from "./out-files.ts";

import { ExecutionStatus } from "../executor/result-hash.ts";
import type { JobDetails } from "../actions/auditor/get-job.ts";
import type { HashworkClient } from "../client.ts";
import { WaitTimeoutError } from "../errors/sdk.ts";
import { createLocalStore } from "../store/local.ts";
import type { JobRequest } from "../utils/job-request.ts";
import type { JobResult } from "../utils/results.ts";
import { UsageError, type Command } from "./args.ts";
import { connect, connectionOptions, jsonOption, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { jobIdArgument, resolveJobId } from "./job-ref.ts";
import { keyOptions } from "./keys.ts";
import { formatAmount, formatFields, formatTime, printJson, printLine, withProgress } from "./output.ts";
import { fetchAccess, fetchAccessOptions, parseSeconds, stringOption } from "./values.ts";

const STATUS_NAMES = Object.fromEntries(Object.entries(ExecutionStatus).map(([k, v]) => [v, k])) as Record<number, string>;

export function resultFields(result: JobResult): [string, string | undefined][] {
  return [
    ["result hash", result.resultHash],
    ["output URI", result.outputURI],
    ["challenge until", formatTime(result.challengeEnd)],
    ["submitted in", `block ${result.blockNumber} (${result.transactionHash})`],
  ];
}

export function jobFields(job: JobDetails, token: TokenInfo): [string, string | undefined][] {
  return [
    ["job", job.jobId.toString()],
    ["state", job.state],
    ["requester", job.requester],
    ["provider", /^0x0{40}$/.test(job.provider) ? "(any)" : job.provider],
    ["reward", formatAmount(job.reward, token)],
    ["collateral", `${formatAmount(job.collateral, token)} (${job.collateralPct}%)`],
    ["deadline", formatTime(job.deadline)],
    ["execution time", `${job.executionTime}s`],
    ["challenge window", `${job.challengeWindow}s`],
    ["min reputation", job.minReputation.toString()],
    ...(job.result ? resultFields(job.result) : []),
  ];
}

/**
 * From submission on the market keeps only a commitment to the job's terms, so the record's
 * windows and minimum reputation read as zero; the request as posted (the `JobPosted` event)
 * still has them.
 */
export async function withPostedTerms(client: HashworkClient, job: JobDetails): Promise<JobDetails> {
  if (!termsCommitted(job)) return job;
  return termsAsPosted(job, await client.getJobHistory({ jobId: job.jobId }));
}

/** Whether the record's windows read as zero (a job past submission) and need the posted request. */
const termsCommitted = (job: JobDetails) => job.state !== "None" && job.executionTime === 0 && job.challengeWindow === 0;

/** `job` with its windows and minimum reputation from the `JobPosted` event in `history` (for callers holding it already). */
export function termsAsPosted(job: JobDetails, history: readonly { eventName: string; args: unknown }[]): JobDetails {
  if (!termsCommitted(job)) return job;
  const posted = history.find((e) => e.eventName === "JobPosted");
  if (!posted) return job;
  const request = (posted.args as { request: JobRequest }).request;
  return {
    ...job,
    executionTime: Number(request.executionTime),
    challengeWindow: Number(request.challengeWindow),
    minReputation: Number(request.minReputation),
  };
}

/** `hashwork job status ID` */
export const jobStatus: Command = {
  path: ["job", "status"],
  summary: "Show a job: state, terms, deadline, and its result once submitted",
  args: jobIdArgument,
  options: { ...connectionOptions, ...keyOptions, ...jsonOption },
  async run(options, args) {
    const jobId = await resolveJobId(args.ID, options);
    const { client, token } = await connect(options);
    const job = await withPostedTerms(client, await client.getJob({ jobId }));
    if (job.state === "None") throw new CliError(`no job ${jobId} on this market`);
    if (options.json === true) {
      printJson(job);
      return 0;
    }
    printLine(formatFields(jobFields(job, await token())));
    return 0;
  },
};

/** `hashwork job wait ID` */
export const jobWait: Command = {
  path: ["job", "wait"],
  summary: "Wait until a job has a result (or, with --until finalized, until it is final)",
  args: jobIdArgument,
  options: {
    until: { type: "string", placeholder: "STAGE", description: "submitted (default) or finalized" },
    timeout: { type: "string", placeholder: "DURATION", description: "give up after this long, e.g. 90s or 10m (default: wait forever)" },
    ...connectionOptions,
    ...keyOptions,
    ...jsonOption,
  },
  notes: "Exits 1 if the job ends without the awaited outcome (cancelled, expired, timed out…) or the timeout passes.",
  async run(options, args) {
    const jobId = await resolveJobId(args.ID, options);
    const until = stringOption(options.until) ?? "submitted";
    if (until !== "submitted" && until !== "finalized") throw new UsageError(`--until must be submitted or finalized, got "${until}"`);
    const timeout = options.timeout === undefined ? undefined : parseSeconds(stringOption(options.timeout), "--timeout") * 1000;
    const json = options.json === true;
    const { client } = await connect(options);
    const state = await client.getJob({ jobId, includeResult: false });
    if (state.state === "None") throw new CliError(`no job ${jobId} on this market`);
    const outcome = await withProgress(`${state.state}, waiting until ${until}: job ${jobId}`, json, async (progress) => {
      // On a terminal, the spinner follows the job's state (Open → Claimed → Submitted …).
      const follow = progress.enabled
        ? setInterval(() => {
            client.getJob({ jobId, includeResult: false }).then(
              (now) => progress.update(`${now.state}, waiting until ${until}: job ${jobId}`),
              () => {},
            );
          }, 2000)
        : undefined;
      try {
        return await client.waitForResult({ jobId, until, timeout });
      } catch (error) {
        if (!(error instanceof WaitTimeoutError)) throw error;
        // Say where the job actually is, not what was awaited.
        const now = await client.getJob({ jobId, includeResult: false });
        throw new CliError(
          `timed out after ${stringOption(options.timeout)} waiting until job ${jobId} is ${until}: it is ${now.state}${stateHint(now)}`,
        );
      } finally {
        clearInterval(follow);
      }
    });
    if (json) {
      printJson(outcome);
      return 0;
    }
    printLine(`Job ${jobId} is ${outcome.state}`);
    printLine(formatFields(resultFields(outcome.result)));
    return 0;
  },
};

/** Why a job is still in `job.state`: its deadline, when it has one. */
function stateHint(job: JobDetails): string {
  if (job.deadline === 0n) return "";
  const what: Partial<Record<string, string>> = {
    Open: "unclaimed; claim deadline",
    Claimed: "claimed by a provider; execution deadline",
    Submitted: "result submitted; challenge window ends",
    Disputed: "disputed; dispute deadline",
  };
  const label = what[job.state];
  return label ? ` (${label} ${formatTime(job.deadline)})` : "";
}

/** `-o FILE` must be writable before anything is fetched: its folder exists and is a folder. */
function checkWritable(file: string): void {
  const dir = dirname(resolve(file));
  let info: Stats;
  try {
    info = statSync(dir);
  } catch {
    throw new UsageError(`-o ${file}: the folder ${dir} does not exist`);
  }
  if (!info.isDirectory()) throw new UsageError(`-o ${file}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`-o ${file}: the folder ${dir} is not writable`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`-o ${file} is a folder; name a file`);
}

/** `hashwork job result ID -o FILE` */
export const jobResult: Command = {
  path: ["job", "result"],
  summary: "Fetch a job's output, verify it against the on-chain result hash, and save it",
  args: jobIdArgument,
  options: {
    output: {
      type: "string",
      short: "o",
      required: true,
      placeholder: "FILE",
      description: "where to write the verified output (- for stdout)",
    },
    store: { type: "string", placeholder: "DIR", description: "a local content store to look in before fetching the output URI" },
    "allow-file-uris": { type: "boolean", description: "also fetch file:// output URIs (a provider on this machine)" },
    ...outDirOption,
    ...fetchAccessOptions,
    ...connectionOptions,
    ...keyOptions,
    ...jsonOption,
  },
  notes: `The output is written only after its hash and the provider's claimed outcome match the committed result hash.
The output URI is the provider's: it is fetched from public addresses only unless --allow-hosts names it
(a local chain: --allow-hosts 127.0.0.1,localhost).`,
  async run(options, args) {
    const jobId = await resolveJobId(args.ID, options);
    const file = String(options.output);
    const json = options.json === true;
    if (file === "-" && json) throw new UsageError("-o - and --json both want stdout; pick one");
    if (file !== "-") checkWritable(file);
    const access = fetchAccess(options);
    const { client } = await connect(options);
    const store = typeof options.store === "string" ? createLocalStore({ dir: options.store }) : undefined;
    const fetched = await withProgress(`fetching the output of job ${jobId}`, json, () =>
      client.fetchJobOutput({ jobId, store, fetch: access }),
    );
    if (file === "-") process.stdout.write(fetched.output);
    else await writeFile(file, fetched.output);
    // The whole verified output goes to FILE (its hash is the committed one); --out-dir unpacks /out.
    const outDir = typeof options["out-dir"] === "string" ? options["out-dir"] : undefined;
    const outFiles = outDir === undefined ? [] : await writeOutFiles(fetched.output, outDir);
    const status = STATUS_NAMES[fetched.outcome.status] ?? String(fetched.outcome.status);
    if (json) {
      printJson({
        jobId,
        file,
        bytes: fetched.output.byteLength,
        status,
        exitCode: fetched.outcome.exitCode ?? 0,
        fuelUsed: fetched.outcome.fuelUsed,
        outputHash: fetched.outcome.outputHash,
        resultHash: fetched.result.resultHash,
        verified: true,
        ...(outDir === undefined ? {} : { outFiles }),
      });
    } else if (file !== "-") {
      printLine(
        `Verified output of job ${jobId}: ${fetched.output.byteLength} bytes, status ${status}${fetched.outcome.exitCode ? ` (exit code ${fetched.outcome.exitCode})` : ""}, fuel ${fetched.outcome.fuelUsed} → ${file}`,
      );
    }
    return 0;
  },
};
