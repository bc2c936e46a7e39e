// `hardhat hashwork:post-sample [--program montecarlo|mandelbrot|csvstats] [--reward 1] …`: one
// job built from a sample program, posted with the SDK by a local account (default #1).
import { join, resolve } from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Hex } from "viem";

import { postJob, type PostJobReturnType } from "../sdk/src/index.ts";
import { createLocalStore, httpContentUri } from "../sdk/src/store/index.ts";
import { formatToken } from "../scripts/lib/format.ts";
import {
  csvStatsJobs,
  demoDatasets,
  mandelbrotJobs,
  monteCarloJobs,
  type SampleJob,
  type SampleJobTerms,
} from "../scripts/lib/sample-jobs.ts";
import { parseCount, parseTokens, resolveDeployment, taskClients, taskConnection, withOneLineErrors } from "./lib.ts";

export type PostSampleTaskArguments = {
  program: string;
  reward: string;
  requester: string;
  seed: string;
  challengeWindow: string;
  executionTime: string;
  store: string;
  contentUrl: string;
  deploymentId: string;
};

export type PostSampleTaskResult = PostJobReturnType & { job: SampleJob; storeDir: string };

/** A 128×128 image in one tile: one job. */
const SMALL_IMAGE = {
  imageWidth: 128,
  imageHeight: 128,
  tileSize: 128,
  maxIterations: 256,
  reMin: -2.2,
  imMin: -1.5,
  reMax: 0.8,
  imMax: 1.5,
};

export default withOneLineErrors(async function postSampleTask(
  args: PostSampleTaskArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<PostSampleTaskResult> {
  const connection = await taskConnection(hre);
  const deployment = await resolveDeployment(hre, connection, { deploymentId: args.deploymentId || undefined });
  const clients = await taskClients(connection, deployment);
  const client = clients.clientFor(parseCount(args.requester, "requester"));
  const storeDir = resolve(args.store !== "" ? args.store : join(hre.config.paths.cache, "hashwork", "content"));
  const store = createLocalStore({ dir: storeDir });
  // Providers fetch by these URIs and verify by hash: file: URIs of the local store (a daemon on
  // this machine needs `fetch.allowFileUris`), or a content server's when --content-url is given.
  const target = { store, ...(args.contentUrl !== "" ? { uriFor: (h: Hex) => httpContentUri(args.contentUrl, h) } : {}) };
  const terms: SampleJobTerms = {
    reward: parseTokens(args.reward, "reward"),
    executionTime: parseCount(args.executionTime, "execution-time"),
    challengeWindow: parseCount(args.challengeWindow, "challenge-window"),
  };
  let jobs: SampleJob[];
  switch (args.program) {
    case "montecarlo":
      jobs = await monteCarloJobs(target, terms, { seeds: [BigInt(parseCount(args.seed, "seed"))], samples: 1_000_000n });
      break;
    case "mandelbrot":
      jobs = await mandelbrotJobs(target, terms, SMALL_IMAGE);
      break;
    case "csvstats":
      jobs = await csvStatsJobs(target, terms, demoDatasets().slice(0, 1));
      break;
    default:
      throw new Error(`--program must be montecarlo, mandelbrot or csvstats, got "${args.program}"`);
  }
  const job = jobs[0]!;
  // Without --content-url the URIs are file: ones on purpose (a daemon on this machine): the
  // pre-flight checks read them from disk instead of refusing them.
  const posted = await postJob(client, { ...job.spec, preflight: { allowLocal: args.contentUrl === "" } });
  console.log(`Posted ${job.kind} ${job.label} as job ${posted.jobId}`);
  console.log(
    `  requester ${client.walletClient.account!.address}, reward ${formatToken(job.spec.reward)}, fuel limit ${job.spec.fuelLimit}`,
  );
  console.log(`  program ${job.spec.programHash}  ${job.spec.programURI}`);
  console.log(`  input   ${job.spec.inputHash}  ${job.spec.inputURI}`);
  console.log(`  tx ${posted.transactionHash}`);
  return { ...posted, job, storeDir };
});
