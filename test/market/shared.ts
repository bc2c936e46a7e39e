/**
 * Small helpers shared by the market tests (no tests in here). Everything that touches the
 * chain takes the market or the values it needs as arguments, so each test file keeps its own
 * `network.create()` and fixtures.
 */
import { AbiCoder, keccak256 } from "ethers";

import type { JobRequest, SubmittedJob } from "../helpers/fixtures.js";

/** IJobMarket.JobState, as the bigints the contract views return. */
export const JobState = {
  None: 0n,
  Open: 1n,
  Claimed: 2n,
  Submitted: 3n,
  Disputed: 4n,
  Finalized: 5n,
  Cancelled: 6n,
  Expired: 7n,
  TimedOut: 8n,
  Overturned: 9n,
  Voided: 10n,
} as const;

/** The `expectedStates` masks of MarketUnexpectedJobState: bit `state` set per accepted state. */
export const Expect = {
  Open: 1n << JobState.Open,
  Claimed: 1n << JobState.Claimed,
  Submitted: 1n << JobState.Submitted,
  Disputed: 1n << JobState.Disputed,
} as const;

export const MAX_BATCH = 100n;
export const FEE_BPS = 100n;
export const ZERO_BYTES32 = `0x${"00".repeat(32)}`;

/** What the contract computes: reward * pct / 100, rounded up. */
export function collateralOf(reward: bigint, collateralPct: bigint): bigint {
  return (reward * collateralPct + 99n) / 100n;
}

/** Protocol fee at FEE_BPS, rounded down; the provider gets the rest. */
export function feeOf(reward: bigint, bps: bigint = FEE_BPS): bigint {
  return (reward * bps) / 10_000n;
}

/** MarketGovernance.INITIAL_AUDIT_RESERVE_BPS: the share of every fee set aside for audits. */
export const AUDIT_RESERVE_BPS = 5_000n;

/** The part of a job's fee that goes to the audit reserve, rounded down. */
export function reserveOf(fee: bigint, bps: bigint = AUDIT_RESERVE_BPS): bigint {
  return (fee * bps) / 10_000n;
}

/** The part of a job's fee the treasury accrues: the fee minus the reserve's share. */
export function treasuryShareOf(fee: bigint, bps: bigint = AUDIT_RESERVE_BPS): bigint {
  return fee - reserveOf(fee, bps);
}

/** IReputation.reputationUnit() for an 18-decimal token: fees paid are counted in thousandths. */
export const REPUTATION_UNIT = 10n ** 15n;

/** The fees paid a settled job adds to its provider's record: its fee, rounded down to whole units. */
export function feesPaidOf(fee: bigint): bigint {
  return (fee / REPUTATION_UNIT) * REPUTATION_UNIT;
}

/**
 * PayoutMath.score (what `scoreFor(provider, reward)` returns), for asserting reputation without
 * hard-coding magic numbers: fees paid against the job's reward times the failures' penalty.
 */
export function scoreFor(feesPaid: bigint, reward: bigint, timedOut = 0n, disputesLost = 0n): bigint {
  if (feesPaid === 0n) return 0n;
  return (feesPaid * 10_000n) / (feesPaid + reward * (1n + 2n * timedOut + 5n * disputesLost));
}

/** A job id: the requester in the top 160 bits, its nonce in the low 96. */
export function jobIdOf(requester: string, nonce: bigint): bigint {
  return (BigInt(requester) << 96n) | nonce;
}

/** The 200-bit commitment JobRecordLib stores for submitted terms. */
export function commitmentOf(terms: SubmittedJob): bigint {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["uint96", "uint16", "address", "bytes32", "uint64"],
    [terms.reward, terms.collateralPct, terms.provider, terms.resultHash, terms.submittedBlock],
  );
  return BigInt(keccak256(encoded)) >> 56n;
}

/** A JobRequest as the positional tuple `emit(...).withArgs` compares struct arguments with. */
export function requestTuple(q: JobRequest): unknown[] {
  return [
    q.programHash,
    q.inputHash,
    q.fuelLimit,
    q.reward,
    q.collateralPct,
    q.claimDeadline,
    q.executionTime,
    q.challengeWindow,
    q.minReputation,
    q.designatedProvider,
    q.programURI,
    q.inputURI,
  ];
}

/** The settlement terms with one field replaced (for commitment-mismatch tests). */
export function tampered(terms: SubmittedJob, change: Partial<SubmittedJob>): SubmittedJob {
  return { ...terms, ...change };
}

/** The terms a job is committed with when submitted in block `submittedBlock`. */
export function termsFor(request: JobRequest, provider: string, resultHash: string, submittedBlock: number): SubmittedJob {
  return { reward: request.reward, collateralPct: request.collateralPct, provider, resultHash, submittedBlock };
}

/** One pay bucket as the tests read it (IPayBuckets: clocks from `PayClocks`, money from `PayPurse`). */
export type Bucket = {
  payout: bigint;
  fee: bigint;
  collateral: bigint;
  jobs: bigint;
  feeUnits: bigint;
  maturesAt: bigint;
  sealsAt: bigint;
};

/** `pendingPayOf(provider)` decoded into both buckets (PayClocks layout: per bucket i from bit 128 * i). */
export async function bucketsOf(market: { pendingPayOf(provider: string): Promise<unknown> }, provider: string): Promise<[Bucket, Bucket]> {
  const [clocks, purses] = (await market.pendingPayOf(provider)) as [bigint, { payout: bigint; fee: bigint; collateral: bigint }[]];
  const bits = (w: bigint, from: bigint, width: bigint) => (w >> from) & ((1n << width) - 1n);
  const bucket = (i: number): Bucket => {
    const w = clocks >> BigInt(128 * i);
    return {
      payout: purses[i]!.payout,
      fee: purses[i]!.fee,
      collateral: purses[i]!.collateral,
      maturesAt: bits(w, 0n, 40n),
      sealsAt: bits(w, 40n, 40n),
      jobs: bits(w, 80n, 24n),
      feeUnits: bits(w, 104n, 24n),
    };
  };
  return [bucket(0), bucket(1)];
}
