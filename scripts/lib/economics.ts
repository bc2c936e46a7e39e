/**
 * The inequalities that make cheating unprofitable in Hashwork, as code: `docs/economics.md`
 * explains each, and `test/disputes/economics.ts` checks the deployed defaults satisfy them.
 * All amounts are in token base units (bigint); rates are basis points.
 */
import { TOKEN_UNIT, type DisputeParameters, type MarketParameters } from "../../ignition/parameters/defaults.js";

/** The job the inequalities are evaluated for. */
export interface ReferenceJob {
  /** The requester's payment. */
  reward: bigint;
  /** Provider collateral as a percentage of the reward (the market allows 100..300 by default). */
  collateralPct: bigint;
  /** What executing the job costs an honest machine, in tokens (what a cheater saves). */
  executionCost: bigint;
  /**
   * The reputation gate a requester who gates for security sets (`minReputation`, 0–10000): the
   * score the job asks of its provider, which must cost more to buy than the job pays.
   */
  minReputation: bigint;
}

/** 10 tokens of reward, 150% collateral, 0.5 tokens of compute (a 95% margin), gated at 9,000. */
export const REFERENCE_JOB: ReferenceJob = {
  reward: 10n * TOKEN_UNIT,
  collateralPct: 150n,
  executionCost: TOKEN_UNIT / 2n,
  minReputation: 9_000n,
};

/**
 * The share of every protocol fee the market keeps in its audit reserve, which alone pays audits
 * (`auditReserveBps()`: `INITIAL_AUDIT_RESERVE_BPS` = 50% at deployment, `setAuditReserveBps`
 * changes it); the rest is the treasury's.
 */
export const AUDIT_RESERVE_BPS = 5_000;

export interface Inequality {
  name: string;
  /** What the inequality says, in words. */
  claim: string;
  lhs: bigint;
  rhs: bigint;
  holds: boolean;
}

const BPS = 10_000n;

function ge(name: string, claim: string, lhs: bigint, rhs: bigint): Inequality {
  return { name, claim, lhs, rhs, holds: lhs >= rhs };
}

function gt(name: string, claim: string, lhs: bigint, rhs: bigint): Inequality {
  return { name, claim, lhs, rhs, holds: lhs > rhs };
}

/**
 * What an audit takes from the audit reserve: the budget for every seat of every round
 * (`auditBudget()` = verifierFee × (K + (K+2) + …)). The reserve funds the whole budget when the
 * audit opens; what the verifiers do not earn goes to the treasury, not back to the reserve.
 */
export function auditBudget(d: DisputeParameters): bigint {
  let seats = 0n;
  for (let r = 0; r < d.maxRounds; r++) seats += BigInt(d.committeeSize + 2 * r);
  return seats * d.verifierFee;
}

/**
 * The smallest reward from which the audit reserve keeps up with audits on average: the reserve's
 * share of a job's fee, reward × feeBps × auditReserveBps, must cover auditRate × the budget an
 * audit takes from it. Below it (the defaults: 40 tokens) audits still run — the reserve pays what
 * it holds — but the verifiers of an audit that upholds an honest result get less than their fee.
 * This is a sizing rule, not an inequality the defaults must meet for every job (docs/economics.md,
 * "Audit funding").
 */
export function auditReserveBreakEvenReward(
  market: MarketParameters,
  d: DisputeParameters,
  auditReserveBps: number = AUDIT_RESERVE_BPS,
): bigint {
  const perJobShare = BigInt(market.feeBps) * BigInt(auditReserveBps);
  const spend = BigInt(d.auditRateBps) * auditBudget(d) * BPS;
  return (spend + perJobShare - 1n) / perJobShare;
}

/**
 * The least protocol fees a provider must have paid to score `score` (0–9999) on a job of
 * `reward`: the market's `scoreFor` = 10000 × feesPaid / (feesPaid + reward × (1 + 2 × timedOut
 * + 5 × disputesLost)) is at least `score` exactly when feesPaid ≥ reward × penalty × score /
 * (10000 − score) (rounded up here). Self-dealing cannot buy it for less: a provider that posts
 * jobs to itself gets the reward back and pays exactly the fee.
 */
export function reputationCost(
  reward: bigint,
  score: bigint,
  { timedOut = 0n, disputesLost = 0n }: { timedOut?: bigint; disputesLost?: bigint } = {},
): bigint {
  if (score < 0n || score >= BPS) throw new RangeError(`score must be 0..9999, got ${score}`);
  const weighted = reward * (1n + 2n * timedOut + 5n * disputesLost) * score;
  const room = BPS - score;
  return (weighted + room - 1n) / room;
}

/**
 * Evaluates every inequality for the given parameters and reference job. `auditReserveBps`: the
 * share of every fee that reaches the audit reserve (the market's, 50% by default).
 */
export function economics(
  market: MarketParameters,
  d: DisputeParameters,
  job: ReferenceJob = REFERENCE_JOB,
  // biome-ignore lint/correctness/noUnusedFunctionParameters: documented but not yet used by any inequality (reported; no caller passes it)
  auditReserveBps: number = AUDIT_RESERVE_BPS,
): Inequality[] {
  const feeBps = BigInt(market.feeBps);
  const payout = job.reward - (job.reward * feeBps) / BPS;
  const collateral = (job.reward * job.collateralPct + 99n) / 100n;
  const k = BigInt(d.committeeSize);
  const maxSeats = k + 2n * BigInt(d.maxRounds - 1);
  const committeePay = k * d.verifierFee;
  const challengerReward = ((collateral - committeePay) * BigInt(d.challengerRewardBps)) / BPS;
  const auditRate = BigInt(d.auditRateBps);
  const slash = (d.verifierLock * BigInt(d.verifierSlashBps)) / BPS;
  return [
    ge(
      "auditDeters",
      "With no watcher at all, the audit alone makes lying unprofitable: " +
        "auditRate × (payout + collateral) ≥ execution cost saved by not running the job",
      (auditRate * (payout + collateral)) / BPS,
      job.executionCost,
    ),
    ge(
      "challengePays",
      "A watcher that catches a lie earns more than re-executing the job costs: " +
        "(collateral − K × verifierFee) × challengerRewardBps ≥ execution cost",
      challengerReward,
      job.executionCost,
    ),
    ge(
      "collateralPaysCommittee",
      "A wrong provider's collateral pays the whole first committee: collateral ≥ K × verifierFee",
      collateral,
      committeePay,
    ),
    ge(
      "bondPaysEveryCommittee",
      "A wrong challenger's bond pays the largest committee (also enforced by setConfig): " +
        "challengeBond ≥ verifierFee × seats of the last round",
      d.challengeBond,
      d.verifierFee * maxSeats,
    ),
    ge(
      "griefingCompensated",
      "A false challenge pays the provider more than the reward it delayed: challengeBond − K × verifierFee ≥ reward",
      d.challengeBond - committeePay,
      job.reward,
    ),
    ge(
      "verifierPaidForWork",
      "A verifier's fee covers re-executing the job: verifierFee ≥ execution cost",
      d.verifierFee,
      job.executionCost,
    ),
    ge(
      "shirkingCosts",
      "Not revealing, or voting against the majority, costs more than the fee earns: lock × slashBps ≥ verifierFee",
      slash,
      d.verifierFee,
    ),
    gt(
      "reputationCostsMoreThanJob",
      "Buying the score a gated job asks costs more than the job pays: the fees that score S on a job of reward R " +
        "takes, R × S / (10000 − S) (which self-dealing pays in full), > R — true for every S > 5000",
      reputationCost(job.reward, job.minReputation),
      job.reward,
    ),
    ge(
      "roundsFitDeadline",
      "Every round, its draw and resolution, and the arbiter fit before the market's dispute deadline: maxDisputeDuration ≥ maxRounds × (commit + reveal + 5 min) + 30 min",
      BigInt(market.maxDisputeDuration),
      BigInt(d.maxRounds * (d.commitPeriod + d.revealPeriod + 300) + 1800),
    ),
  ];
}

/** The largest execution cost (in tokens) the audit alone deters for this job. */
export function auditDeterrenceLimit(market: MarketParameters, d: DisputeParameters, job: ReferenceJob): bigint {
  const payout = job.reward - (job.reward * BigInt(market.feeBps)) / BPS;
  const collateral = (job.reward * job.collateralPct + 99n) / 100n;
  return (BigInt(d.auditRateBps) * (payout + collateral)) / BPS;
}
