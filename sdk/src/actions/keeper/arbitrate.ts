import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeDeadlinePassedError,
  DisputeMarketStateMismatchError,
  DisputeNotArbiterError,
  DisputeTermsMismatchError,
  DisputeWrongPhaseError,
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
  disputeEventsInReceipt,
  type DisputePayout,
  type DisputeResolution,
  payoutsInReceipt,
  resolutionInReceipt,
  sendTermsWrite,
} from "../shared/disputes.ts";

export type ArbitrateParameters = WriteParameters & {
  jobId: bigint;
  /** `true`: the provider's result stands; `false`: it is overturned (for the challenger, if any). */
  providerRight: boolean;
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
 * `DisputeWrongPhaseError` otherwise): only between the provider's hash and the challenger's.
 * Only the module's `arbiter()` may call it (`DisputeNotArbiterError`). The settlement pays as
 * a committee decision would, without verifier pay (no committee decided); slashed verifier
 * stake goes to the treasury.
 *
 * @example
 * const arbiter = createHashworkClient({ publicClient, walletClient: multisigSigner })
 * const { payouts } = await arbiter.arbitrate({ jobId, providerRight: false })
 */
export async function arbitrate(client: HashworkBaseClient, parameters: ArbitrateParameters): Promise<ArbitrateReturnType> {
  const { jobId, providerRight } = parameters;
  const { disputes, terms, sent } = await sendTermsWrite(client, {
    action: "arbitrate",
    functionName: "arbitrate",
    jobId,
    terms: parameters.terms,
    extraArgs: [providerRight],
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
