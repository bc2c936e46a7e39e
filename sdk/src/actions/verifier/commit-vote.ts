import { getAddress, type Address, type Hash, type Hex, type TransactionReceipt, type WriteContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type {
  DisputeAlreadyCommittedError,
  DisputeCommitClosedError,
  DisputeNotOnCommitteeError,
  DisputeWrongPhaseError,
  DisputeZeroCommitmentError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import { throwDecoded } from "../../errors/decode.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import {
  checkBytes32,
  computeVoteCommitment,
  disputeEventsInReceipt,
  findSeat,
  getDisputesAddress,
  randomSalt,
  simulatingPending,
} from "../shared/disputes.ts";

/**
 * Everything needed to reveal a committed vote. **Keep it until the vote is revealed**: the
 * salt exists nowhere else, and a seat that cannot reveal is slashed `verifierSlashBps` of its
 * lock when the round is resolved.
 */
export type VoteSecret = {
  chainId: number;
  /** The dispute module the vote was cast in. */
  disputes: Address;
  jobId: bigint;
  /** The round the vote belongs to (a later round needs a new commitment). */
  round: number;
  /** The verifier's seat in that round (`revealVote` needs it). */
  seatIndex: number;
  verifier: Address;
  /** The result hash voted for. */
  resultHash: Hex;
  /** The 32 random bytes that hide the vote until the reveal. */
  salt: Hex;
  /** `keccak256(abi.encode(resultHash, salt, verifier))`, as posted on-chain. */
  commitment: Hex;
};

/**
 * Where `commitVote` persists the vote secret before it sends the commitment: an object with
 * `save`, or a function. If it throws (or its promise rejects) nothing is sent. It should
 * write durably (fsync a file, commit a database row) before it returns.
 */
export type VoteSecretStore = { save: (secret: VoteSecret) => void | Promise<void> } | ((secret: VoteSecret) => void | Promise<void>);

export type CommitVoteParameters = WriteParameters & {
  jobId: bigint;
  /** The result hash you vote for: the one your own run of the job produced (`computeResultHash`). */
  resultHash: Hex;
  /** Persists the secret before the commitment is sent (strongly recommended for unattended verifiers). */
  saltStore?: VoteSecretStore | undefined;
  /**
   * The salt. Default: 32 bytes from `crypto.getRandomValues`. Pass one only if you derive
   * salts yourself (and never reuse one: a known salt lets others test guesses of your vote).
   */
  salt?: Hex | undefined;
  /** Your seat in the current round. Default: looked up with `getCommittee`. */
  seatIndex?: number | undefined;
};

export type CommitVoteReturnType = VoteSecret & {
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type CommitVoteErrorType =
  | DisputeNotOnCommitteeError
  | DisputeWrongPhaseError
  | DisputeCommitClosedError
  | DisputeAlreadyCommittedError
  | DisputeZeroCommitmentError
  | MissingDeploymentAddressError
  | InvalidParameterError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Commits a hidden vote as a drawn verifier: picks a random 32-byte salt, computes
 * `keccak256(abi.encode(resultHash, salt, verifier))`, finds your seat in the current round,
 * checks the commit would be accepted, hands the secret to `saltStore` (if given), then sends.
 *
 * It returns `{ commitment, salt, seatIndex, round, … }`: **persist it** (or pass `saltStore`).
 * Reveals open once every seat committed or the commit period ended, and `revealVote` needs
 * the same salt. Losing the salt means the vote can never be revealed, and an unrevealed seat
 * loses `verifierSlashBps` of its lock (half, by default) when the round is resolved.
 *
 * @example
 * const secret = await commitVote(client, {
 *   jobId,
 *   resultHash: computeResultHash(outputHash, fuelUsed, status),
 *   saltStore: (s) => writeFileSync(`votes/${s.jobId}-${s.round}.json`, stringify(s)),
 * })
 * // … once reveals open (see listCommitteeDuties) …
 * await revealVote(client, secret)
 */
export async function commitVote(client: HashworkBaseClient, parameters: CommitVoteParameters): Promise<CommitVoteReturnType> {
  const { jobId } = parameters;
  const resultHash = checkBytes32("resultHash", parameters.resultHash);
  const salt = parameters.salt === undefined ? randomSalt() : checkBytes32("salt", parameters.salt);
  const { account, address } = requireWallet(client, "commitVote", parameters.account);
  const verifier = getAddress(address);
  const disputes = await getDisputesAddress(client);
  const { round } = await client.publicClient.readContract({
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "getDispute",
    args: [jobId],
  });
  const seatIndex = parameters.seatIndex ?? (await findSeat(client, { disputes, jobId, round, verifier }));
  const commitment = computeVoteCommitment({ resultHash, salt, verifier });
  const call = {
    action: "commitVote",
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "commitVote",
    args: [jobId, seatIndex, commitment],
    options: parameters,
  } as const;
  const pending = simulatingPending(client);
  // Dry run first: a commit the module refuses (no seat, wrong phase, too late) saves nothing.
  const { address: to, abi, functionName, args } = call;
  await pending.publicClient.simulateContract({ address: to, abi, functionName, args, account }).catch(throwDecoded);
  const secret: VoteSecret = {
    chainId: client.deployment.chainId,
    disputes,
    jobId,
    round,
    seatIndex,
    verifier,
    resultHash,
    salt,
    commitment,
  };
  const store = parameters.saltStore;
  if (store) await (typeof store === "function" ? store(secret) : store.save(secret));
  const sent = await sendContractTransaction(pending, call);
  const [committed] = disputeEventsInReceipt(disputes, sent.receipt, "VoteCommitted");
  return { ...secret, round: committed!.args.round, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
