/**
 * The latest `ProviderProfileUpdated` of every provider, from logs, remembered per public client
 * and market: a call scans only the blocks since the last one, so a requester posting many jobs
 * pays for the deployment's history once, not on every post. Blocks within `REORG_DEPTH` of the
 * head are scanned every time and never remembered, and what is remembered is dropped when the
 * block it ends at is no longer on the chain (a deeper reorg, a test reverting a snapshot), so a
 * profile that left the chain is never served.
 */
import { encodeEventTopics, type Address } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "./client.ts";
import { getDecodedLogs } from "./logs.ts";

export type ProviderProfile = { endpoint: string; pricePerFuel: bigint; maxFuel: bigint };

/** Blocks below the head a profile must be buried under before it is remembered. */
const REORG_DEPTH = 64n;

type Scanned = { through: bigint; throughHash: `0x${string}`; profiles: Map<Address, ProviderProfile> };

/** Per public client (dropped with it), per market address. */
const remembered = new WeakMap<object, Map<Address, Scanned>>();

/** Every provider's latest published profile as of `blockNumber`. */
export async function getProviderProfiles(client: HashworkBaseClient, blockNumber: bigint): Promise<Map<Address, ProviderProfile>> {
  const market = client.deployment.market;
  const perMarket = remembered.get(client.publicClient) ?? new Map<Address, Scanned>();
  remembered.set(client.publicClient, perMarket);
  const start = client.deployment.fromBlock ?? 0n;
  let known = perMarket.get(market);
  if (known && (await client.publicClient.getBlock({ blockNumber: known.through })).hash !== known.throughHash) {
    perMarket.delete(market);
    known = undefined;
  }
  // Asked about a block before what is remembered (or nothing yet): start from the deployment.
  const base = known && known.through <= blockNumber ? known : { through: start - 1n, profiles: new Map<Address, ProviderProfile>() };
  if (base.through >= blockNumber) return new Map(base.profiles);
  const logs = await getDecodedLogs(client, {
    address: market,
    abi: hashworkMarketAbi,
    topics: encodeEventTopics({ abi: hashworkMarketAbi, eventName: "ProviderProfileUpdated" }),
    fromBlock: base.through + 1n,
    toBlock: blockNumber,
  });
  const settledThrough = blockNumber - REORG_DEPTH;
  const settled = new Map(base.profiles);
  const latest = new Map(base.profiles);
  // The latest profile per provider wins (logs come in chain order).
  for (const log of logs) {
    if (log.eventName !== "ProviderProfileUpdated") continue;
    const { provider, endpoint, pricePerFuel, maxFuel } = log.args;
    latest.set(provider, { endpoint, pricePerFuel, maxFuel });
    if (log.blockNumber <= settledThrough) settled.set(provider, { endpoint, pricePerFuel, maxFuel });
  }
  if (settledThrough > base.through && (!known || settledThrough > known.through)) {
    const { hash } = await client.publicClient.getBlock({ blockNumber: settledThrough });
    perMarket.set(market, { through: settledThrough, throughHash: hash, profiles: settled });
  }
  return latest;
}
