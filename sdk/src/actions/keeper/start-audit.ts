import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeAuditSeedUnavailableError,
  DisputeNotSelectedForAuditError,
  MarketChallengeWindowClosedError,
  MarketTermsMismatchError,
  MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { JobResultNotFoundError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { type OpenedDispute, openedDisputeInReceipt, sendTermsWrite } from "../shared/disputes.ts";

export type StartAuditParameters = WriteParameters & {
  jobId: bigint;
  /** The settlement terms. Default: recovered from the job's `ResultSubmitted` event. */
  terms?: SubmittedJobTerms | undefined;
};

export type StartAuditReturnType = {
  /**
   * The audit as opened (`DisputeOpened` with a zero challenger); `bond` is what the market's
   * audit reserve funded: `auditBudget()`, or less (even 0) when the reserve held less. Draw its
   * committee once `seedBlock` is mined.
   */
  dispute: OpenedDispute;
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type StartAuditErrorType =
  | DisputeNotSelectedForAuditError
  | DisputeAuditSeedUnavailableError
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
 * dispute with no challenger, whose committee is paid from the market's audit reserve (a share
 * of every protocol fee): up to `auditBudget()`, whatever the reserve holds — an audit is never
 * refused for want of funds. Permissionless. It must happen inside the job's challenge window;
 * the lottery's seed is the submission block's hash while readable (256 blocks), then its pin
 * (`pinAuditSeed`); an unpinned seed that aged out counts as selected.
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
