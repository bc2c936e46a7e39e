import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeMarketStateMismatchError,
  DisputeNotActiveError,
  MarketDisputeDeadlineNotReachedError,
  MarketTermsMismatchError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { JobResultNotFoundError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { disputeEventsInReceipt, type DisputePayout, payoutsInReceipt, sendTermsWrite } from "../shared/disputes.ts";

export type VoidDisputeParameters = WriteParameters & {
  jobId: bigint;
  /** The settlement terms. Default: recovered from the job's `ResultSubmitted` event. */
  terms?: SubmittedJobTerms | undefined;
};

export type VoidDisputeReturnType = {
  /** The bond returned to the challenger (or, for an audit, the budget to the treasury). */
  bondReturned: bigint;
  /** Slashed verifier bond from failed rounds nobody revealed in (the pot), sent to the treasury. */
  potToTreasury: bigint;
  /**
   * The reward refunded to the requester by the market in this transaction; `undefined` when
   * the job had already been voided in the market directly (`voidExpiredDispute`).
   */
  refund: bigint | undefined;
  /** The provider's collateral the market unlocked (with `refund`). */
  collateralUnlocked: bigint | undefined;
  payouts: DisputePayout[];
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type VoidDisputeErrorType =
  | MarketDisputeDeadlineNotReachedError
  | DisputeNotActiveError
  | DisputeMarketStateMismatchError
  | MarketTermsMismatchError
  | JobResultNotFoundError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Voids a dispute that outlived the market's dispute deadline (`maxDisputeDuration` after the
 * challenge; `MarketDisputeDeadlineNotReachedError` before): the requester is refunded, the
 * provider's collateral unlocked, the bond returned and every verifier lock released; slashed
 * stake from failed rounds goes to the treasury. Permissionless, so no money waits on a party
 * that has gone.
 *
 * @example
 * const { deadline } = await getJob(client, { jobId }) // the dispute deadline while Disputed
 * // … after deadline …
 * const { refund, bondReturned } = await voidDispute(client, { jobId })
 */
export async function voidDispute(client: HashworkBaseClient, parameters: VoidDisputeParameters): Promise<VoidDisputeReturnType> {
  const { jobId } = parameters;
  const { disputes, terms, sent } = await sendTermsWrite(client, {
    action: "voidDispute",
    functionName: "voidDispute",
    jobId,
    terms: parameters.terms,
    options: parameters,
  });
  const [voided] = disputeEventsInReceipt(disputes, sent.receipt, "DisputeVoided");
  const [marketVoided] = marketEventsInReceipt(client, sent.receipt, "DisputeVoided");
  return {
    bondReturned: voided!.args.bondReturned,
    potToTreasury: voided!.args.potToTreasury,
    refund: marketVoided?.args.refund,
    collateralUnlocked: marketVoided?.args.collateralUnlocked,
    payouts: payoutsInReceipt(disputes, sent.receipt),
    terms,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
