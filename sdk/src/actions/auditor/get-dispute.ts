import { zeroAddress, type Address, type Hex, type ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { JobState, type PhaseName, type SeatStatusName } from "../../abi/enums.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getDisputesAddress, phaseName, seatStatusName } from "../shared/disputes.ts";

export type GetDisputeParameters = {
  jobId: bigint;
  /** Read as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
};

/** A seat of the current round. */
export type CommitteeSeat = {
  seatIndex: number;
  verifier: Address;
  status: SeatStatusName;
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
  /** Who challenged; the zero address for an audit. */
  challenger: Address;
  /** The challenger's claimed result hash; zero for an audit. */
  challengerHash: Hex;
  /** The bond (or the audit budget) still held for the dispute. */
  bond: bigint;
  /** Verifier stake slashed in failed rounds, paid to the deciding round's honest verifiers. */
  pot: bigint;
  /** Zero-based round number. */
  round: number;
  /** Seats in the current round. */
  size: number;
  committed: number;
  revealed: number;
  /** The block whose hash seeds the current round's draw. */
  seedBlock: bigint;
  /** Unix times; zero until the round's committee is drawn. */
  commitDeadline: bigint;
  revealDeadline: bigint;
  /** Stake each verifier of the current round locked. */
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
  const d = await client.publicClient.readContract({ ...read, functionName: "getDispute", args: [jobId] });
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
    challenger: d.challenger,
    challengerHash: d.challengerHash,
    bond: d.bond,
    pot: d.pot,
    round: d.round,
    size: d.size,
    committed: d.committed,
    revealed: d.revealed,
    seedBlock: BigInt(d.seedBlock),
    commitDeadline: BigInt(d.commitDeadline),
    revealDeadline: BigInt(d.revealDeadline),
    lockPerSeat: d.lockPerSeat,
    committee: seats.map((s, seatIndex) => {
      const status = seatStatusName(s.status);
      return {
        seatIndex,
        verifier: s.verifier,
        status,
        commitment: status === "Committed" ? s.vote : undefined,
        resultHash: status === "Revealed" ? s.vote : undefined,
      };
    }),
    voidableAfter: disputed ? job.deadline : undefined,
  };
}
