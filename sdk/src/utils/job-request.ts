import { zeroAddress, type Address, type ContractFunctionArgs, type Hex } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { InvalidParameterError } from "../errors/sdk.ts";
import type { HashworkBaseClient } from "./client.ts";

/** The `JobRequest` struct exactly as `postJob` takes it. */
export type JobRequest = ContractFunctionArgs<typeof hashworkMarketAbi, "nonpayable", "postJob">[0];

/** The `SubmittedJob` terms `finalizeJob` (and the dispute module) settle a job on. */
export type SubmittedJobTerms = ContractFunctionArgs<typeof hashworkMarketAbi, "nonpayable", "finalizeJob">[1];

/** Default time a job stays claimable when no `claimDeadline` is given: one hour. */
export const DEFAULT_CLAIM_WINDOW = 3600;

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
  /** Tokens paid to the provider on success (the protocol fee comes out of it). */
  reward: bigint;
  /** Collateral the provider locks, in percent of the reward. Default: 100. */
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
  /** Minimum provider score (0–10000) allowed to claim. Default: 0. */
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
    collateralPct: spec.collateralPct ?? 100,
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

/**
 * The collateral a provider locks for a job, as the market computes it
 * (`PayoutMath.collateral`: `reward * collateralPct / 100`, rounded up).
 */
export function collateralOf(reward: bigint, collateralPct: number | bigint): bigint {
  return (reward * BigInt(collateralPct) + 99n) / 100n;
}
