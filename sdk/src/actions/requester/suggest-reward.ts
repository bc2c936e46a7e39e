/**
 * The reward `quoteJob` suggests, weighted so that a Sybil cannot steer it cheaply. Counting
 * heads ("the least reward half the providers take") lets anyone who registers many providers at
 * a low price, each with the minimum stake, drag it down until honest providers ignore the job.
 * Weighting each provider by the protocol fees it paid on completed jobs makes moving the
 * suggestion cost real fees; while no willing provider has paid any (a new market) the weight is
 * free stake, so moving it costs locking more stake than the honest providers hold.
 * `docs/economics.md` ("Quoting against Sybils") works out both costs.
 */

/** What providers are weighted by: fees paid on completed jobs, or free stake while nobody paid any. */
export type RewardWeighting = "fees" | "stake";

type Weighable = { excluded?: "fuel" | "stake" | undefined; feesPaid: bigint; free: bigint };

/**
 * The least of `levels` (ascending rewards) at which the providers that `takes` the job hold at
 * least half the weight of the willing ones (those not `excluded`); undefined when none takes it.
 */
export function suggestReward<P extends Weighable>(
  providers: readonly P[],
  levels: readonly bigint[],
  takes: (provider: P, reward: bigint) => boolean,
): { reward: bigint | undefined; weightedBy: RewardWeighting } {
  const willing = providers.filter((p) => p.excluded === undefined);
  const weightedBy: RewardWeighting = willing.some((p) => p.feesPaid > 0n) ? "fees" : "stake";
  const weight = (p: P) => (weightedBy === "fees" ? p.feesPaid : p.free);
  const total = willing.reduce((sum, p) => sum + weight(p), 0n);
  for (const reward of levels) {
    const taking = providers.filter((p) => takes(p, reward));
    const held = taking.reduce((sum, p) => sum + weight(p), 0n);
    if (taking.length > 0 && held * 2n >= total) return { reward, weightedBy };
  }
  return { reward: undefined, weightedBy };
}
