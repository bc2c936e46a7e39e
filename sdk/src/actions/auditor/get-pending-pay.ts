import type { Address, ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";

/**
 * The market's `PAY_SEAL` (a contract constant): a bucket takes jobs this long after it opens.
 * A fast-path job with a longer challenge window would hold its bucket's other jobs' pay and
 * collateral until that window ends, so the daemon fast-paths only jobs whose window is at most this.
 */
export const PAY_SEAL_SECONDS = 600;

export type GetPendingPayParameters = {
  provider: Address;
  /** Read as of this block (and judge maturity by its timestamp). Default: latest. */
  blockNumber?: bigint | undefined;
};

/** One of a provider's two pay buckets (`IPayBuckets.PayBucket`). */
export type PayBucket = {
  index: number;
  jobs: number;
  /** Rewards minus fees of the jobs held, owed to the provider. */
  payout: bigint;
  fee: bigint;
  /** Their collateral, locked in the provider's stake until the release. */
  collateral: bigint;
  feeUnits: number;
  /** Releasable strictly after this time (the latest challenge end among its jobs). */
  maturesAt: bigint;
  /** The bucket takes new jobs only before this time. */
  sealsAt: bigint;
  /** Holds jobs and is past `maturesAt` at the block read: `releasePay` would pay it now. */
  releasable: boolean;
};

export type GetPendingPayReturnType = {
  provider: Address;
  buckets: [PayBucket, PayBucket];
  /** Payout of the releasable buckets. */
  releasable: bigint;
  /** Payout of all buckets. */
  pending: bigint;
  blockNumber: bigint;
};

export type GetPendingPayErrorType = ReadContractErrorType;

/**
 * A provider's deferred pay: fast-path jobs are paid per bucket once the bucket matures, not by
 * `finalizeJob` (see `releasePay`). Both buckets, what is releasable now and what is pending.
 *
 * @example
 * const { releasable } = await getPendingPay(client, { provider: "0x…" })
 */
export async function getPendingPay(client: HashworkBaseClient, parameters: GetPendingPayParameters): Promise<GetPendingPayReturnType> {
  const { provider } = parameters;
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const [[clocks, purses], block] = await Promise.all([
    client.publicClient.readContract({
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "pendingPayOf",
      args: [provider],
      blockNumber,
    }),
    client.publicClient.getBlock({ blockNumber }),
  ]);
  // PayClocks: per bucket i, from bit 128 * i: maturesAt (40 bits), sealsAt (40), jobs (24), feeUnits (24).
  const bits = (w: bigint, from: bigint, width: bigint) => (w >> from) & ((1n << width) - 1n);
  const buckets = purses.map((p, index) => {
    const w = clocks >> BigInt(128 * index);
    const jobs = Number(bits(w, 80n, 24n));
    const maturesAt = bits(w, 0n, 40n);
    return {
      index,
      jobs,
      payout: p.payout,
      fee: p.fee,
      collateral: p.collateral,
      feeUnits: Number(bits(w, 104n, 24n)),
      maturesAt,
      sealsAt: bits(w, 40n, 40n),
      releasable: jobs > 0 && block.timestamp > maturesAt,
    };
  }) as [PayBucket, PayBucket];
  return {
    provider,
    buckets,
    releasable: buckets.reduce((sum, b) => sum + (b.releasable ? b.payout : 0n), 0n),
    pending: buckets.reduce((sum, b) => sum + b.payout, 0n),
    blockNumber,
  };
}
