import { encodeEventTopics, getAddress, type Address, type Hex, type ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { SeatStatusName } from "../../abi/enums.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { MissingAccountError, MissingWalletClientError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient } from "../../utils/client.ts";
import { getDecodedLogs, type BlockRange } from "../../utils/logs.ts";
import { getDisputesAddress, phaseName, seatStatusName } from "../shared/disputes.ts";

export type ListCommitteeDutiesParameters = BlockRange & {
  /** The verifier whose seats to list. Default: the wallet client's account. */
  verifier?: Address | undefined;
};

/**
 * What a seat must do next:
 * - `commit`: commit a vote before `deadline` (the commit deadline);
 * - `waitForReveal`: committed; reveals open when every seat has committed or after the
 *   commit deadline, and must happen before `deadline` (the reveal deadline);
 * - `reveal`: reveal now, before `deadline`;
 * - `none`: revealed; the round waits for `resolveDispute`;
 * - `missed`: the deadline passed without a commit or a reveal — the seat will be slashed.
 */
export type CommitteeDutyAction = "commit" | "waitForReveal" | "reveal" | "none" | "missed";

export type CommitteeDuty = {
  jobId: bigint;
  round: number;
  seatIndex: number;
  verifier: Address;
  status: SeatStatusName;
  next: CommitteeDutyAction;
  /** Unix time by which `next` must be done; `undefined` for `none` and `missed`. */
  deadline: bigint | undefined;
  /** Commits close after this time; reveals open after it (or earlier, once every seat has committed). */
  commitDeadline: bigint;
  revealDeadline: bigint;
  /** Whether every seat (vote) has committed (so reveals are open before the commit deadline). */
  everyoneCommitted: boolean;
  /** The commitment posted, once committed. */
  commitment: Hex | undefined;
  /** Seats (votes) the verifier holds in the round: one commit and one reveal cast them all. */
  votes: number;
  /** Bond locked in the verifier pool for them; part of it is slashed for a missed reveal or a minority vote. */
  locked: bigint;
  /** Bond each seat locks, from the round's `CommitteeDrawn` (`locked` is this times `votes`, or less if the verifier had less left). */
  lockPerSeat: bigint;
};

export type ListCommitteeDutiesReturnType = {
  /** The latest block's time the duties were judged at (chain time, not the local clock). */
  now: bigint;
  blockNumber: bigint;
  duties: CommitteeDuty[];
};

export type ListCommitteeDutiesErrorType =
  | MissingDeploymentAddressError
  | MissingWalletClientError
  | MissingAccountError
  | ReadContractErrorType;

/**
 * The seats a verifier holds in disputes that are voting now, and what each needs next: commit
 * by the commit deadline, reveal by the reveal deadline (`getMyDuties`, in effect, when called
 * without `verifier`). Committees come from the `CommitteeDrawn` events (searched from the
 * deployment's `fromBlock`); each seat's status and deadlines are read at the search's last
 * block. Seats of rounds that are over are not listed.
 *
 * @example
 * for (const duty of (await listCommitteeDuties(client)).duties) {
 *   if (duty.next === "commit") await commitVote(client, { jobId: duty.jobId, resultHash: await rerun(duty.jobId), saltStore })
 *   if (duty.next === "reveal") await revealVote(client, await loadSecret(duty.jobId, duty.round))
 * }
 */
export async function listCommitteeDuties(
  client: HashworkBaseClient,
  parameters: ListCommitteeDutiesParameters = {},
): Promise<ListCommitteeDutiesReturnType> {
  const verifier = getAddress(parameters.verifier ?? requireWallet(client, "listCommitteeDuties").address);
  const disputes = await getDisputesAddress(client);
  const block = await client.publicClient.getBlock(parameters.toBlock === undefined ? {} : { blockNumber: parameters.toBlock });
  const blockNumber = block.number;
  const logs = await getDecodedLogs(client, {
    address: disputes,
    abi: hashworkDisputesAbi,
    topics: encodeEventTopics({ abi: hashworkDisputesAbi, eventName: "CommitteeDrawn" }),
    fromBlock: parameters.fromBlock,
    toBlock: blockNumber,
    maxBlockRange: parameters.maxBlockRange,
  });
  // The latest round per job this verifier was drawn into, and what each of its seats locked.
  const seated = new Map<bigint, { round: number; lockPerSeat: bigint }>();
  for (const log of logs) {
    if (log.eventName !== "CommitteeDrawn") continue;
    if (log.args.verifiers.some((v) => v.toLowerCase() === verifier.toLowerCase())) {
      seated.set(log.args.jobId, { round: log.args.round, lockPerSeat: log.args.lockPerSeat });
    }
  }
  const read = { address: disputes, abi: hashworkDisputesAbi, blockNumber } as const;
  const duties: CommitteeDuty[] = [];
  for (const [jobId, { round, lockPerSeat }] of seated) {
    const d = await client.publicClient.readContract({ ...read, functionName: "getDispute", args: [jobId] });
    if (phaseName(d.phase) !== "Voting" || d.round !== round) continue;
    const seats = await client.publicClient.readContract({ ...read, functionName: "getCommittee", args: [jobId, round] });
    const seatIndex = seats.findIndex((s) => s.verifier.toLowerCase() === verifier.toLowerCase());
    if (seatIndex < 0) continue;
    const seat = seats[seatIndex]!;
    const status = seatStatusName(seat.status);
    const commitDeadline = BigInt(d.commitDeadline);
    const revealDeadline = BigInt(d.revealDeadline);
    const everyoneCommitted = d.committed === d.size;
    const { next, deadline } = nextStep(status, block.timestamp, { commitDeadline, revealDeadline, everyoneCommitted });
    duties.push({
      jobId,
      round,
      seatIndex,
      verifier,
      status,
      next,
      deadline,
      commitDeadline,
      revealDeadline,
      everyoneCommitted,
      commitment: status === "Committed" ? seat.vote : undefined,
      votes: seat.votes,
      locked: seat.locked,
      lockPerSeat,
    });
  }
  return { now: block.timestamp, blockNumber, duties };
}

/** Mirrors the module's time checks: commits while `now <= commitDeadline`, reveals while `now <= revealDeadline`. */
function nextStep(
  status: SeatStatusName,
  now: bigint,
  { commitDeadline, revealDeadline, everyoneCommitted }: { commitDeadline: bigint; revealDeadline: bigint; everyoneCommitted: boolean },
): { next: CommitteeDutyAction; deadline: bigint | undefined } {
  // A transaction lands in a later block, so judge with the next second too.
  const at = now + 1n;
  if (status === "Drawn")
    return at <= commitDeadline ? { next: "commit", deadline: commitDeadline } : { next: "missed", deadline: undefined };
  if (status === "Committed") {
    if (at > revealDeadline) return { next: "missed", deadline: undefined };
    const open = everyoneCommitted || at > commitDeadline;
    return { next: open ? "reveal" : "waitForReveal", deadline: revealDeadline };
  }
  return { next: "none", deadline: undefined };
}
