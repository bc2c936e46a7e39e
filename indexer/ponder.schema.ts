/**
 * The tables an auditor needs, derived from the contracts' events. Amounts are token base units
 * (bigint); times are unix seconds of the block; `*Block` columns are block numbers.
 */
import { index, onchainTable, primaryKey } from "ponder";

/** One row per job: its request, where it is, and how it settled. */
export const job = onchainTable(
  "job",
  (t) => ({
    id: t.bigint().primaryKey(),
    requester: t.hex().notNull(),
    provider: t.hex(),
    state: t.text().notNull(),
    reward: t.bigint().notNull(),
    collateralPct: t.integer().notNull(),
    collateral: t.bigint(),
    fuelLimit: t.bigint().notNull(),
    programHash: t.hex().notNull(),
    inputHash: t.hex().notNull(),
    programURI: t.text().notNull(),
    inputURI: t.text().notNull(),
    claimDeadline: t.bigint().notNull(),
    executionTime: t.integer().notNull(),
    challengeWindow: t.integer().notNull(),
    minReputation: t.integer().notNull(),
    designatedProvider: t.hex().notNull(),
    executionDeadline: t.bigint(),
    resultHash: t.hex(),
    outputURI: t.text(),
    challengeEnd: t.bigint(),
    providerPayout: t.bigint(),
    protocolFee: t.bigint(),
    refund: t.bigint(),
    collateralSlashed: t.bigint(),
    /**
     * Deferred pay (`PayDeferred`): the provider's pay bucket (0 or 1) holding this fast-path
     * job's pay, until `PayReleased` pays it or `JobDisputed` takes it out; else null.
     */
    payBucket: t.integer(),
    /** `pending` from `PayDeferred` until `PayReleased` (`released`); null for a job paid on its own. */
    payStatus: t.text(),
    disputed: t.boolean().notNull(),
    /** Set by `JobDisputed`: the dispute must be decided by then or it can be voided. */
    disputeDeadline: t.bigint(),
    postedBlock: t.bigint().notNull(),
    /** The `JobPosted` log's position and transaction: the SDK's job list reports them. */
    postedLogIndex: t.integer().notNull(),
    postedTx: t.hex().notNull(),
    postedAt: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  // The job list filters by one of these and sorts newest first: one index per filter, in that order.
  (t) => ({
    stateIdx: index().on(t.state, t.postedBlock),
    requesterIdx: index().on(t.requester, t.postedBlock),
    providerIdx: index().on(t.provider, t.postedBlock),
    postedIdx: index().on(t.postedBlock),
  }),
);

/**
 * Deferred pay (`PayDeferred`): one row per job whose pay went into one of its provider's two
 * buckets. `PayReleased` reads its bucket's unreleased rows with one query and stamps them
 * `releasedBlock`; `JobDisputed` deletes the row of a job that left its bucket. Appending a job
 * costs one insert however full the bucket is.
 */
export const payBucket = onchainTable(
  "pay_bucket",
  (t) => ({
    jobId: t.bigint().primaryKey(),
    provider: t.hex().notNull(),
    bucket: t.integer().notNull(),
    deferredBlock: t.bigint().notNull(),
    releasedBlock: t.bigint(),
  }),
  // The release's query: a provider's bucket, its jobs not yet released.
  (t) => ({ bucketIdx: index().on(t.provider, t.bucket, t.releasedBlock) }),
);

/** A job's timeline: every market and dispute event that names it, in log order. */
export const jobEvent = onchainTable(
  "job_event",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    contract: t.text().notNull(),
    name: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    args: t.json().notNull(),
  }),
  (t) => ({ jobIdx: index().on(t.jobId, t.blockNumber, t.logIndex) }),
);

/** A dispute (a challenge, or a random audit when `challenger` is zero) and its outcome. */
export const dispute = onchainTable("dispute", (t) => ({
  jobId: t.bigint().primaryKey(),
  challenger: t.hex().notNull(),
  isAudit: t.boolean().notNull(),
  provider: t.hex().notNull(),
  providerHash: t.hex().notNull(),
  challengerHash: t.hex().notNull(),
  bond: t.bigint().notNull(),
  seedBlock: t.bigint().notNull(),
  /** The first draw's seed block, as `DisputeOpened` named it (`seedBlock` follows reschedules). */
  openedSeedBlock: t.bigint().notNull(),
  /** The market's deadline for a decision (`JobDisputed`); past it the dispute can be voided. */
  deadline: t.bigint(),
  round: t.integer().notNull(),
  phase: t.text().notNull(),
  providerRight: t.boolean(),
  challengerRight: t.boolean(),
  winningHash: t.hex(),
  honestVerifiers: t.bigint(),
  arbiter: t.hex(),
  refund: t.bigint(),
  collateralSlashed: t.bigint(),
  bondReturned: t.bigint(),
  potToTreasury: t.bigint(),
  openedBlock: t.bigint().notNull(),
  openedLogIndex: t.integer().notNull(),
  openedTx: t.hex().notNull(),
  openedAt: t.bigint().notNull(),
  closedAt: t.bigint(),
}));

/** A committee seat holder in one round: its votes, commitment, reveal and slash. */
export const committeeSeat = onchainTable(
  "committee_seat",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    verifier: t.hex().notNull(),
    votes: t.integer().notNull(),
    lockPerSeat: t.bigint().notNull(),
    commitDeadline: t.bigint().notNull(),
    revealDeadline: t.bigint().notNull(),
    commitment: t.hex(),
    revealedHash: t.hex(),
    slashed: t.bigint().notNull(),
  }),
  (t) => ({ pk: primaryKey({ columns: [t.jobId, t.round, t.verifier] }) }),
);

/** Every token a dispute's resolution moved (`DisputePayout`), one row per recipient and role. */
export const disputePayout = onchainTable(
  "dispute_payout",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    to: t.hex().notNull(),
    role: t.text().notNull(),
    amount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (t) => ({ jobIdx: index().on(t.jobId), toIdx: index().on(t.to) }),
);

/** A provider: stake as the market holds it, its reputation counters and what it earned and lost. */
export const provider = onchainTable("provider", (t) => ({
  address: t.hex().primaryKey(),
  providerId: t.integer(),
  endpoint: t.text(),
  pricePerFuel: t.bigint(),
  maxFuel: t.bigint(),
  /** `stakeOf(provider).staked`: free and locked stake. */
  staked: t.bigint().notNull(),
  /** `stakeOf(provider).locked`: collateral of its live jobs. */
  locked: t.bigint().notNull(),
  unbonding: t.bigint().notNull(),
  unlockAt: t.bigint(),
  jobsClaimed: t.integer().notNull(),
  jobsDone: t.integer().notNull(),
  timedOut: t.bigint().notNull(),
  disputesLost: t.bigint().notNull(),
  disputesWon: t.bigint().notNull(),
  earned: t.bigint().notNull(),
  feesPaid: t.bigint().notNull(),
  slashed: t.bigint().notNull(),
  registeredBlock: t.bigint(),
}));

/** Every reputation change (`ReputationChanged`), for the reputation-over-time chart. */
export const reputationChange = onchainTable(
  "reputation_change",
  (t) => ({
    id: t.text().primaryKey(),
    provider: t.hex().notNull(),
    kind: t.text().notNull(),
    newCount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (t) => ({ providerIdx: index().on(t.provider, t.blockNumber) }),
);

/** A provider's day (UTC): what it earned, paid in fees and lost to slashes. */
export const providerDay = onchainTable(
  "provider_day",
  (t) => ({
    provider: t.hex().notNull(),
    day: t.bigint().notNull(),
    jobsDone: t.integer().notNull(),
    earned: t.bigint().notNull(),
    fees: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
  }),
  (t) => ({ pk: primaryKey({ columns: [t.provider, t.day] }) }),
);

/** A verifier's bond in the pool, and what disputes paid or slashed it. */
export const verifier = onchainTable("verifier", (t) => ({
  address: t.hex().primaryKey(),
  bonded: t.bigint().notNull(),
  locked: t.bigint().notNull(),
  pending: t.bigint().notNull(),
  unlockAt: t.bigint(),
  slashed: t.bigint().notNull(),
  earned: t.bigint().notNull(),
  seats: t.integer().notNull(),
}));

/**
 * The market's running totals (one row, id "market"). `held` is the token's `Transfer`s in and out
 * of the market; `owed` is what entered through the market (`Deposited`, `Staked`) minus what left
 * (`Withdrawn`, `UnstakeWithdrawn`, `FeesWithdrawn`): exactly how the market keeps `totalOwed()`.
 * `/api/solvency` checks both against `eth_call`.
 */
export const protocol = onchainTable("protocol", (t) => ({
  id: t.text().primaryKey(),
  held: t.bigint().notNull(),
  owed: t.bigint().notNull(),
  escrowed: t.bigint().notNull(),
  feesCharged: t.bigint().notNull(),
  feesWithdrawn: t.bigint().notNull(),
  auditFunded: t.bigint().notNull(),
  auditRefunded: t.bigint().notNull(),
  /** `reserveLeft` of the last `AuditFunded` / `AuditRefunded`. */
  auditReserveLeft: t.bigint(),
  surplusSwept: t.bigint().notNull(),
  jobsPosted: t.integer().notNull(),
  disputesOpened: t.integer().notNull(),
  auditsOpened: t.integer().notNull(),
  jobsSubmitted: t.integer().notNull(),
  feeBps: t.integer(),
  /** The scheduled fee change (`FeeChangeScheduled`): jobs whose challenge ends before `feeChangeAt` pay `feePreviousBps`. */
  feePreviousBps: t.integer(),
  feeChangeAt: t.bigint(),
  paused: t.boolean().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
}));

/** The market's totals per UTC day: jobs posted and finalized, fees, slashes. */
export const marketDay = onchainTable("market_day", (t) => ({
  day: t.bigint().primaryKey(),
  jobsPosted: t.integer().notNull(),
  jobsFinalized: t.integer().notNull(),
  fees: t.bigint().notNull(),
  slashed: t.bigint().notNull(),
}));

/** Held and owed after each block that moved either, for the solvency chart. */
export const solvencyPoint = onchainTable("solvency_point", (t) => ({
  blockNumber: t.bigint().primaryKey(),
  timestamp: t.bigint().notNull(),
  held: t.bigint().notNull(),
  owed: t.bigint().notNull(),
}));

/**
 * Every governance change: market parameters, the fee schedule, pause, dispute config, arbiter,
 * timelock operations and governor proposals. `effectiveAt` is when a scheduled change applies.
 */
export const governanceChange = onchainTable(
  "governance_change",
  (t) => ({
    id: t.text().primaryKey(),
    contract: t.text().notNull(),
    kind: t.text().notNull(),
    parameter: t.text(),
    oldValue: t.text(),
    newValue: t.text(),
    /** Timelock operation id or governor proposal id, when there is one. */
    reference: t.text(),
    status: t.text().notNull(),
    effectiveAt: t.bigint(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (t) => ({ opIdx: index().on(t.reference) }),
);
