import type { ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import { DisputeAuditSeedUnavailableError } from "../../errors/contract-errors.ts";
import { decodeContractError } from "../../errors/decode.ts";
import type { JobResultNotFoundError } from "../../errors/sdk.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { getDisputesAddress, resolveTerms } from "../shared/disputes.ts";

/** Blocks whose hash the EVM can still read: `blockhash(n)` works up to block `n + 256`. */
const BLOCKHASH_WINDOW = 256n;

export type IsSelectedForAuditParameters = {
  jobId: bigint;
  /**
   * The block the result was submitted in (the lottery's seed). Default: from `terms`, else
   * from the job's `ResultSubmitted` event.
   */
  submittedBlock?: bigint | undefined;
  /** The settlement terms (their `submittedBlock` is used). */
  terms?: SubmittedJobTerms | undefined;
  /**
   * Read as of this block. Default: the pending block, where a `startAudit` sent now would
   * run (in the submission block itself the seed does not exist yet, so "latest" would say
   * `false` right after a submission).
   */
  blockNumber?: bigint | undefined;
};

export type IsSelectedForAuditReturnType = {
  /**
   * Whether the lottery selects the job: false in the submission block itself (no seed yet);
   * after `lastPinBlock`, the pinned seed decides, and an unpinned one selects every job.
   */
  selected: boolean;
  submittedBlock: bigint;
  /**
   * The last block the submission block's hash is readable in: a `pinAuditSeed` must land by
   * then to keep the lottery's verdict for the rest of the challenge window.
   */
  lastPinBlock: bigint;
};

export type IsSelectedForAuditErrorType = ReadContractErrorType | JobResultNotFoundError | MissingDeploymentAddressError;

/**
 * Whether the random-audit lottery selects a submitted job: `auditRateBps` of jobs are, decided
 * by the hash of the block the result was submitted in (unknown to the provider when it
 * signed). The chain forgets that hash after 256 blocks; `pinAuditSeed` stores it, and a
 * submission block nobody pinned in time selects its jobs. A keeper checks each new result with
 * this and calls `startAudit` for the selected ones inside the challenge window.
 *
 * @example
 * const { selected, lastPinBlock } = await isSelectedForAudit(client, { jobId, terms: result.terms })
 */
export async function isSelectedForAudit(
  client: HashworkBaseClient,
  parameters: IsSelectedForAuditParameters,
): Promise<IsSelectedForAuditReturnType> {
  const { jobId } = parameters;
  const disputes = await getDisputesAddress(client);
  const submittedBlock = parameters.submittedBlock ?? BigInt((await resolveTerms(client, jobId, parameters.terms)).submittedBlock);
  const read = { address: disputes, abi: hashworkDisputesAbi, functionName: "isSelectedForAudit", args: [jobId, submittedBlock] } as const;
  const lottery = async () => {
    if (parameters.blockNumber !== undefined) return client.publicClient.readContract({ ...read, blockNumber: parameters.blockNumber });
    try {
      return await client.publicClient.readContract({ ...read, blockTag: "pending" });
    } catch (error) {
      if (decodeContractError(error)) throw error;
      // A node that refuses the "pending" tag: the latest block is the next best view.
      return client.publicClient.readContract(read);
    }
  };
  let selected: boolean;
  try {
    selected = await lottery();
  } catch (error) {
    // Read in the submission block itself: the seed does not exist yet.
    if (!(decodeContractError(error) instanceof DisputeAuditSeedUnavailableError)) throw error;
    selected = false;
  }
  return { selected, submittedBlock, lastPinBlock: submittedBlock + BLOCKHASH_WINDOW };
}
