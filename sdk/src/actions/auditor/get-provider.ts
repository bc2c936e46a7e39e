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
  /**
   * A job reward (token base units) to score the provider for: `scoreFor` is then the score a
   * claim of a job paying that much is checked against now (`scoreFor(provider, reward)`, which
   * also counts the collateral the provider has locked). The score depends on the reward, so
   * without one there is none. Default: none.
   */
  reward?: bigint | undefined;
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
    /**
     * Protocol fees paid on its completed jobs, in token base units (counted in thousandths of a
     * token, so it moves in steps of `reputationUnit()`). What its score is built from.
     */
    feesPaid: bigint;
  };
  /**
   * Its score (0–10000) for a job paying `reward`, when `reward` was given:
   * `10000 * feesPaid / (feesPaid + reward * (1 + 2 * timedOut + 5 * disputesLost))`, 0 for a
   * provider that paid no fees yet. A job's `minReputation` is compared with this.
   */
  scoreFor?: { reward: bigint; score: number } | undefined;
  /** The latest profile the provider published (`ProviderProfileUpdated`), if any. */
  profile?: { endpoint: string; pricePerFuel: bigint; maxFuel: bigint; blockNumber: bigint } | undefined;
};

export type GetProviderReturnType = ProviderDetails;

export type GetProviderErrorType = ReadContractErrorType;

/**
 * Everything about one provider: stake (bonded, locked, free, unbonding), reputation counters
 * and fees paid, its score for a job of a given reward (with `reward`), and its latest published
 * profile. All figures are read at the same block.
 *
 * @example
 * const p = await getProvider(client, { provider: "0x…", reward: parseEther("10") })
 * console.log(p.free, p.reputation.feesPaid, p.scoreFor?.score, p.profile?.endpoint)
 */
export async function getProvider(client: HashworkBaseClient, parameters: GetProviderParameters): Promise<GetProviderReturnType> {
  const { provider } = parameters;
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const read = { address: client.deployment.market, abi: hashworkMarketAbi, blockNumber } as const;
  const { reward } = parameters;
  const [providerId, stake, unbonding, reputation, score] = await Promise.all([
    client.publicClient.readContract({ ...read, functionName: "providerIdOf", args: [provider] }),
    client.publicClient.readContract({ ...read, functionName: "stakeOf", args: [provider] }),
    client.publicClient.readContract({ ...read, functionName: "unbondingOf", args: [provider] }),
    client.publicClient.readContract({ ...read, functionName: "reputationOf", args: [provider] }),
    reward === undefined
      ? Promise.resolve(undefined)
      : client.publicClient.readContract({ ...read, functionName: "scoreFor", args: [provider, reward] }),
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
  if (reward !== undefined) details.scoreFor = { reward, score: score! };
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
