/**
 * Small writers the handlers share: the job timeline, the protocol row, the per-day rows, the
 * provider row. Each takes Ponder's `context.db` so handlers stay one short function per event.
 */
import type { Context } from "ponder:registry";
import { job, jobEvent, marketDay, protocol, provider, providerDay, solvencyPoint } from "ponder:schema";
import { replaceBigInts } from "ponder";
import type { Address, Hex } from "viem";

type Db = Context["db"];
export type LogEvent = {
  args: Record<string, unknown> | readonly unknown[];
  block: { number: bigint; timestamp: bigint };
  log: { logIndex: number };
  transaction: { hash: Hex };
};

export const DAY = 86_400n;
export const dayOf = (timestamp: bigint) => (timestamp / DAY) * DAY;
export const eventId = (e: LogEvent) => `${e.block.number}-${e.log.logIndex}`;

/**
 * Appends the event to the job's timeline (args with bigints as decimal strings). An event naming
 * several jobs (`PayDeferred`, `PayReleased`) adds one row per job, told apart by `perJob`.
 */
export async function addToTimeline(db: Db, e: LogEvent, contract: string, name: string, jobId: bigint, perJob = false) {
  await db.insert(jobEvent).values({
    id: perJob ? `${eventId(e)}-${jobId}` : eventId(e),
    jobId,
    contract,
    name,
    blockNumber: e.block.number,
    logIndex: e.log.logIndex,
    timestamp: e.block.timestamp,
    txHash: e.transaction.hash,
    args: replaceBigInts(e.args as Record<string, unknown>, (v) => v.toString()),
  });
}

/**
 * Sets a job's fields (state and settlement figures) and stamps the block. One store call: a
 * job posted before the start block has no row, which `update` reports by throwing.
 */
export async function updateJob(db: Db, e: LogEvent, id: bigint, fields: Partial<typeof job.$inferInsert>) {
  try {
    await db.update(job, { id }).set({ ...fields, updatedBlock: e.block.number, updatedAt: e.block.timestamp });
  } catch (error) {
    if ((error as Error).name !== "RecordNotFoundError") throw error;
  }
}

const PROTOCOL_DEFAULTS = {
  held: 0n,
  owed: 0n,
  escrowed: 0n,
  feesCharged: 0n,
  feesWithdrawn: 0n,
  auditFunded: 0n,
  auditRefunded: 0n,
  surplusSwept: 0n,
  jobsPosted: 0,
  disputesOpened: 0,
  auditsOpened: 0,
  jobsSubmitted: 0,
  paused: false,
};
type ProtocolRow = typeof protocol.$inferSelect;
const PROTOCOL_DEFAULTS_ROW = {
  id: "market",
  ...PROTOCOL_DEFAULTS,
  auditReserveLeft: null,
  feeBps: null,
  feePreviousBps: null,
  feeChangeAt: null,
} satisfies Omit<ProtocolRow, "blockNumber" | "timestamp">;

/**
 * Changes the market's running totals; records a solvency point when held or owed moved. One
 * store call (an upsert; the first event creates the row from the defaults).
 */
export async function updateProtocol(db: Db, e: LogEvent, change: (row: ProtocolRow) => Partial<ProtocolRow>) {
  const stamp = { blockNumber: e.block.number, timestamp: e.block.timestamp };
  const fresh: ProtocolRow = { ...PROTOCOL_DEFAULTS_ROW, ...stamp };
  let changed = change(fresh);
  const row = await db
    .insert(protocol)
    .values({ ...fresh, ...changed, ...stamp })
    .onConflictDoUpdate((p) => {
      changed = change(p);
      return { ...changed, ...stamp };
    });
  if (changed.held !== undefined || changed.owed !== undefined) {
    const point = { held: row.held, owed: row.owed };
    await db
      .insert(solvencyPoint)
      .values({ ...stamp, ...point })
      .onConflictDoUpdate(point);
  }
}

export async function updateMarketDay(
  db: Db,
  e: LogEvent,
  change: Partial<Record<"jobsPosted" | "jobsFinalized", number> & Record<"fees" | "slashed", bigint>>,
) {
  const day = dayOf(e.block.timestamp);
  await db
    .insert(marketDay)
    .values({
      day,
      jobsPosted: change.jobsPosted ?? 0,
      jobsFinalized: change.jobsFinalized ?? 0,
      fees: change.fees ?? 0n,
      slashed: change.slashed ?? 0n,
    })
    .onConflictDoUpdate((row) => ({
      jobsPosted: row.jobsPosted + (change.jobsPosted ?? 0),
      jobsFinalized: row.jobsFinalized + (change.jobsFinalized ?? 0),
      fees: row.fees + (change.fees ?? 0n),
      slashed: row.slashed + (change.slashed ?? 0n),
    }));
}

const PROVIDER_DEFAULTS = {
  staked: 0n,
  locked: 0n,
  unbonding: 0n,
  jobsClaimed: 0,
  jobsDone: 0,
  timedOut: 0n,
  disputesLost: 0n,
  disputesWon: 0n,
  earned: 0n,
  feesPaid: 0n,
  slashed: 0n,
};
type ProviderRow = typeof provider.$inferSelect;
const PROVIDER_DEFAULTS_ROW = {
  ...PROVIDER_DEFAULTS,
  providerId: null,
  endpoint: null,
  pricePerFuel: null,
  maxFuel: null,
  unlockAt: null,
  registeredBlock: null,
} satisfies Omit<ProviderRow, "address">;

/** Changes a provider's row (created on first sight). One store call: an upsert. */
export async function updateProvider(db: Db, address: Address, change: (row: ProviderRow) => Partial<ProviderRow>) {
  const fresh: ProviderRow = { address, ...PROVIDER_DEFAULTS_ROW };
  await db
    .insert(provider)
    .values({ ...fresh, ...change(fresh) })
    .onConflictDoUpdate(change);
}

export async function updateProviderDay(
  db: Db,
  e: LogEvent,
  address: Address,
  change: { jobsDone?: number; earned?: bigint; fees?: bigint; slashed?: bigint },
) {
  const day = dayOf(e.block.timestamp);
  await db
    .insert(providerDay)
    .values({
      provider: address,
      day,
      jobsDone: change.jobsDone ?? 0,
      earned: change.earned ?? 0n,
      fees: change.fees ?? 0n,
      slashed: change.slashed ?? 0n,
    })
    .onConflictDoUpdate((row) => ({
      jobsDone: row.jobsDone + (change.jobsDone ?? 0),
      earned: row.earned + (change.earned ?? 0n),
      fees: row.fees + (change.fees ?? 0n),
      slashed: row.slashed + (change.slashed ?? 0n),
    }));
}
