import type { Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { DisputeZeroCommitmentError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { checkBytes32, computeChallengeCommitment, getDisputesAddress, randomSalt } from "../shared/disputes.ts";

export type CommitChallengeParameters = WriteParameters & {
  jobId: bigint;
  /** The result hash you will challenge with (`computeResultHash` of your own run). */
  challengerHash: Hex;
  /**
   * The salt that hides the commitment. Default: 32 bytes from `crypto.getRandomValues`.
   * `challengeJob` needs the same salt to reveal: keep the returned one.
   */
  salt?: Hex | undefined;
};

export type CommitChallengeReturnType = {
  /** `keccak256(abi.encode(jobId, challengerHash, challenger, salt))`, as posted. */
  commitment: Hex;
  /** The salt: pass it to `challengeJob` to reveal. */
  salt: Hex;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type CommitChallengeErrorType =
  | DisputeZeroCommitmentError
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * The first step of a challenge: posts `keccak256(abi.encode(jobId, challengerHash,
 * challenger, salt))`, which hides the job and the hash and binds your address, so nobody can
 * copy your challenge out of the mempool. Reveal it with `challengeJob({ jobId,
 * challengerHash, salt })` in a later block, inside the job's challenge window. Costs no bond;
 * `challengeJob` without a `salt` does both steps for you.
 *
 * @example
 * const { salt } = await commitChallenge(client, { jobId, challengerHash })
 * // … in a later block …
 * const { dispute } = await challengeJob(client, { jobId, challengerHash, salt })
 */
export async function commitChallenge(
  client: HashworkBaseClient,
  parameters: CommitChallengeParameters,
): Promise<CommitChallengeReturnType> {
  const { jobId } = parameters;
  const challengerHash = checkBytes32("challengerHash", parameters.challengerHash);
  const salt = parameters.salt === undefined ? randomSalt() : checkBytes32("salt", parameters.salt);
  const { address: challenger } = requireWallet(client, "commitChallenge", parameters.account);
  const disputes = await getDisputesAddress(client);
  const commitment = computeChallengeCommitment({ jobId, challengerHash, challenger, salt });
  const sent = await sendContractTransaction(client, {
    action: "commitChallenge",
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "commitChallenge",
    args: [commitment],
    options: parameters,
  });
  return { commitment, salt, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
