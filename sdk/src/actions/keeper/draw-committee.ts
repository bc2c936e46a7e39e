import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeDeadlinePassedError,
  DisputeMarketStateMismatchError,
  DisputeSeedNotReadyError,
  DisputeTermsMismatchError,
  DisputeWrongPhaseError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { JobResultNotFoundError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { disputeEventsInReceipt, type FailedRound, failedRoundInReceipt, sendTermsWrite } from "../shared/disputes.ts";

export type DrawCommitteeParameters = WriteParameters & {
  jobId: bigint;
  /** The settlement terms. Default: recovered from the job's `ResultSubmitted` event. */
  terms?: SubmittedJobTerms | undefined;
};

/** The draw's outcome. */
export type DrawCommitteeOutcome =
  /** A committee was seated and voting has started. */
  | {
      outcome: "drawn";
      round: number;
      /** The seated verifiers, in seat order (a verifier's seat index is its position here). */
      verifiers: readonly Address[];
      /** Seats (votes) each verifier holds: the draw is with replacement, so a verifier may hold several. */
      votes: readonly number[];
      /** Bond each seat locks in the verifier pool (a verifier with k votes locks k times this, or what it had left). */
      lockPerSeat: bigint;
      commitDeadline: bigint;
      revealDeadline: bigint;
    }
  /** The seed block aged past 256 blocks; draw again once `seedBlock` is mined. */
  | { outcome: "rescheduled"; round: number; seedBlock: bigint }
  /** No eligible verifier weight: the round failed (a larger round follows, or the arbiter decides). */
  | ({ outcome: "roundFailed" } & FailedRound);

export type DrawCommitteeReturnType = DrawCommitteeOutcome & {
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type DrawCommitteeErrorType =
  | DisputeSeedNotReadyError
  | DisputeWrongPhaseError
  | DisputeDeadlinePassedError
  | DisputeTermsMismatchError
  | DisputeMarketStateMismatchError
  | JobResultNotFoundError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Draws the current round's committee of a dispute from its seed block's hash: seats drawn
 * with replacement, weighted by the verifier pool's bonds as they stood at the end of the
 * block before the result's submission (`snapshotBlock`), never the provider, the challenger or the requester. Permissionless — any keeper calls it
 * once the seed block (the block after the challenge, audit or failed round) is mined
 * (`DisputeSeedNotReadyError` before). If the seed block is more than 256 blocks old its hash
 * is gone and the draw is rescheduled to the next block instead; call again after it.
 *
 * @example
 * const draw = await drawCommittee(client, { jobId })
 * if (draw.outcome === "drawn") console.log(draw.verifiers, draw.commitDeadline)
 * // "rescheduled": call again once draw.seedBlock is mined;
 * // "roundFailed": call again after draw.nextSeedBlock, unless draw.awaitingArbiter
 */
export async function drawCommittee(client: HashworkBaseClient, parameters: DrawCommitteeParameters): Promise<DrawCommitteeReturnType> {
  const { jobId } = parameters;
  const { disputes, terms, sent } = await sendTermsWrite(client, {
    action: "drawCommittee",
    functionName: "drawCommittee",
    jobId,
    terms: parameters.terms,
    options: parameters,
  });
  const common = { terms, transactionHash: sent.transactionHash, receipt: sent.receipt };
  const [drawn] = disputeEventsInReceipt(disputes, sent.receipt, "CommitteeDrawn");
  if (drawn) {
    const a = drawn.args;
    return {
      outcome: "drawn",
      round: a.round,
      verifiers: a.verifiers,
      votes: a.votes,
      lockPerSeat: a.lockPerSeat,
      commitDeadline: a.commitDeadline,
      revealDeadline: a.revealDeadline,
      ...common,
    };
  }
  const [rescheduled] = disputeEventsInReceipt(disputes, sent.receipt, "DrawRescheduled");
  if (rescheduled) return { outcome: "rescheduled", round: rescheduled.args.round, seedBlock: rescheduled.args.seedBlock, ...common };
  return { outcome: "roundFailed", ...failedRoundInReceipt(disputes, sent.receipt)!, ...common };
}
