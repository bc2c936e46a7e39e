import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeVotingOngoingError,
  DisputeWrongPhaseError,
  MarketDisputeDeadlinePassedError,
  MarketTermsMismatchError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { JobResultNotFoundError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import {
  type DisputePayout,
  type DisputeResolution,
  type FailedRound,
  failedRoundInReceipt,
  payoutsInReceipt,
  resolutionInReceipt,
  sendTermsWrite,
  slashesInReceipt,
  type VerifierSlash,
} from "../shared/disputes.ts";

export type ResolveDisputeParameters = WriteParameters & {
  jobId: bigint;
  /** The settlement terms. Default: recovered from the job's `ResultSubmitted` event. */
  terms?: SubmittedJobTerms | undefined;
};

export type ResolveDisputeReturnType = (
  | ({
      /** A majority decided: the job is settled in the market and everyone is paid. */
      outcome: "resolved";
    } & DisputeResolution)
  | ({
      /**
       * No quorum or no majority: the next, larger round waits for its draw
       * (`nextSeedBlock`), or the arbiter decides (`awaitingArbiter`).
       */
      outcome: "roundFailed";
    } & FailedRound)
) & {
  /** Seats that lost part of their lock (no reveal, or a vote against the majority). */
  slashed: VerifierSlash[];
  /**
   * Every ledger credit the call made, in event order: the settlement's when resolved; when a
   * round failed, the silent seats' slashes paid to the seats that revealed (by votes).
   */
  payouts: DisputePayout[];
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ResolveDisputeErrorType =
  | DisputeVotingOngoingError
  | DisputeWrongPhaseError
  | MarketDisputeDeadlinePassedError
  | MarketTermsMismatchError
  | JobResultNotFoundError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Tallies the current round of a dispute once every seat has revealed or the deadlines have
 * passed (`DisputeVotingOngoingError` before). Permissionless. With a quorum and a strict
 * majority the dispute is resolved: the market settles the job (provider paid, or overturned
 * and slashed) and the module pays the requester, challenger, provider, honest verifiers and
 * treasury as `docs/economics.md` describes — each payout is returned, decoded. Otherwise the
 * round fails: silent seats are slashed, and their slash is paid at once to the seats that
 * revealed (by votes; into the pot for the deciding round if nobody revealed), and the next
 * round (or the arbiter) follows. Quorum and majority count votes, not verifiers.
 *
 * @example
 * const r = await resolveDispute(client, { jobId })
 * if (r.outcome === "resolved") for (const p of r.payouts) console.log(p.role, p.to, p.amount)
 * else if (!r.awaitingArbiter) await drawCommittee(client, { jobId }) // after r.nextSeedBlock
 */
export async function resolveDispute(client: HashworkBaseClient, parameters: ResolveDisputeParameters): Promise<ResolveDisputeReturnType> {
  const { jobId } = parameters;
  const { disputes, terms, sent } = await sendTermsWrite(client, {
    action: "resolveDispute",
    functionName: "resolve",
    jobId,
    terms: parameters.terms,
    options: parameters,
  });
  const common = {
    slashed: slashesInReceipt(disputes, sent.receipt),
    payouts: payoutsInReceipt(disputes, sent.receipt),
    terms,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
  const resolution = resolutionInReceipt(disputes, sent.receipt);
  if (resolution) return { outcome: "resolved", ...resolution, ...common };
  return { outcome: "roundFailed", ...failedRoundInReceipt(disputes, sent.receipt)!, ...common };
}
