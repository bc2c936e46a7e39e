import { writeFile } from "node:fs/promises";

import { outDirOption, writeOutFiles } from "./out-files.ts";

import { ExecutionStatus } from "../executor/result-hash.ts";
import type { JobDetails } from "../actions/auditor/get-job.ts";
import { createLocalStore } from "../store/local.ts";
import type { JobResult } from "../utils/results.ts";
import { UsageError, type Command } from "./args.ts";
import { connect, connectionOptions, jsonOption, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { formatAmount, formatFields, formatTime, printJson, printLine, withProgress } from "./output.ts";
import { fetchAccess, fetchAccessOptions, parseJobId, parseSeconds, stringOption } from "./values.ts";

const idArgument = [{ name: "ID", description: "the job id (decimal or 0x-hex), as `job post` printed it" }] as const;

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

/** `hashwork job status ID` */
export const jobStatus: Command = {
  path: ["job", "status"],
  summary: "Show a job: state, terms, deadline, and its result once submitted",
  args: idArgument,
  options: { ...connectionOptions, ...jsonOption },
  async run(options, args) {
    const jobId = parseJobId(args.ID);
    const { client, token } = await connect(options);
    const job = await client.getJob({ jobId });
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
  args: idArgument,
  options: {
    until: { type: "string", placeholder: "STAGE", description: "submitted (default) or finalized" },
    timeout: { type: "string", placeholder: "DURATION", description: "give up after this long, e.g. 90s or 10m (default: wait forever)" },
    ...connectionOptions,
    ...jsonOption,
  },
  notes: "Exits 1 if the job ends without the awaited outcome (cancelled, expired, timed out…) or the timeout passes.",
  async run(options, args) {
    const jobId = parseJobId(args.ID);
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

/** `hashwork job result ID -o FILE` */
export const jobResult: Command = {
  path: ["job", "result"],
  summary: "Fetch a job's output, verify it against the on-chain result hash, and save it",
  args: idArgument,
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
    ...jsonOption,
  },
  notes: `The output is written only after its hash and the provider's claimed outcome match the committed result hash.
The output URI is the provider's: it is fetched from public addresses only unless --allow-hosts names it
(a local chain: --allow-hosts 127.0.0.1,localhost).`,
  async run(options, args) {
    const jobId = parseJobId(args.ID);
    const file = String(options.output);
    const json = options.json === true;
    if (file === "-" && json) throw new UsageError("-o - and --json both want stdout; pick one");
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
