import { getAddress, type Address, type Hash, type MulticallErrorType, type ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { indexedBlock, indexerGraphql, IndexerUnavailableError, withIndexer, type IndexerOption } from "../../utils/indexer.ts";
import { getProviderProfiles } from "../../utils/provider-profiles.ts";
import { readMany } from "../../utils/read-many.ts";

export type GetProviderOffersParameters = {
  /** Read as of this block. Default: latest (through an indexer: the block it has indexed). */
  blockNumber?: bigint | undefined;
  /**
   * Read the offers from this Hashwork indexer (one query, no chain reads), falling back to the
   * chain when it cannot answer. Default: the client's `indexer`, if any.
   */
  indexer?: IndexerOption | undefined;
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

export type GetProviderOffersErrorType = ReadContractErrorType | MulticallErrorType;

/**
 * Every provider that published a profile (`registerProvider`: price per fuel, max fuel), with
 * its latest profile, free stake and reputation counters, cheapest first. Providers with no free
 * stake are left out: they can claim nothing. What `postJob`'s pre-flight checks and `quoteJob`
 * compare a job with.
 *
 * Anyone can register providers, so this must stay cheap however many there are: through an
 * indexer it is a few HTTP requests and no chain reads; from the chain the profile logs are
 * scanned once per client and market and then only from where the last call stopped
 * (`getProviderProfiles`), the stakes and reputations come in a few multicalls (`readMany`), and
 * a second call at the same block returns the first one's answer.
 *
 * @example
 * const offers = await getProviderOffers(client)
 * const takers = offers.filter((o) => o.maxFuel >= fuelLimit && o.pricePerFuel * fuelLimit <= reward)
 */
export async function getProviderOffers(
  client: HashworkBaseClient,
  parameters: GetProviderOffersParameters = {},
): Promise<GetProviderOffersReturnType> {
  return withIndexer(
    client,
    parameters.indexer,
    (indexer) => offersFromIndexer(client, indexer, parameters.blockNumber),
    async () => {
      // The block's hash too: the same number on another branch (a reorg, a reverted snapshot) is another answer.
      const { number, hash } = await client.publicClient.getBlock(
        parameters.blockNumber === undefined ? { blockTag: "latest" } : { blockNumber: parameters.blockNumber },
      );
      return offersFromChain(client, number, hash);
    },
  );
}

/** The last answer per public client: posts in the same block share it. */
const lastAnswer = new WeakMap<object, { market: Address; blockHash: Hash; offers: Promise<ProviderOffer[]> }>();

function offersFromChain(client: HashworkBaseClient, blockNumber: bigint, blockHash: Hash): Promise<ProviderOffer[]> {
  const last = lastAnswer.get(client.publicClient);
  if (last && last.market === client.deployment.market && last.blockHash === blockHash) return last.offers.then((o) => [...o]);
  const offers = readOffers(client, blockNumber);
  lastAnswer.set(client.publicClient, { market: client.deployment.market, blockHash, offers });
  // A failed read is forgotten, so the next call retries.
  offers.catch(() => lastAnswer.get(client.publicClient)?.offers === offers && lastAnswer.delete(client.publicClient));
  return offers.then((o) => [...o]);
}

async function readOffers(client: HashworkBaseClient, blockNumber: bigint): Promise<ProviderOffer[]> {
  const profiles = [...(await getProviderProfiles(client, blockNumber))];
  const market = { address: client.deployment.market, abi: hashworkMarketAbi } as const;
  const reads = await readMany(
    client,
    profiles.flatMap(([provider]) => [
      { ...market, functionName: "stakeOf", args: [provider] } as const,
      { ...market, functionName: "reputationOf", args: [provider] } as const,
    ]),
    blockNumber,
  );
  const offers = profiles.map(([provider, profile], i): ProviderOffer => {
    const stake = reads[2 * i] as { staked: bigint; locked: bigint };
    const reputation = reads[2 * i + 1] as { feesPaid: bigint; completed: number };
    return { provider, ...profile, free: stake.staked - stake.locked, feesPaid: reputation.feesPaid, completed: reputation.completed };
  });
  return withFreeStakeCheapestFirst(offers);
}

/** One page of the indexer's `provider` table (bigints as decimal strings). */
type ProviderRows = {
  providers: {
    items: {
      address: string;
      endpoint: string | null;
      pricePerFuel: string | null;
      maxFuel: string | null;
      staked: string;
      locked: string;
      jobsDone: number;
      feesPaid: string;
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

const PROVIDERS_QUERY = `query ($after: String) {
  providers(limit: 1000, after: $after, orderBy: "address", orderDirection: "asc") {
    items { address endpoint pricePerFuel maxFuel staked locked jobsDone feesPaid }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The offers as the indexer has them at its indexed block (`GET /status`), paged 1000 at a time. */
async function offersFromIndexer(
  client: HashworkBaseClient,
  indexer: IndexerOption,
  blockNumber: bigint | undefined,
): Promise<ProviderOffer[]> {
  const block = await indexedBlock(client, indexer);
  if (blockNumber !== undefined && blockNumber !== block) {
    throw new IndexerUnavailableError(`indexer ${indexer.url} is at block ${block}, not ${blockNumber}`);
  }
  const offers: ProviderOffer[] = [];
  for (let after: string | null = null; ; ) {
    const page: ProviderRows = await indexerGraphql<ProviderRows>(indexer, PROVIDERS_QUERY, { after });
    for (const row of page.providers.items) {
      // A provider that staked but never published a profile offers nothing.
      if (row.pricePerFuel === null || row.maxFuel === null) continue;
      offers.push({
        provider: getAddress(row.address),
        endpoint: row.endpoint ?? "",
        pricePerFuel: BigInt(row.pricePerFuel),
        maxFuel: BigInt(row.maxFuel),
        free: BigInt(row.staked) - BigInt(row.locked),
        feesPaid: BigInt(row.feesPaid),
        completed: row.jobsDone,
      });
    }
    if (!page.providers.pageInfo.hasNextPage) break;
    after = page.providers.pageInfo.endCursor;
  }
  return withFreeStakeCheapestFirst(offers);
}

/** Providers with free stake, cheapest first (ties by address, so every source gives one order). */
function withFreeStakeCheapestFirst(offers: ProviderOffer[]): ProviderOffer[] {
  const order = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  return offers
    .filter((o) => o.free > 0n)
    .sort((a, b) => order(a.pricePerFuel, b.pricePerFuel) || order(BigInt(a.provider), BigInt(b.provider)));
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
