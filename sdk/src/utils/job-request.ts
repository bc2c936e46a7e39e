import { zeroAddress, type Address, type ContractFunctionArgs, type Hex } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import {
  MarketInvalidChallengeWindowError,
  MarketInvalidExecutionTimeError,
  MarketUnknownProviderError,
} from "../errors/contract-errors.ts";
import { InvalidParameterError, JobValueOutOfBoundsError } from "../errors/sdk.ts";
import type { HashworkBaseClient } from "./client.ts";

/** The `JobRequest` struct exactly as `postJob` takes it. */
export type JobRequest = ContractFunctionArgs<typeof hashworkMarketAbi, "nonpayable", "postJob">[0];

/** The `SubmittedJob` terms `finalizeJob` (and the dispute module) settle a job on. */
export type SubmittedJobTerms = ContractFunctionArgs<typeof hashworkMarketAbi, "nonpayable", "finalizeJob">[1];

/** Default time a job stays claimable when no `claimDeadline` is given: one hour. */
export const DEFAULT_CLAIM_WINDOW = 3600;

/**
 * Default collateral when a spec gives none: 100% of the reward (the lowest the default market
 * parameters accept; they allow 100 to 300).
 */
export const DEFAULT_COLLATERAL_PCT = 100;

/** What a requester asks for; the SDK fills in the defaults and builds the `JobRequest`. */
export type JobSpec = {
  /** keccak256 of the wasm program's bytes. */
  programHash: Hex;
  /** keccak256 of the input bytes. */
  inputHash: Hex;
  /** Where providers fetch the program (content is verified by hash). Default: "". */
  programURI?: string | undefined;
  /** Where providers fetch the input. Default: "". */
  inputURI?: string | undefined;
  /** Fuel the program may burn before it ends with OutOfFuel. */
  fuelLimit: bigint;
  /**
   * Tokens paid to the provider on success (the protocol fee comes out of it). At least the
   * market's `minReward` (0.01 token with the default parameters).
   */
  reward: bigint;
  /**
   * Collateral the provider locks, in percent of the reward: within the market's
   * [`minCollateralPct`, `maxCollateralPct`] (100 to 300 with the default parameters; zero is
   * never accepted). Default: `DEFAULT_COLLATERAL_PCT` (100).
   */
  collateralPct?: number | undefined;
  /**
   * Unix time (seconds) after which an unclaimed job can be expired. Default: the latest block's
   * timestamp plus `DEFAULT_CLAIM_WINDOW`.
   */
  claimDeadline?: bigint | number | undefined;
  /** Seconds the provider has between claim and submit. */
  executionTime: number;
  /** Seconds during which a submitted result may be challenged. */
  challengeWindow: number;
  /**
   * Minimum provider score (0–10000) allowed to claim. Default: 0 (anyone).
   *
   * The score is relative to THIS job's reward: `scoreFor(provider, reward)` =
   * `10000 * feesPaid / (feesPaid + reward * (1 + 2 * timedOut + 5 * disputesLost))`, where
   * `feesPaid` is the protocol fees the provider paid on its completed jobs. A newcomer (no fees
   * paid) scores 0 for every job, so any gate above 0 shuts it out; the same provider scores
   * lower on a larger job. Reaching score S on a job of reward R takes at least
   * `R * S / (10000 - S)` in fees, so a gate of 5,000 costs as much as the job pays and gates
   * above 5,000 cost more than the job to buy.
   */
  minReputation?: number | undefined;
  /** The only provider allowed to claim. Default: anyone. */
  designatedProvider?: Address | undefined;
};

function checkUint(parameter: string, value: bigint | number, bits: number): void {
  const v = BigInt(value);
  if (v < 0n || v >> BigInt(bits) !== 0n) {
    throw new InvalidParameterError({ parameter, reason: `must fit in uint${bits}, got ${v}` });
  }
}

/** Builds the on-chain `JobRequest` from a spec (checking value ranges, filling defaults). */
export async function toJobRequest(client: HashworkBaseClient, spec: JobSpec, parameter = "job"): Promise<JobRequest> {
  let claimDeadline = spec.claimDeadline;
  if (claimDeadline === undefined) {
    const block = await client.publicClient.getBlock({ blockTag: "latest" });
    claimDeadline = block.timestamp + BigInt(DEFAULT_CLAIM_WINDOW);
  }
  const request: JobRequest = {
    programHash: spec.programHash,
    inputHash: spec.inputHash,
    fuelLimit: spec.fuelLimit,
    reward: spec.reward,
    collateralPct: spec.collateralPct ?? DEFAULT_COLLATERAL_PCT,
    claimDeadline: Number(claimDeadline),
    executionTime: spec.executionTime,
    challengeWindow: spec.challengeWindow,
    minReputation: spec.minReputation ?? 0,
    designatedProvider: spec.designatedProvider ?? zeroAddress,
    programURI: spec.programURI ?? "",
    inputURI: spec.inputURI ?? "",
  };
  checkUint(`${parameter}.fuelLimit`, request.fuelLimit, 64);
  checkUint(`${parameter}.reward`, request.reward, 96);
  checkUint(`${parameter}.collateralPct`, request.collateralPct, 16);
  checkUint(`${parameter}.claimDeadline`, BigInt(claimDeadline), 40);
  checkUint(`${parameter}.executionTime`, request.executionTime, 24);
  checkUint(`${parameter}.challengeWindow`, request.challengeWindow, 24);
  checkUint(`${parameter}.minReputation`, request.minReputation, 16);
  for (const key of ["programHash", "inputHash"] as const) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(request[key])) {
      throw new InvalidParameterError({ parameter: `${parameter}.${key}`, reason: "must be a 32-byte hex hash" });
    }
  }
  return request;
}

/** The market's bounds on a job's value (`config()`): what `postJob` and `postJobs` check before sending. */
export type JobValueBounds = {
  /** Smallest reward a job may pay, in token base units. */
  minReward: bigint;
  /** Collateral range, in percent of the reward (inclusive). */
  minCollateralPct: number;
  maxCollateralPct: number;
  /** Execution time and challenge window ranges, in seconds (inclusive); unchecked when absent. */
  executionTime?: { min: number; max: number } | undefined;
  challengeWindow?: { min: number; max: number } | undefined;
};

/** Reads the market's bounds on a job (`config()`: reward, collateral, execution time, challenge window) at `blockNumber` (default latest). */
export async function getJobValueBounds(
  client: HashworkBaseClient,
  { blockNumber }: { blockNumber?: bigint | undefined } = {},
): Promise<JobValueBounds> {
  const config = await client.publicClient.readContract({
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "config",
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
  return {
    minReward: config.minReward,
    minCollateralPct: config.minCollateralPct,
    maxCollateralPct: config.maxCollateralPct,
    executionTime: { min: config.minExecutionTime, max: config.maxExecutionTime },
    challengeWindow: { min: config.minChallengeWindow, max: config.maxChallengeWindow },
  };
}

/**
 * Throws `JobValueOutOfBoundsError` when a job's reward is below `bounds.minReward` or its
 * collateralPct is outside [`minCollateralPct`, `maxCollateralPct`] — the checks the market makes
 * (`MarketRewardTooLow`, `MarketInvalidCollateral`), made before anything is sent. `parameter`
 * prefixes the name in the error (e.g. `jobs[2]`).
 */
export function checkJobValue(bounds: JobValueBounds, job: { reward: bigint; collateralPct: number }, parameter = "job"): void {
  if (job.reward < bounds.minReward) {
    throw new JobValueOutOfBoundsError({ parameter: `${parameter}.reward`, field: "reward", value: job.reward, minimum: bounds.minReward });
  }
  if (job.collateralPct < bounds.minCollateralPct || job.collateralPct > bounds.maxCollateralPct) {
    throw new JobValueOutOfBoundsError({
      parameter: `${parameter}.collateralPct`,
      field: "collateralPct",
      value: job.collateralPct,
      minimum: bounds.minCollateralPct,
      maximum: bounds.maxCollateralPct,
    });
  }
}

/**
 * The collateral a provider locks for a job, as the market computes it
 * (`PayoutMath.collateral`: `reward * collateralPct / 100`, rounded up).
 */
export function collateralOf(reward: bigint, collateralPct: number | bigint): bigint {
  return (reward * BigInt(collateralPct) + 99n) / 100n;
}

/**
 * The market's checks of a job's terms that it makes only after pulling the payment (execution
 * time, challenge window, designated provider), made here before anything is sent: a dry run
 * without an allowance cannot see past the pull, so a refused post would otherwise leave its
 * approve behind. Throws the market's own errors (`MarketInvalidExecutionTimeError`,
 * `MarketInvalidChallengeWindowError`, `MarketUnknownProviderError`), as the chain would.
 */
export async function checkJobTerms(
  client: HashworkBaseClient,
  bounds: JobValueBounds,
  jobs: readonly { executionTime: number; challengeWindow: number; designatedProvider: Address }[],
): Promise<void> {
  const contractAddress = client.deployment.market;
  for (const job of jobs) {
    const e = bounds.executionTime;
    if (e && (job.executionTime < e.min || job.executionTime > e.max)) {
      throw new MarketInvalidExecutionTimeError([BigInt(job.executionTime), BigInt(e.min), BigInt(e.max)], { contractAddress });
    }
    const w = bounds.challengeWindow;
    if (w && (job.challengeWindow < w.min || job.challengeWindow > w.max)) {
      throw new MarketInvalidChallengeWindowError([BigInt(job.challengeWindow), BigInt(w.min), BigInt(w.max)], { contractAddress });
    }
  }
  const designated = [...new Set(jobs.map((j) => j.designatedProvider).filter((p) => p !== zeroAddress))];
  for (const provider of designated) {
    const id = await client.publicClient.readContract({
      address: contractAddress,
      abi: hashworkMarketAbi,
      functionName: "providerIdOf",
      args: [provider],
    });
    if (id === 0) throw new MarketUnknownProviderError([provider], { contractAddress });
  }
}
