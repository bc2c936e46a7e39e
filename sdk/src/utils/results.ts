import { encodeEventTopics, type Address, type Hash, type Hex } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import type { JobStateName } from "../abi/enums.ts";
import type { HashworkBaseClient } from "./client.ts";
import type { SubmittedJobTerms } from "./job-request.ts";
import { jobStateName } from "./job-state.ts";
import { getDecodedLogs, type BlockRange } from "./logs.ts";

/** A result a provider committed, as told by its `ResultSubmitted` event. */
export type JobResult = {
  jobId: bigint;
  provider: Address;
  /** `keccak256(abi.encode(outputHash, fuelUsed, status))`. */
  resultHash: Hex;
  /** Where the provider serves the output (a hint; the output is verified against `resultHash`). */
  outputURI: string;
  /** Unix time until which the result may be challenged. */
  challengeEnd: bigint;
  /** The terms `finalizeJob` (and the dispute module) settle the job on. */
  terms: SubmittedJobTerms;
  blockNumber: bigint;
  transactionHash: Hash;
};

type ResultSubmittedLog = {
  args: {
    jobId: bigint;
    provider: Address;
    resultHash: Hex;
    reward: bigint;
    collateralPct: number;
    submittedBlock: bigint;
    challengeEnd: bigint;
    outputURI: string;
  };
  blockNumber: bigint | null;
  transactionHash: Hash | null;
};

/** Converts a decoded `ResultSubmitted` log into a `JobResult`. */
export function toJobResult(log: ResultSubmittedLog): JobResult {
  const a = log.args;
  return {
    jobId: a.jobId,
    provider: a.provider,
    resultHash: a.resultHash,
    outputURI: a.outputURI,
    challengeEnd: a.challengeEnd,
    terms: {
      reward: a.reward,
      collateralPct: a.collateralPct,
      provider: a.provider,
      resultHash: a.resultHash,
      submittedBlock: a.submittedBlock,
    },
    blockNumber: log.blockNumber!,
    transactionHash: log.transactionHash!,
  };
}

/**
 * The job's `ResultSubmitted` event, or `undefined` if the job has none in the range. A job is
 * submitted at most once, so there is at most one.
 */
export async function findJobResult(
  client: HashworkBaseClient,
  { jobId, ...range }: BlockRange & { jobId: bigint },
): Promise<JobResult | undefined> {
  const logs = await getDecodedLogs(client, {
    ...range,
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    topics: encodeEventTopics({ abi: hashworkMarketAbi, eventName: "ResultSubmitted", args: { jobId } }),
  });
  const log = logs.findLast((l) => l.eventName === "ResultSubmitted");
  return log ? toJobResult(log as unknown as ResultSubmittedLog) : undefined;
}

/** The job's state, optionally as of a block. */
export async function readJobState(client: HashworkBaseClient, jobId: bigint, blockNumber?: bigint): Promise<JobStateName> {
  const state = await client.publicClient.readContract({
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "jobState",
    args: [jobId],
    blockNumber,
  });
  return jobStateName(state);
}
