import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import {
  InvalidParameterError,
  type MissingAccountError,
  type MissingWalletClientError,
  type TransactionRevertedError,
} from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getGovernorAddress } from "./shared.ts";

/** GovernorCountingSimple's choices. */
export const VOTE_SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type VoteSupport = keyof typeof VOTE_SUPPORT;

export type CastVoteParameters = WriteParameters & {
  proposalId: bigint;
  support: VoteSupport;
  /** Recorded in the `VoteCast` event. */
  reason?: string | undefined;
};

export type CastVoteReturnType = {
  /** The votes counted: the voter's delegated votes at the proposal's snapshot. */
  weight: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type CastVoteErrorType =
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Votes on an active proposal with the votes delegated to the sender at its snapshot (delegate
 * first: `delegateVotes`). `GovernorUnexpectedProposalStateError` outside the voting period,
 * `GovernorAlreadyCastVoteError` the second time.
 *
 * @example
 * await castVote(client, { proposalId, support: "for" })
 */
export async function castVote(client: HashworkBaseClient, parameters: CastVoteParameters): Promise<CastVoteReturnType> {
  const support = VOTE_SUPPORT[parameters.support];
  if (support === undefined)
    throw new InvalidParameterError({ parameter: "support", reason: `one of ${Object.keys(VOTE_SUPPORT).join(", ")}` });
  const sent = await sendContractTransaction(client, {
    action: "castVote",
    address: getGovernorAddress(client),
    abi: hashworkGovernorAbi,
    functionName: "castVoteWithReason",
    args: [parameters.proposalId, support, parameters.reason ?? ""],
    options: parameters,
  });
  return { weight: sent.result, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
