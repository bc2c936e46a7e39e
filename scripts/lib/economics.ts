/**
 * The inequalities that make cheating unprofitable in Hashwork, as code: `docs/economics.md`
 * explains each, and `test/disputes/economics.ts` checks the deployed defaults satisfy them.
 * All amounts are in token base units (bigint); rates are basis points.
 */
import { TOKEN_UNIT, type DisputeParameters, type MarketParameters } from "./defaults.js";

/** The job the inequalities are evaluated for. */
export interface ReferenceJob {
  /** The requester's payment. */
  reward: bigint;
  /** Provider collateral as a percentage of the reward (the SDK's default is 150). */
  collateralPct: bigint;
  /** What executing the job costs an honest machine, in tokens (what a cheater saves). */
  executionCost: bigint;
}

/** 10 tokens of reward, 150% collateral, 0.5 tokens of compute (a 95% margin). */
export const REFERENCE_JOB: ReferenceJob = {
  reward: 10n * TOKEN_UNIT,
  collateralPct: 150n,
  executionCost: TOKEN_UNIT / 2n,
};

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

/** Evaluates every inequality for the given parameters and reference job. */
export function economics(
  market: MarketParameters,
  d: DisputeParameters,
  job: ReferenceJob = REFERENCE_JOB,
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
    ge(
      "auditsAffordable",
      "Fees pay for audits in expectation: feeBps × reward ≥ auditRate × K × verifierFee",
      (job.reward * feeBps) / BPS,
      (auditRate * committeePay) / BPS,
    ),
    ge(
      "roundsFitDeadline",
      "Every round fits before the market's dispute deadline: maxDisputeDuration ≥ maxRounds × (commit + reveal)",
      BigInt(market.maxDisputeDuration),
      BigInt(d.maxRounds * (d.commitPeriod + d.revealPeriod)),
    ),
  ];
}

/** The largest execution cost (in tokens) the audit alone deters for this job. */
export function auditDeterrenceLimit(market: MarketParameters, d: DisputeParameters, job: ReferenceJob): bigint {
  const payout = job.reward - (job.reward * BigInt(market.feeBps)) / BPS;
  const collateral = (job.reward * job.collateralPct + 99n) / 100n;
  return (BigInt(d.auditRateBps) * (payout + collateral)) / BPS;
}
