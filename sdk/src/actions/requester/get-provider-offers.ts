import { encodeEventTopics, type Address, type ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getDecodedLogs } from "../../utils/logs.ts";

export type GetProviderOffersParameters = {
  /** Read as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
};

/** One registered provider's latest published profile and the stake behind it. */
export type ProviderOffer = {
  provider: Address;
  /** Where it serves outputs. */
  endpoint: string;
  /** Its asking price per unit of a job's fuel limit (token base units; advisory on chain, its daemon's floor off chain). */
  pricePerFuel: bigint;
  /** The largest fuel limit it takes. */
  maxFuel: bigint;
  /** Stake not locked as collateral: the most collateral a new claim can lock. */
  free: bigint;
  /** Protocol fees paid on completed jobs (what its score is built from), token base units. */
  feesPaid: bigint;
  completed: number;
};

export type GetProviderOffersReturnType = ProviderOffer[];

export type GetProviderOffersErrorType = ReadContractErrorType;

/**
 * Every provider that published a profile (`registerProvider`: price per fuel, max fuel), with
 * its latest profile, free stake and reputation counters, cheapest first. Providers with no free
 * stake are left out: they can claim nothing. What `postJob`'s pre-flight checks and `quoteJob`
 * compare a job with.
 *
 * @example
 * const offers = await getProviderOffers(client)
 * const takers = offers.filter((o) => o.maxFuel >= fuelLimit && o.pricePerFuel * fuelLimit <= reward)
 */
export async function getProviderOffers(
  client: HashworkBaseClient,
  parameters: GetProviderOffersParameters = {},
): Promise<GetProviderOffersReturnType> {
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const logs = await getDecodedLogs(client, {
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    topics: encodeEventTopics({ abi: hashworkMarketAbi, eventName: "ProviderProfileUpdated" }),
    toBlock: blockNumber,
  });
  // The latest profile per provider wins (logs come in chain order).
  const latest = new Map<Address, { endpoint: string; pricePerFuel: bigint; maxFuel: bigint }>();
  for (const log of logs) {
    if (log.eventName !== "ProviderProfileUpdated") continue;
    const { provider, endpoint, pricePerFuel, maxFuel } = log.args;
    latest.set(provider, { endpoint, pricePerFuel, maxFuel });
  }
  const read = { address: client.deployment.market, abi: hashworkMarketAbi, blockNumber } as const;
  const offers = await Promise.all(
    [...latest].map(async ([provider, profile]): Promise<ProviderOffer> => {
      const [stake, reputation] = await Promise.all([
        client.publicClient.readContract({ ...read, functionName: "stakeOf", args: [provider] }),
        client.publicClient.readContract({ ...read, functionName: "reputationOf", args: [provider] }),
      ]);
      return {
        provider,
        ...profile,
        free: stake.staked - stake.locked,
        feesPaid: reputation.feesPaid,
        completed: reputation.completed,
      };
    }),
  );
  return offers.filter((o) => o.free > 0n).sort((a, b) => (a.pricePerFuel < b.pricePerFuel ? -1 : a.pricePerFuel > b.pricePerFuel ? 1 : 0));
}

/** The providers among `offers` that take a job of `fuelLimit` paying `reward` with `collateral` locked. */
export function offersTaking(
  offers: readonly ProviderOffer[],
  job: { fuelLimit: bigint; reward: bigint; collateral: bigint },
): ProviderOffer[] {
  return offers.filter((o) => o.maxFuel >= job.fuelLimit && o.pricePerFuel * job.fuelLimit <= job.reward && o.free >= job.collateral);
}

/** The largest of `values` (0 for none); `Math.max` takes no bigints. */
export function largestOf(values: readonly bigint[]): bigint {
  let largest = 0n;
  for (const v of values) if (v > largest) largest = v;
  return largest;
}

/** The smallest of `values` (undefined for none). */
export function smallestOf(values: readonly bigint[]): bigint | undefined {
  let smallest: bigint | undefined;
  for (const v of values) if (smallest === undefined || v < smallest) smallest = v;
  return smallest;
}
