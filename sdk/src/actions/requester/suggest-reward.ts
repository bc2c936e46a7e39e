/**
 * The reward `quoteJob` suggests, weighted so that a Sybil cannot steer it cheaply. Counting
 * heads ("the least reward half the providers take") lets anyone who registers many providers at
 * a low price, each with the minimum stake, drag it down until honest providers ignore the job.
 * Weighting each provider by the protocol fees it paid on completed jobs makes moving the
 * suggestion cost real fees; while no willing provider has paid any (a new market) the weight is
 * free stake, so moving it costs locking more stake than the honest providers hold.
 * `docs/economics.md` ("Quoting against Sybils") works out both costs.
 */

/** Which weighting set the suggestion: fees paid on completed jobs, or free stake. */
export type RewardWeighting = "fees" | "stake";

type Weighable = { excluded?: "fuel" | "stake" | undefined; feesPaid: bigint; free: bigint };

/**
 * The least of `levels` (ascending rewards) at which the providers that `takes` the job hold at
 * least half the weight of the willing ones (those not `excluded`) by fees paid AND by free stake;
 * undefined when none takes it. Both must hold: with only "fees, else stake", one fake that paid
 * a single minimum fee in a new market would have switched the weighting to fees and held all of it.
 */
export function suggestReward<P extends Weighable>(
  providers: readonly P[],
  levels: readonly bigint[],
  takes: (provider: P, reward: bigint) => boolean,
): { reward: bigint | undefined; weightedBy: RewardWeighting } {
  const willing = providers.filter((p) => p.excluded === undefined);
  const fees = (p: P) => p.feesPaid;
  const stake = (p: P) => p.free;
  const total = (weight: (p: P) => bigint) => willing.reduce((sum, p) => sum + weight(p), 0n);
  const totals = { fees: total(fees), stake: total(stake) };
  const holdsHalf = (taking: P[], weight: (p: P) => bigint, of: bigint) => taking.reduce((sum, p) => sum + weight(p), 0n) * 2n >= of;
  let feesMet = false;
  for (const reward of levels) {
    const taking = providers.filter((p) => takes(p, reward));
    if (taking.length === 0) continue;
    const byFees = holdsHalf(taking, fees, totals.fees);
    const byStake = holdsHalf(taking, stake, totals.stake);
    if (byFees && byStake) {
      // The weighting that held the suggestion up to here (fees when both met it at once and any were paid).
      const weightedBy: RewardWeighting = feesMet || totals.fees === 0n ? "stake" : "fees";
      return { reward, weightedBy };
    }
    feesMet ||= byFees;
  }
  return { reward: undefined, weightedBy: totals.fees > 0n ? "fees" : "stake" };
}
