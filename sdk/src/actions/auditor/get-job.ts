import type { Address, ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { JobStateName } from "../../abi/enums.ts";
import type { JobResultNotFoundError } from "../../errors/sdk.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { decodeJobId } from "../../utils/job-id.ts";
import { collateralOf } from "../../utils/job-request.ts";
import { jobStateName, resultJobStates } from "../../utils/job-state.ts";
import { findJobResult, type JobResult } from "../../utils/results.ts";

export type GetJobParameters = {
  jobId: bigint;
  /** Read as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
  /**
   * Whether to look up the `ResultSubmitted` event for jobs past submission (the record then
   * holds only a commitment; the terms are in the event). Default: true.
   */
  includeResult?: boolean | undefined;
};

export type JobDetails = {
  jobId: bigint;
  requester: Address;
  /** The requester's nonce encoded in the id. */
  nonce: bigint;
  state: JobStateName;
  /**
   * The deadline of the current phase (unix time): claim deadline while Open, execution
   * deadline while Claimed, end of the challenge window while Submitted, dispute deadline
   * while Disputed; 0 once the slot is cleared (Finalized) or for unknown jobs.
   */
  deadline: bigint;
  reward: bigint;
  /** The designated provider while Open (zero for anyone), the claimant from Claimed on. */
  provider: Address;
  collateral: bigint;
  collateralPct: number;
  minReputation: number;
  executionTime: number;
  challengeWindow: number;
  /** From Submitted on: the on-chain commitment to the settlement terms. */
  commitment: bigint;
  /** The committed result, for jobs past submission (when `includeResult`). */
  result?: JobResult | undefined;
};

export type GetJobReturnType = JobDetails;

export type GetJobErrorType = ReadContractErrorType | JobResultNotFoundError;

/**
 * Reads a job: its derived state, the terms the market still stores, and — once a result was
 * submitted — the result and settlement terms from the `ResultSubmitted` event (the market keeps
 * only a hash of them, so `reward`, `provider` and `collateral` are filled in from there).
 *
 * @example
 * const job = await getJob(client, { jobId })
 * if (job.state === "Submitted") console.log(job.result?.challengeEnd)
 */
export async function getJob(client: HashworkBaseClient, parameters: GetJobParameters): Promise<GetJobReturnType> {
  const { jobId, blockNumber } = parameters;
  const view = await client.publicClient.readContract({
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "getJob",
    args: [jobId],
    blockNumber,
  });
  const state = jobStateName(view.state);
  const job: JobDetails = {
    jobId,
    requester: view.requester,
    nonce: decodeJobId(jobId).nonce,
    state,
    deadline: view.deadline,
    reward: view.reward,
    provider: view.provider,
    collateral: view.collateral,
    collateralPct: view.collateralPct,
    minReputation: view.minReputation,
    executionTime: view.executionTime,
    challengeWindow: view.challengeWindow,
    commitment: view.commitment,
  };
  if ((parameters.includeResult ?? true) && (resultJobStates as readonly JobStateName[]).includes(state)) {
    const result = await findJobResult(client, { jobId, toBlock: blockNumber });
    if (result) {
      job.result = result;
      job.reward = result.terms.reward;
      job.provider = result.terms.provider;
      job.collateralPct = result.terms.collateralPct;
      job.collateral = collateralOf(result.terms.reward, result.terms.collateralPct);
    }
  }
  return job;
}
