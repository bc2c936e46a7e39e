import type { Address, ReadContractErrorType } from "viem";

import { verifierPoolAbi } from "../../abi/verifier-pool.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getVerifierPoolAddress } from "../shared/disputes.ts";

export type GetVerifierParameters = {
  verifier: Address;
  /** Read as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
};

export type VerifierDetails = {
  /** The bond that is the verifier's draw weight. */
  bonded: bigint;
  /** Bond (or pending withdrawal) answering for committee seats held now. */
  locked: bigint;
  /** Requested out of the bond; still answers for seats held, withdrawable from `unlockAt`. */
  pending: bigint;
  /** Unix time from which `pending` (less what is locked) can be withdrawn; 0 if never requested. */
  unlockAt: bigint;
  /** The verifier's weight at the end of the block read (what a dispute opened in it draws with). */
  weight: bigint;
  /** Every verifier's weight at the end of that block (the verifier's chance per seat is `weight / totalWeight`, before exclusions). */
  totalWeight: bigint;
};

export type GetVerifierReturnType = VerifierDetails;

export type GetVerifierErrorType = ReadContractErrorType | MissingDeploymentAddressError;

/**
 * One verifier's place in the verifier pool: its bond (draw weight), what is locked for
 * committee seats, what is on its way out and when it can leave, and its weight against the
 * pool's total. All figures are read at the same block.
 *
 * @example
 * const v = await getVerifier(client, { verifier: "0x…" })
 * console.log(v.bonded, v.locked, `${Number((v.weight * 10_000n) / (v.totalWeight || 1n)) / 100}% of the pool`)
 */
export async function getVerifier(client: HashworkBaseClient, parameters: GetVerifierParameters): Promise<GetVerifierReturnType> {
  const { verifier } = parameters;
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const pool = await getVerifierPoolAddress(client);
  const read = { address: pool, abi: verifierPoolAbi, blockNumber } as const;
  const [member, weight, totalWeight] = await Promise.all([
    client.publicClient.readContract({ ...read, functionName: "memberOf", args: [verifier] }),
    client.publicClient.readContract({ ...read, functionName: "weightAt", args: [verifier, blockNumber] }),
    client.publicClient.readContract({ ...read, functionName: "totalWeightAt", args: [blockNumber] }),
  ]);
  return {
    bonded: member.bonded,
    locked: member.locked,
    pending: member.pending,
    unlockAt: BigInt(member.unlockAt),
    weight,
    totalWeight,
  };
}
