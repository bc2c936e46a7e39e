import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeAuditSeedUnavailableError,
  DisputeNotSelectedForAuditError,
  MarketChallengeWindowClosedError,
  MarketInsufficientFeesError,
  MarketTermsMismatchError,
  MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type {
  JobResultNotFoundError,
  MissingAccountError,
  MissingWalletClientError,
  TransactionRevertedError,
} from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import {
  type OpenedDispute,
  openedDisputeInReceipt,
  sendTermsWrite,
} from "../shared/disputes.ts";

export type StartAuditParameters = WriteParameters & {
  jobId: bigint;
  /** The settlement terms. Default: recovered from the job's `ResultSubmitted` event. */
  terms?: SubmittedJobTerms | undefined;
};

export type StartAuditReturnType = {
  /**
   * The audit as opened (`DisputeOpened` with a zero challenger); `bond` is the budget moved
   * out of the accrued protocol fees. Draw its committee once `seedBlock` is mined.
   */
  dispute: OpenedDispute;
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type StartAuditErrorType =
  | DisputeNotSelectedForAuditError
  | DisputeAuditSeedUnavailableError
  | MarketInsufficientFeesError
  | MarketChallengeWindowClosedError
  | MarketUnexpectedJobStateError
  | MarketTermsMismatchError
  | JobResultNotFoundError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Opens a random audit of a submitted job the lottery selected (`isSelectedForAudit`): a
 * dispute with no challenger, whose committee is paid from the market's accrued protocol fees
 * (`auditBudget()`; `MarketInsufficientFeesError` while fees are lower). Permissionless. It must
 * happen inside the job's challenge window and within 256 blocks of the submission, while the
 * submission block's hash — the lottery's seed — is readable (`DisputeAuditSeedUnavailableError`).
 *
 * @example
 * const { selected } = await isSelectedForAudit(client, { jobId })
 * if (selected) {
 *   const { dispute } = await startAudit(client, { jobId })
 *   // then drawCommittee once dispute.seedBlock is mined
 * }
 */
export async function startAudit(client: HashworkBaseClient, parameters: StartAuditParameters): Promise<StartAuditReturnType> {
  const { jobId } = parameters;
  const { disputes, terms, sent } = await sendTermsWrite(client, {
    action: "startAudit",
    functionName: "startAudit",
    jobId,
    terms: parameters.terms,
    options: parameters,
  });
  return {
    dispute: openedDisputeInReceipt(disputes, sent.receipt),
    terms,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
