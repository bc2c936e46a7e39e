import type { Address, Hex } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { ExecutionStatus } from "../../executor/result-hash.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { IndexerOption } from "../../utils/indexer.ts";
import { collateralOf, DEFAULT_COLLATERAL_PCT, getJobValueBounds } from "../../utils/job-request.ts";
import { readMany } from "../../utils/read-many.ts";
import { getProviderOffers, largestOf } from "./get-provider-offers.ts";
import { suggestReward, type RewardWeighting } from "./suggest-reward.ts";

export type QuoteJobParameters = {
  /** The wasm program (ABI v1, or v2 with its input a bundle). */
  program: Uint8Array;
  input: Uint8Array;
  /**
   * The job's fuel limit. Default: the fuel the local run used plus `marginPct` (the run is
   * deterministic, so the same program and input burn the same fuel on every provider).
   */
  fuelLimit?: bigint | undefined;
  /** Head room over the measured fuel when `fuelLimit` is not given, in percent. Default 10. */
  marginPct?: number | undefined;
  /** Collateral the job will ask, in percent of the reward (providers need that much free stake). Default 100. */
  collateralPct?: number | undefined;
  /** Wall-clock guard on the local run, in ms. Default: the executor's. */
  timeoutMs?: number | undefined;
  /** Read the offers from this indexer (`getProviderOffers`). Default: the client's, if any. */
  indexer?: IndexerOption | undefined;
};

/** One provider's position on this job. */
export type QuoteProvider = {
  provider: Address;
  pricePerFuel: bigint;
  maxFuel: bigint;
  free: bigint;
  /** Protocol fees it paid on completed jobs: its weight in the suggestion once any willing provider paid some. */
  feesPaid: bigint;
  /** `pricePerFuel * fuelLimit`: the least reward it takes for this job. */
  floor: bigint;
  /** Its score (0–10000) for a job paying `floor` (`scoreFor`): what a `minReputation` gate is compared with. */
  score: number;
  /** Why it would not take the job at any reward, if so ("fuel": above its maxFuel; "stake": too little free stake for the collateral at its floor). */
  excluded?: "fuel" | "stake" | undefined;
};

export type QuoteJobReturnType = {
  /** Fuel the local run burned, and how it ended (`ExecutionStatus`). */
  fuelUsed: bigint;
  status: number;
  resultHash: Hex;
  /** The fuel limit quoted for. */
  fuelLimit: bigint;
  /** The market's least reward. */
  minReward: bigint;
  /** Every provider that published a profile and has free stake, cheapest first. */
  providers: QuoteProvider[];
  /** For each distinct price floor (at least `minReward`): how many providers take the job at that reward. */
  levels: { reward: bigint; providers: number }[];
  /**
   * The least reward that willing providers holding at least half of the willing providers'
   * protocol fees paid AND at least half of their free stake take (undefined when none would),
   * so registering many cheap providers does not drag it down (`docs/economics.md`, "Quoting
   * against Sybils").
   */
  suggestedReward: bigint | undefined;
  /** The weighting that set the suggestion (the other was met at or below it). */
  weightedBy: RewardWeighting;
  /** How many providers take the job at `suggestedReward`. */
  providersAtSuggested: number;
};

export type QuoteJobErrorType = InvalidParameterError;

/**
 * Price discovery for a job: runs the program locally with the real executor to measure its fuel
 * (Node only: the executor is loaded when called), reads the profiles registered providers
 * publish (price per fuel, max fuel), their free stake and reputation, and says how many would
 * take the job at which reward, with a suggested reward. A daemon's claim floor is its
 * `minPricePerFuel * fuelLimit`; providers are expected to publish the same price on chain.
 *
 * @example
 * const quote = await quoteJob(client, { program: wasm, input })
 * await postJob(client, { ...content, fuelLimit: quote.fuelLimit, reward: quote.suggestedReward!, executionTime: 600, challengeWindow: 600 })
 */
export async function quoteJob(client: HashworkBaseClient, parameters: QuoteJobParameters): Promise<QuoteJobReturnType> {
  const marginPct = parameters.marginPct ?? 10;
  const collateralPct = parameters.collateralPct ?? DEFAULT_COLLATERAL_PCT;
  const [offers, bounds] = await Promise.all([getProviderOffers(client, { indexer: parameters.indexer }), getJobValueBounds(client)]);
  // Without a fuel limit, run under the largest one any provider takes (or the executor's default).
  const largest = largestOf(offers.map((o) => o.maxFuel));
  const runLimit = parameters.fuelLimit ?? (largest > 0n ? largest : 1_000_000_000n);
  const { executeProgram } = await import("../../executor/execute-program.ts");
  const run = await executeProgram({
    wasm: parameters.program,
    input: parameters.input,
    fuelLimit: runLimit,
    timeoutMs: parameters.timeoutMs,
  });
  if (run.status === ExecutionStatus.OutOfFuel) {
    throw new InvalidParameterError({
      parameter: "fuelLimit",
      reason:
        parameters.fuelLimit === undefined
          ? `the program ran out of fuel at ${runLimit}, the largest fuel limit any provider takes`
          : `the program ran out of fuel at ${runLimit}: raise the fuel limit`,
    });
  }
  const measured = (run.fuelUsed * BigInt(100 + marginPct) + 99n) / 100n;
  const fuelLimit = parameters.fuelLimit ?? (measured > 0n ? measured : 1n);
  const ats = offers.map((o) => largestOf([o.pricePerFuel * fuelLimit, bounds.minReward]));
  // One multicall for every score, not one eth_call per provider.
  const market = { address: client.deployment.market, abi: hashworkMarketAbi } as const;
  const scores = await readMany(
    client,
    offers.map((o, i) => ({ ...market, functionName: "scoreFor", args: [o.provider, ats[i]!] }) as const),
  );
  const providers = offers.map((o, i): QuoteProvider => {
    const floor = o.pricePerFuel * fuelLimit;
    const excluded = o.maxFuel < fuelLimit ? "fuel" : o.free < collateralOf(ats[i]!, collateralPct) ? "stake" : undefined;
    const { provider, pricePerFuel, maxFuel, free, feesPaid } = o;
    return { provider, pricePerFuel, maxFuel, free, feesPaid, floor, score: scores[i] as number, excluded };
  });
  const takes = (p: QuoteProvider, reward: bigint) =>
    p.excluded !== "fuel" && p.floor <= reward && p.free >= collateralOf(reward, collateralPct);
  const takersAt = (reward: bigint) => providers.filter((p) => takes(p, reward)).length;
  const floors = [...new Set(providers.filter((p) => p.excluded === undefined).map((p) => largestOf([p.floor, bounds.minReward])))].sort(
    (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  const levels = floors.map((reward) => ({ reward, providers: takersAt(reward) }));
  const { reward: suggested, weightedBy } = suggestReward(providers, floors, takes);
  return {
    fuelUsed: run.fuelUsed,
    status: run.status,
    resultHash: run.resultHash,
    fuelLimit,
    minReward: bounds.minReward,
    providers,
    levels,
    suggestedReward: suggested,
    weightedBy,
    providersAtSuggested: suggested === undefined ? 0 : takersAt(suggested),
  };
}
