/**
 * The one module of default deployment parameters. The Ignition modules (`../modules/*.ts`) take
 * every parameter a parameters file leaves out from here, and the local deployments of tests,
 * benches, the demo and the test kit (`testkit/`, `scripts/lib/deploy-local.ts`) deploy with the
 * same values. They suit local chains (hardhat node, in-process network); production networks
 * pass their own through an Ignition parameters file (`remote.json`). `docs/economics.md`
 * explains the values.
 *
 * Imports nothing: the Ignition modules load it as `./defaults.js`, everything else as `.ts`.
 */
export const TOKEN_UNIT = 10n ** 18n;

/** The HashworkToken's supply minted to the deployer (`Hashwork.ts`' `initialSupply`). */
export const INITIAL_SUPPLY = 1_000_000_000n * TOKEN_UNIT;

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

/**
 * Governance defaults for a local chain whose market takes `LOCAL_PARAMETERS` (7-day unbonding,
 * claim delay, execution time and challenge window, 14-day disputes): the timelock delay is
 * exactly the bound, 4 × 7 + 14 = 42 days. Every parameters file sets its own.
 */
export const GOVERNANCE_DEFAULTS = {
  timelockDelay: 42 * 24 * 3600,
  votingDelay: 24 * 3600,
  votingPeriod: 7 * 24 * 3600,
  proposalThreshold: 0n,
  quorumPercent: 4,
} as const;
