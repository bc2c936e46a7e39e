import type { ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
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
   * run (in the submission block itself its own hash is not readable yet, so "latest" would
   * say `false` right after a submission).
   */
  blockNumber?: bigint | undefined;
};

export type IsSelectedForAuditReturnType = {
  /** Whether the lottery selects the job (false once the seed block's hash is unreadable). */
  selected: boolean;
  submittedBlock: bigint;
  /** The last block a `startAudit` transaction can land in (the seed is unreadable after it). */
  lastAuditBlock: bigint;
};

export type IsSelectedForAuditErrorType = ReadContractErrorType | JobResultNotFoundError | MissingDeploymentAddressError;

/**
 * Whether the random-audit lottery selects a submitted job: `auditRateBps` of jobs are, decided
 * by the hash of the block the result was submitted in (unknown to the provider when it
 * signed). A keeper checks each new result with this and calls `startAudit` for the selected
 * ones before `lastAuditBlock`.
 *
 * @example
 * const { selected, lastAuditBlock } = await isSelectedForAudit(client, { jobId, terms: result.terms })
 */
export async function isSelectedForAudit(
  client: HashworkBaseClient,
  parameters: IsSelectedForAuditParameters,
): Promise<IsSelectedForAuditReturnType> {
  const { jobId } = parameters;
  const disputes = await getDisputesAddress(client);
  const submittedBlock =
    parameters.submittedBlock ?? BigInt((await resolveTerms(client, jobId, parameters.terms)).submittedBlock);
  const read = { address: disputes, abi: hashworkDisputesAbi, functionName: "isSelectedForAudit", args: [jobId, submittedBlock] } as const;
  const selected =
    parameters.blockNumber !== undefined
      ? await client.publicClient.readContract({ ...read, blockNumber: parameters.blockNumber })
      : await client.publicClient
          .readContract({ ...read, blockTag: "pending" })
          // A node that refuses the "pending" tag: the latest block is the next best view.
          .catch(() => client.publicClient.readContract(read));
  return { selected, submittedBlock, lastAuditBlock: submittedBlock + BLOCKHASH_WINDOW };
}
