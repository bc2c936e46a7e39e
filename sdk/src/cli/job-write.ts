import type { Hex } from "viem";

import { hashworkDisputesAbi } from "../abi/hashwork-disputes.ts";
import type { ChallengeJobProgress } from "../actions/requester/challenge-job.ts";
import { getDisputesAddress } from "../actions/shared/disputes.ts";

import { executeProgram } from "../executor/execute-program.ts";
import { fetchVerified } from "../store/fetch-verified.ts";
import { createLocalStore } from "../store/local.ts";
import type { JobRequest } from "../utils/job-request.ts";
import type { Command } from "./args.ts";
import { confirm, yesOption } from "./confirm.ts";
import { connect, jsonOption, writeOptions, type Connection } from "./connect.ts";
import { CliError } from "./errors.ts";
import { formatAmount, formatFields, printJson, printLine, withProgress, type Progress } from "./output.ts";
import { jobIdArgument, resolveJobId } from "./job-ref.ts";
import { fetchAccess, fetchAccessOptions, parseHash, parseSeconds, stringOption } from "./values.ts";

/** `hashwork job cancel ID` */
export const jobCancel: Command = {
  path: ["job", "cancel"],
  summary: "Cancel your unclaimed (Open) job; the reward returns to your market balance",
  args: jobIdArgument,
  options: { ...writeOptions, ...jsonOption },
  async run(options, args) {
    const json = options.json === true;
    const connection = await connect(options, { sign: true });
    const jobId = await resolveJobId(args.ID, options, connection.account);
    const job = await connection.client.getJob({ jobId, includeResult: false });
    if (job.state === "None") throw new CliError(`no job ${jobId} on this market`);
    if (job.state !== "Open") throw new CliError(`job ${jobId} is ${job.state}; only an Open job can be cancelled`);
    if (job.requester !== connection.account)
      throw new CliError(`job ${jobId} was posted by ${job.requester}, not by ${connection.account}`);
    const { refund, transactionHash } = await withProgress(`cancelling job ${jobId}`, json, () => connection.client.cancelJob({ jobId }));
    if (json) {
      printJson({ jobId, state: "Cancelled", refund, transactionHash });
      return 0;
    }
    printLine(
      `Cancelled job ${jobId}; ${formatAmount(refund, await connection.token())} credited to your market balance (${transactionHash})`,
    );
    return 0;
  },
};

/** The dispute module's challenge bond, for the confirmation. */
async function challengeBond(connection: Connection): Promise<bigint> {
  const { client } = connection;
  const config = await client.publicClient.readContract({
    address: await getDisputesAddress(client),
    abi: hashworkDisputesAbi,
    functionName: "config",
  });
  return config.challengeBond;
}

/** The job's request, from its `JobPosted` event. */
async function postedRequest(connection: Connection, jobId: bigint): Promise<JobRequest> {
  const history = await connection.client.getJobHistory({ jobId });
  const posted = history.find((e) => e.eventName === "JobPosted");
  if (!posted) throw new CliError(`no JobPosted event for job ${jobId}`);
  return posted.args.request as JobRequest;
}

/**
 * Runs the job locally as its request describes it (program and input fetched by URI, or from
 * `storeDir`, and verified by hash) and returns the honest result hash.
 */
async function reexecuteJob(
  jobId: bigint,
  request: JobRequest,
  {
    storeDir,
    access,
    timeoutMs,
  }: { storeDir?: string; access: { allowFileUris: boolean; allowHosts: string[]; ipfsGateways?: string[] }; timeoutMs: number },
) {
  const store = storeDir ? createLocalStore({ dir: storeDir }) : undefined;
  const fetchOne = async (uri: string, hash: Hex, what: string) => {
    if (store && (await store.has(hash))) return store.get(hash);
    if (!uri) throw new CliError(`the job's ${what} has no URI; pass --store DIR holding it`);
    return fetchVerified(uri, hash, access);
  };
  const [wasm, input] = await Promise.all([
    fetchOne(request.programURI, request.programHash, "program"),
    fetchOne(request.inputURI, request.inputHash, "input"),
  ]);
  return executeProgram({ wasm, input, fuelLimit: request.fuelLimit, jobId, timeoutMs });
}

/** One progress line per step of a challenge (and the spinner's text for the next one). */
function reportStep(progress: Progress, step: ChallengeJobProgress, jobId: bigint, challengerHash: Hex): void {
  switch (step.step) {
    case "committed":
      progress.log(`Committed the challenge in block ${step.commitBlock} (${step.transactionHash})`);
      progress.log(`  if interrupted, reveal with: hashwork job challenge ${jobId} --hash ${challengerHash} --salt ${step.salt}`);
      progress.update(`revealing the challenge of job ${jobId}`);
      return;
    case "approved":
      progress.log(`Approved the bond (${step.transactionHash})`);
      return;
    case "waiting":
      progress.log(`Waiting for a block after ${step.commitBlock} to reveal`);
      return;
    case "revealing":
      progress.log(`Revealing the challenge (posting the bond)`);
      return;
  }
}

/** `hashwork job challenge ID` */
export const jobChallenge: Command = {
  path: ["job", "challenge"],
  summary: "Re-execute a submitted job locally and challenge its result if it differs (commit, then reveal with the bond)",
  args: jobIdArgument,
  options: {
    hash: { type: "string", placeholder: "HASH", description: "challenge with this result hash instead of re-executing" },
    salt: {
      type: "string",
      placeholder: "HEX",
      description: "reveal the commitment made earlier with this salt (an interrupted challenge) instead of committing anew",
    },
    store: { type: "string", placeholder: "DIR", description: "a local content store to take program and input from first" },
    "allow-file-uris": { type: "boolean", description: "also fetch file:// program and input URIs" },
    ...fetchAccessOptions,
    "exec-timeout": { type: "string", placeholder: "DURATION", description: "wall-clock limit of the local run (default 5m)" },
    ...yesOption,
    ...writeOptions,
    ...jsonOption,
  },
  notes: `Without --hash the job is run locally with the SDK executor, exactly as a verifier would; if the
result matches the provider's, nothing is sent and the command exits 1. A challenge is two
transactions: a commitment (which hides the job and your hash and binds your address), then, in a
later block, the reveal, which opens the dispute; each step prints a line. If the command is
interrupted between them, run it again with the printed --salt to reveal. The dispute module's
bond is approved from your wallet and lost if the committee sides with the provider. Program and
input URIs are fetched from public addresses only unless --allow-hosts names their host (a local
chain: --allow-hosts 127.0.0.1,localhost).`,
  async run(options, args) {
    const json = options.json === true;
    const given = options.hash === undefined ? undefined : parseHash(String(options.hash), "--hash");
    const salt = options.salt === undefined ? undefined : parseHash(String(options.salt), "--salt");
    const timeoutMs = parseSeconds(stringOption(options["exec-timeout"]) ?? "5m", "--exec-timeout") * 1000;
    const access = fetchAccess(options);
    const connection = await connect(options, { sign: true });
    const jobId = await resolveJobId(args.ID, options, connection.account);
    const { client } = connection;
    const job = await client.getJob({ jobId });
    if (job.state === "None") throw new CliError(`no job ${jobId} on this market`);
    if (job.state !== "Submitted" || !job.result)
      throw new CliError(`job ${jobId} is ${job.state}; only a Submitted job can be challenged`);
    const providerHash = job.result.resultHash.toLowerCase() as Hex;
    let challengerHash = given;
    let local: { status: number; fuelUsed: bigint; outputHash: Hex } | undefined;
    if (!challengerHash) {
      const request = await postedRequest(connection, jobId);
      const run = await withProgress(`re-executing job ${jobId}`, json, () =>
        reexecuteJob(jobId, request, { storeDir: stringOption(options.store), access, timeoutMs }),
      );
      local = { status: run.status, fuelUsed: run.fuelUsed, outputHash: run.outputHash };
      challengerHash = run.resultHash.toLowerCase() as Hex;
    }
    if (challengerHash === providerHash) {
      throw new CliError(
        given
          ? `--hash equals the provider's result hash; nothing to challenge`
          : `the provider's result matches a local re-execution (${providerHash}); not challenging`,
      );
    }
    const hash = challengerHash;
    const token = await connection.token();
    const bond = await challengeBond(connection);
    await confirm(
      options,
      `Challenge job ${jobId} with result hash ${hash}? It posts a bond of ${formatAmount(bond, token)}, lost if the committee sides with the provider`,
    );
    const challenged = await withProgress(
      salt ? `revealing the challenge of job ${jobId}` : `committing a challenge of job ${jobId}`,
      json,
      (progress) =>
        client.challengeJob({
          jobId,
          challengerHash: hash,
          salt,
          terms: job.result!.terms,
          onProgress: (step) => reportStep(progress, step, jobId, hash),
        }),
    );
    const d = challenged.dispute;
    if (json) {
      printJson({
        jobId,
        providerHash: d.providerHash,
        challengerHash: d.challengerHash,
        local,
        bond: d.bond,
        seedBlock: d.seedBlock,
        commitment: challenged.commitment,
        salt: challenged.salt,
        commitTransactionHash: challenged.commitTransactionHash,
        approvalTransactionHash: challenged.approvalTransactionHash,
        transactionHash: challenged.transactionHash,
      });
      return 0;
    }
    printLine(`Challenged job ${jobId}: the provider committed ${d.providerHash}, you claim ${d.challengerHash}`);
    printLine(
      formatFields([
        ["bond", formatAmount(d.bond, token)],
        ["committee seed block", d.seedBlock.toString()],
        ["transaction", challenged.transactionHash],
      ]),
    );
    printLine(`Follow it with: hashwork audit job ${jobId}`);
    return 0;
  },
};
