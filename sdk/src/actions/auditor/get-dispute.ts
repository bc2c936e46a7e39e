import { encodeEventTopics, zeroAddress, zeroHash, type Address, type Hex, type ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { JobState, type PhaseName, type SeatStatusName } from "../../abi/enums.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getDecodedLogs } from "../../utils/logs.ts";
import { getDisputesAddress, phaseName, seatStatusName } from "../shared/disputes.ts";

export type GetDisputeParameters = {
  jobId: bigint;
  /** Read as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
};

/**
 * A verifier's place in the current round. Draws are with replacement: a verifier drawn k
 * times holds one entry with `votes = k`, and commits and reveals once for all of them.
 */
export type CommitteeSeat = {
  /** The entry's index (its position in `CommitteeDrawn.verifiers`): what `commitVote` and `revealVote` take. */
  seatIndex: number;
  verifier: Address;
  status: SeatStatusName;
  /** Seats (votes) this verifier holds in the round. */
  votes: number;
  /** Bond locked in the verifier pool for them (`lockPerSeat * votes`, or what the verifier had left). */
  locked: bigint;
  /** The vote commitment, while `Committed`. */
  commitment: Hex | undefined;
  /** The revealed result hash, once `Revealed`. */
  resultHash: Hex | undefined;
};

export type DisputeDetails = {
  jobId: bigint;
  /** `None` when the job was never disputed (every other field is then zero). */
  phase: PhaseName;
  /** Whether it is a random audit (no challenger) rather than a challenge. */
  isAudit: boolean;
  /**
   * An audit forced by an unpinned lottery seed: funded only by the job's own reserve share, its
   * seats lock `verifierLock × budget / full budget` each.
   */
  forced: boolean;
  /** Who challenged; the zero address for an audit. */
  challenger: Address;
  /** The challenger's claimed result hash; zero for an audit. */
  challengerHash: Hex;
  /** The bond (or the audit budget) still held for the dispute. */
  bond: bigint;
  /**
   * Verifier bond slashed from silent seats of failed rounds, waiting for the decision: paid to
   * every revealer, of any round, who revealed the outcome (the treasury if none did).
   */
  pot: bigint;
  /** Zero-based round number. */
  round: number;
  /** Seats (votes) in the current round. */
  size: number;
  /** Verifiers holding them (entries in `committee`): fewer than `size` when one was drawn more than once. */
  members: number;
  /** Votes committed and revealed so far (a verifier with several seats adds all of them). */
  committed: number;
  revealed: number;
  /** The block whose hash seeds the current round's draw. */
  seedBlock: bigint;
  /** Every round draws from the verifier pool as it stood at the end of this block (the one before the result was submitted). */
  snapshotBlock: bigint;
  /** Unix times; zero until the round's committee is drawn. */
  commitDeadline: bigint;
  revealDeadline: bigint;
  /**
   * Bond a seat locks in the verifier pool: the module's `verifierLock` as of the read block. It
   * is what the current round locked unless governance changed it after the draw; each seat's
   * `locked` is exact (and `CommitteeDrawn.lockPerSeat` records the draw's value).
   */
  lockPerSeat: bigint;
  /** The current round's seats (empty before its draw and after a resolution). */
  committee: CommitteeSeat[];
  /**
   * The market's dispute deadline while the job is `Disputed`: after it anyone may
   * `voidDispute`. `undefined` in any other job state.
   */
  voidableAfter: bigint | undefined;
};

export type GetDisputeReturnType = DisputeDetails;

export type GetDisputeErrorType = ReadContractErrorType | MissingDeploymentAddressError;

/**
 * Reads the dispute of a job: phase, round, deadlines, bond, pot and the current round's
 * committee seats (who sits, and who has committed or revealed), plus the market's deadline
 * after which the dispute can be voided.
 *
 * @example
 * const d = await getDispute(client, { jobId })
 * if (d.phase === "Voting") console.log(`${d.committed}/${d.size} committed, reveal by ${d.revealDeadline}`)
 */
export async function getDispute(client: HashworkBaseClient, parameters: GetDisputeParameters): Promise<GetDisputeReturnType> {
  const { jobId } = parameters;
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const disputes = await getDisputesAddress(client);
  const read = { address: disputes, abi: hashworkDisputesAbi, blockNumber } as const;
  const [d, config] = await Promise.all([
    client.publicClient.readContract({ ...read, functionName: "getDispute", args: [jobId] }),
    client.publicClient.readContract({ ...read, functionName: "config" }),
  ]);
  const phase = phaseName(d.phase);
  const [seats, job] = await Promise.all([
    phase === "None"
      ? Promise.resolve([])
      : client.publicClient.readContract({ ...read, functionName: "getCommittee", args: [jobId, d.round] }),
    client.publicClient.readContract({
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "getJob",
      args: [jobId],
      blockNumber,
    }),
  ]);
  // While Disputed, the job's `deadline` is the dispute deadline.
  const disputed = job.state === JobState.Disputed;
  return {
    jobId,
    phase,
    isAudit: phase !== "None" && d.challenger === zeroAddress,
    forced: d.forced,
    challenger: d.challenger,
    challengerHash: await challengerHashOf(client, disputes, jobId, d.challenger, d.challengerHash, blockNumber),
    bond: d.bond,
    pot: d.pot,
    round: d.round,
    size: d.size,
    members: d.members,
    committed: d.committed,
    revealed: d.revealed,
    seedBlock: BigInt(d.seedBlock),
    snapshotBlock: BigInt(d.snapshotBlock),
    commitDeadline: BigInt(d.commitDeadline),
    revealDeadline: BigInt(d.revealDeadline),
    lockPerSeat: config.verifierLock,
    committee: seats.map((s, seatIndex) => {
      const status = seatStatusName(s.status);
      return {
        seatIndex,
        verifier: s.verifier,
        status,
        votes: s.votes,
        locked: s.locked,
        commitment: status === "Committed" ? s.vote : undefined,
        resultHash: status === "Revealed" ? s.vote : undefined,
      };
    }),
    voidableAfter: disputed ? job.deadline : undefined,
  };
}

/**
 * The module forgets a challenger's hash once its dispute is settled (the storage is reused):
 * then it is read from the dispute's `DisputeOpened` event.
 */
async function challengerHashOf(
  client: HashworkBaseClient,
  disputes: Address,
  jobId: bigint,
  challenger: Address,
  stored: Hex,
  toBlock: bigint,
): Promise<Hex> {
  if (challenger === zeroAddress || stored !== zeroHash) return stored;
  const logs = await getDecodedLogs(client, {
    address: disputes,
    abi: hashworkDisputesAbi,
    topics: encodeEventTopics({ abi: hashworkDisputesAbi, eventName: "DisputeOpened", args: { jobId } }),
    toBlock,
  });
  const opened = logs.find((l) => l.eventName === "DisputeOpened");
  return opened?.eventName === "DisputeOpened" ? opened.args.challengerHash : stored;
}
