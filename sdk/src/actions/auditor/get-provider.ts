import { encodeEventTopics, type Address, type ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getDecodedLogs } from "../../utils/logs.ts";

export type GetProviderParameters = {
  provider: Address;
  /** Read as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
  /** Whether to look up the latest published profile in the logs. Default: true. */
  includeProfile?: boolean | undefined;
};

export type ProviderDetails = {
  address: Address;
  /** Compact id used in job records; 0 if never registered. */
  providerId: number;
  registered: boolean;
  /** Bonded stake, including locked collateral. */
  staked: bigint;
  /** Collateral locked by claimed jobs (committee duties lock verifier bonds in the verifier pool instead). */
  locked: bigint;
  /** `staked - locked`: what new claims can lock and `requestUnstake` can move. */
  free: bigint;
  /** Stake on its way out. */
  unbonding: { amount: bigint; unlockAt: bigint };
  reputation: {
    completed: number;
    timedOut: number;
    disputesLost: number;
    disputesWon: number;
    /** Unix time of the last claim or settlement. */
    lastActive: number;
    /** 0–10000; jobs may require a minimum. */
    score: number;
  };
  /** The latest profile the provider published (`ProviderProfileUpdated`), if any. */
  profile?: { endpoint: string; pricePerFuel: bigint; maxFuel: bigint; blockNumber: bigint } | undefined;
};

export type GetProviderReturnType = ProviderDetails;

export type GetProviderErrorType = ReadContractErrorType;

/**
 * Everything about one provider: stake (bonded, locked, free, unbonding), reputation counters
 * and score, and its latest published profile. All figures are read at the same block.
 *
 * @example
 * const p = await getProvider(client, { provider: "0x…" })
 * console.log(p.free, p.reputation.score, p.profile?.endpoint)
 */
export async function getProvider(
  client: HashworkBaseClient,
  parameters: GetProviderParameters,
): Promise<GetProviderReturnType> {
  const { provider } = parameters;
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const read = { address: client.deployment.market, abi: hashworkMarketAbi, blockNumber } as const;
  const [providerId, stake, unbonding, reputation] = await Promise.all([
    client.publicClient.readContract({ ...read, functionName: "providerIdOf", args: [provider] }),
    client.publicClient.readContract({ ...read, functionName: "stakeOf", args: [provider] }),
    client.publicClient.readContract({ ...read, functionName: "unbondingOf", args: [provider] }),
    client.publicClient.readContract({ ...read, functionName: "reputationOf", args: [provider] }),
  ]);
  const details: ProviderDetails = {
    address: provider,
    providerId,
    registered: providerId !== 0,
    staked: stake.staked,
    locked: stake.locked,
    free: stake.staked - stake.locked,
    unbonding: { amount: unbonding.amount, unlockAt: BigInt(unbonding.unlockAt) },
    reputation: { ...reputation },
  };
  if ((parameters.includeProfile ?? true) && details.registered) {
    const logs = await getDecodedLogs(client, {
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      topics: encodeEventTopics({ abi: hashworkMarketAbi, eventName: "ProviderProfileUpdated", args: { provider } }),
      toBlock: blockNumber,
    });
    const last = logs.findLast((l) => l.eventName === "ProviderProfileUpdated");
    if (last && last.eventName === "ProviderProfileUpdated") {
      const { endpoint, pricePerFuel, maxFuel } = last.args;
      details.profile = { endpoint, pricePerFuel, maxFuel, blockNumber: last.blockNumber };
    }
  }
  return details;
}
