import { getAddress, type Hash, type Hex, type TransactionReceipt, type WriteContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeCommitmentMismatchError,
  DisputeNotOnCommitteeError,
  DisputeNothingToRevealError,
  DisputeRevealClosedError,
  DisputeRevealNotOpenError,
  DisputeWrongPhaseError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { checkBytes32, disputeEventsInReceipt, findSeat, getDisputesAddress, simulatingPending } from "../shared/disputes.ts";

export type RevealVoteParameters = WriteParameters & {
  jobId: bigint;
  /** The result hash committed to. */
  resultHash: Hex;
  /** The salt `commitVote` returned (or saved through its `saltStore`). */
  salt: Hex;
  /** Your seat in the current round. Default: looked up with `getCommittee`. */
  seatIndex?: number | undefined;
};

export type RevealVoteReturnType = {
  jobId: bigint;
  round: number;
  seatIndex: number;
  resultHash: Hex;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type RevealVoteErrorType =
  | DisputeCommitmentMismatchError
  | DisputeRevealNotOpenError
  | DisputeRevealClosedError
  | DisputeNothingToRevealError
  | DisputeNotOnCommitteeError
  | DisputeWrongPhaseError
  | MissingDeploymentAddressError
  | InvalidParameterError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Reveals a vote committed with `commitVote`, with the salt it returned. Reveals open once every
 * seat has committed or the commit period is over, and close at the reveal deadline; the module
 * recomputes the commitment from the hash, the salt and your address
 * (`DisputeCommitmentMismatchError` if they differ). A seat that does not reveal in time is
 * slashed when the round is resolved.
 *
 * The return value of `commitVote` can be passed as it is.
 *
 * @example
 * const secret = await commitVote(client, { jobId, resultHash })
 * // … after the other seats committed, or after the commit deadline …
 * await revealVote(client, secret)
 */
export async function revealVote(client: HashworkBaseClient, parameters: RevealVoteParameters): Promise<RevealVoteReturnType> {
  const { jobId } = parameters;
  const resultHash = checkBytes32("resultHash", parameters.resultHash);
  const salt = checkBytes32("salt", parameters.salt);
  const { address } = requireWallet(client, "revealVote", parameters.account);
  const disputes = await getDisputesAddress(client);
  let seatIndex = parameters.seatIndex;
  if (seatIndex === undefined) {
    const { round } = await client.publicClient.readContract({
      address: disputes,
      abi: hashworkDisputesAbi,
      functionName: "getDispute",
      args: [jobId],
    });
    seatIndex = await findSeat(client, { disputes, jobId, round, verifier: getAddress(address) });
  }
  const sent = await sendContractTransaction(simulatingPending(client), {
    action: "revealVote",
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "revealVote",
    args: [jobId, seatIndex, resultHash, salt],
    options: parameters,
  });
  const [revealed] = disputeEventsInReceipt(disputes, sent.receipt, "VoteRevealed");
  return {
    jobId,
    round: revealed!.args.round,
    seatIndex,
    resultHash: revealed!.args.resultHash,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
