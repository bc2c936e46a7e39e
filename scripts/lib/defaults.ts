/**
 * Deployment parameters for local chains (hardhat node, in-process network, tests, demo).
 * Production networks pass their own through the Ignition parameters file.
 */
export const TOKEN_UNIT = 10n ** 18n;

export interface MarketParameters {
  feeBps: number;
  minStake: bigint;
  unbondingPeriod: number;
  maxClaimDelay: number;
  minExecutionTime: number;
  maxExecutionTime: number;
  minChallengeWindow: number;
  maxChallengeWindow: number;
  maxDisputeDuration: number;
  /** Smallest reward a job may carry (a liar always has something to lose). */
  minReward: bigint;
  /** Collateral every job requires at least / at most, in percent of its reward. */
  minCollateralPct: number;
  maxCollateralPct: number;
}

export const LOCAL_PARAMETERS: MarketParameters = {
  feeBps: 100, // 1% protocol fee
  minStake: 100n * TOKEN_UNIT,
  unbondingPeriod: 7 * 24 * 3600,
  maxClaimDelay: 7 * 24 * 3600,
  minExecutionTime: 1,
  maxExecutionTime: 7 * 24 * 3600,
  minChallengeWindow: 1,
  maxChallengeWindow: 7 * 24 * 3600,
  maxDisputeDuration: 14 * 24 * 3600,
  minReward: TOKEN_UNIT / 100n,
  minCollateralPct: 100,
  maxCollateralPct: 300,
};

/** The MarketConfig tuple the constructor takes. */
export function marketConfig(p: MarketParameters) {
  return {
    paused: false,
    minStake: p.minStake,
    unbondingPeriod: p.unbondingPeriod,
    maxClaimDelay: p.maxClaimDelay,
    minExecutionTime: p.minExecutionTime,
    maxExecutionTime: p.maxExecutionTime,
    minChallengeWindow: p.minChallengeWindow,
    maxChallengeWindow: p.maxChallengeWindow,
    minReward: p.minReward,
    minCollateralPct: p.minCollateralPct,
    maxCollateralPct: p.maxCollateralPct,
  };
}

/**
 * Dispute-module parameters for local chains, in token units. `docs/economics.md` derives
 * them and `test/disputes/economics.ts` checks they satisfy its inequalities.
 */
export interface DisputeParameters {
  challengeBond: bigint;
  verifierLock: bigint;
  verifierFee: bigint;
  verifierSlashBps: number;
  challengerRewardBps: number;
  auditRateBps: number;
  committeeSize: number;
  maxRounds: number;
  commitPeriod: number;
  revealPeriod: number;
}

export const DISPUTE_PARAMETERS: DisputeParameters = {
  challengeBond: 20n * TOKEN_UNIT,
  verifierLock: 10n * TOKEN_UNIT,
  verifierFee: TOKEN_UNIT / 2n,
  verifierSlashBps: 5_000, // a lazy or lying verifier loses half its lock
  challengerRewardBps: 5_000, // half of a wrong provider's collateral after verifier pay
  auditRateBps: 500, // 5% of submitted jobs
  committeeSize: 3,
  maxRounds: 2, // 3 seats, then 5, then the arbiter
  commitPeriod: 3600,
  revealPeriod: 3600,
};
