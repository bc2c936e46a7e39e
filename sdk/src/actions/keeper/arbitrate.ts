import { type Address, type Hash, type Hex, type TransactionReceipt, type WriteContractErrorType, zeroHash } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeDeadlinePassedError,
  DisputeMarketStateMismatchError,
  DisputeNotArbiterError,
  DisputeTermsMismatchError,
  DisputeWrongPhaseError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import {
  InvalidParameterError,
  type JobResultNotFoundError,
  type MissingAccountError,
  type MissingWalletClientError,
  type TransactionRevertedError,
} from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import {
  checkBytes32,
  disputeEventsInReceipt,
  type DisputePayout,
  type DisputeResolution,
  payoutsInReceipt,
  resolutionInReceipt,
  resolveTerms,
  sendTermsWrite,
} from "../shared/disputes.ts";

export type ArbitrateParameters = WriteParameters & {
  jobId: bigint;
  /**
   * The correct result hash, found by re-executing the job. It decides as a committee's winner
   * would: the provider is right if it is the provider's hash, the challenger only if it is the
   * challenger's; the failed rounds' revealers of it share the pot, the others are slashed.
   */
  correctHash?: Hex | undefined;
  /** `true`: shorthand for `correctHash` = the provider's result hash (the result stands). */
  providerRight?: true | undefined;
  /** The settlement terms. Default: recovered from the job's `ResultSubmitted` event. */
  terms?: SubmittedJobTerms | undefined;
};

export type ArbitrateReturnType = DisputeResolution & {
  arbiter: Address;
  /** Every ledger credit the settlement made, in event order. */
  payouts: DisputePayout[];
  terms: SubmittedJobTerms;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ArbitrateErrorType =
  | InvalidParameterError
  | DisputeNotArbiterError
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
 * The arbiter's decision on a dispute that ran out of rounds (phase `AwaitingArbiter`;
 * `DisputeWrongPhaseError` otherwise): the correct result hash (`correctHash`, or
 * `providerRight: true` for the provider's). Only the module's `arbiter()` may call it
 * (`DisputeNotArbiterError`). The settlement pays as a committee decision would, without
 * verifier pay (no committee decided); the pot goes to the failed rounds' revealers of the
 * correct hash (to the treasury if none). Give exactly one of the two; nothing is sent otherwise
 * (`InvalidParameterError`).
 *
 * @example
 * const arbiter = createHashworkClient({ publicClient, walletClient: multisigSigner })
 * const { payouts } = await arbiter.arbitrate({ jobId, correctHash: rerun.resultHash })
 */
export async function arbitrate(client: HashworkBaseClient, parameters: ArbitrateParameters): Promise<ArbitrateReturnType> {
  const { jobId, providerRight, correctHash } = parameters;
  if ((correctHash === undefined) === (providerRight === undefined)) {
    throw new InvalidParameterError({
      parameter: "correctHash",
      reason: "give the correct result hash, or providerRight: true (not both)",
    });
  }
  if (correctHash !== undefined && checkBytes32("correctHash", correctHash) === zeroHash) {
    throw new InvalidParameterError({ parameter: "correctHash", reason: "the zero hash is not a result" });
  }
  const known = await resolveTerms(client, jobId, parameters.terms);
  const { disputes, terms, sent } = await sendTermsWrite(client, {
    action: "arbitrate",
    functionName: "arbitrate",
    jobId,
    terms: known,
    extraArgs: [correctHash ?? known.resultHash],
    options: parameters,
  });
  const [decided] = disputeEventsInReceipt(disputes, sent.receipt, "ArbiterDecided");
  return {
    ...resolutionInReceipt(disputes, sent.receipt)!,
    arbiter: decided!.args.arbiter,
    payouts: payoutsInReceipt(disputes, sent.receipt),
    terms,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
