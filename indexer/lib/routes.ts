/**
 * The REST routes the dashboard and scripts use. Every answer is JSON with bigints as decimal
 * strings; bad input is a 400 with one line in `error`.
 */
import type { ReadonlyDrizzle } from "ponder";
import { and, asc, count, desc, eq, gte, isNull, lt, or, sql } from "ponder";

import * as schema from "ponder:schema";
import { Hono, type Context } from "hono";
import { getAddress, isAddress, type Address, type PublicClient } from "viem";

import { hashworkDisputesAbi, hashworkMarketAbi, hashworkTokenAbi, jobStateNames } from "../../sdk/src/abi/index.ts";
import { toJson } from "./json.ts";
import type { IndexerSettings } from "./settings.ts";

type Db = ReadonlyDrizzle<typeof schema>;
type Deps = { db: Db; client: PublicClient; settings: IndexerSettings };

const {
  job,
  jobEvent,
  dispute,
  committeeSeat,
  disputePayout,
  provider,
  providerDay,
  reputationChange,
  protocol,
  marketDay,
  solvencyPoint,
  governanceChange,
  verifier,
} = schema;

type SQL = ReturnType<typeof eq>;

const bad = (c: Context, message: string) => c.json({ error: message }, 400);

function addressParam(value: string | undefined): Address | undefined | Error {
  if (value === undefined || value === "") return undefined;
  if (!isAddress(value)) return new Error(`not an address: ${JSON.stringify(value)}`);
  return getAddress(value);
}

function intParam(value: string | undefined, name: string, fallback: number, max: number): number | Error {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max)
    return new Error(`${name} must be an integer from 0 to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

/** Ponder's latest checkpoint: block timestamp (10 digits), chain id (16), block number (16), … */
async function latestCheckpoint(db: Db): Promise<string | undefined> {
  const result = await db.execute(sql`SELECT latest_checkpoint FROM _ponder_checkpoint LIMIT 1`);
  const rows =
    (result as unknown as { rows?: { latest_checkpoint: string }[] }).rows ?? (result as unknown as { latest_checkpoint: string }[]);
  return rows[0]?.latest_checkpoint;
}

/** The last block Ponder has indexed (block number at offset 26, 16 digits). */
async function indexedBlock(db: Db): Promise<bigint | undefined> {
  const checkpoint = await latestCheckpoint(db);
  return checkpoint ? BigInt(checkpoint.slice(26, 42)) : undefined;
}

/** The indexed block's time (offset 0, 10 digits): what `jobState` compares challenge ends with. */
async function indexedTime(db: Db): Promise<bigint> {
  const checkpoint = await latestCheckpoint(db);
  return checkpoint ? BigInt(checkpoint.slice(0, 10)) : 0n;
}

/**
 * Deferred pay: a job whose pay waits in a bucket is stored Submitted until `PayReleased`, but
 * the market reads it Finalized once its challenge window has passed (`block.timestamp >
 * challengeEnd`). These give the market's answer as of the indexed block's time `now`.
 */
const matured = (now: bigint) => and(eq(job.state, "Submitted"), eq(job.payStatus, "pending"), lt(job.challengeEnd, now)) as SQL;

function stateIs(state: string, now: bigint): SQL {
  if (state === "Finalized") return or(eq(job.state, "Finalized"), matured(now)) as SQL;
  // (Not `not(matured)`: a job paid on its own has a null payStatus, and NOT NULL is no match.)
  if (state === "Submitted") return and(eq(job.state, "Submitted"), or(isNull(job.payStatus), gte(job.challengeEnd, now))) as SQL;
  return eq(job.state, state);
}

export function viewJob<T extends typeof job.$inferSelect>(row: T, now: bigint): T {
  const ripe = row.state === "Submitted" && row.payStatus === "pending" && row.challengeEnd !== null && row.challengeEnd < now;
  return ripe ? { ...row, state: "Finalized" } : row;
}

/** `order=asc` (oldest first: what the SDK pages through, since new rows only append) or `desc` (default). */
function orderParam(value: string | undefined): "asc" | "desc" | Error {
  if (value === undefined || value === "" || value === "desc") return "desc";
  if (value === "asc") return "asc";
  return new Error(`order must be asc or desc (got ${JSON.stringify(value)})`);
}

type Onchain = { balance: bigint; totalOwed: bigint; accruedFees: bigint; auditReserve: bigint };

/**
 * Remembers the answer for the last key only: `eth_call`s pinned to the indexed block never change
 * while that block is the indexed one. A failed read is forgotten, so the next request retries.
 */
function lastAnswer<T>() {
  let last: { key: string; value: Promise<T> } | undefined;
  return (key: string, compute: () => Promise<T>): Promise<T> => {
    if (last?.key !== key) {
      const value = compute();
      value.catch(() => (last = undefined));
      last = { key, value };
    }
    return last.value;
  };
}

function onchainReader({ client, settings }: Deps) {
  const cached = lastAnswer<Onchain>();
  return (blockNumber: bigint) =>
    cached(String(blockNumber), async () => {
      const read = (
        address: Address,
        abi: typeof hashworkMarketAbi | typeof hashworkTokenAbi,
        functionName: string,
        args: unknown[] = [],
      ) => client.readContract({ address, abi, functionName, args, blockNumber } as never) as Promise<bigint>;
      const [balance, totalOwed, accruedFees, auditReserve] = await Promise.all([
        read(settings.token, hashworkTokenAbi, "balanceOf", [settings.market]),
        read(settings.market, hashworkMarketAbi, "totalOwed"),
        read(settings.market, hashworkMarketAbi, "accruedFees"),
        read(settings.market, hashworkMarketAbi, "auditReserve"),
      ]);
      return { balance, totalOwed, accruedFees, auditReserve };
    });
}

/** The dispute module's configured `auditRateBps` at the indexed block. */
function auditRateReader({ client, settings }: Deps) {
  const cached = lastAnswer<number>();
  return (blockNumber: bigint | undefined) =>
    cached(
      String(blockNumber),
      async () =>
        (await client.readContract({ address: settings.disputes, abi: hashworkDisputesAbi, functionName: "config", blockNumber }))
          .auditRateBps,
    );
}

/**
 * The indexed solvency figure against `eth_call` at the same block: `held` must equal
 * `token.balanceOf(market)` and `owed` must equal `market.totalOwed()`; any difference is listed.
 */
async function solvency({ db }: Deps, onchainAt: ReturnType<typeof onchainReader>) {
  const [row] = await db.select().from(protocol).where(eq(protocol.id, "market"));
  const blockNumber = (await indexedBlock(db)) ?? row?.blockNumber ?? 0n;
  const held = row?.held ?? 0n;
  const owed = row?.owed ?? 0n;
  const { balance, totalOwed, accruedFees, auditReserve } = await onchainAt(blockNumber);
  const differences = [
    ...(held !== balance ? [`held ${held} != token.balanceOf(market) ${balance}`] : []),
    ...(owed !== totalOwed ? [`owed ${owed} != market.totalOwed() ${totalOwed}`] : []),
  ];
  return {
    blockNumber,
    held,
    owed,
    surplus: held > owed ? held - owed : 0n,
    deficit: owed > held ? owed - held : 0n,
    solvent: held >= owed,
    escrowed: row?.escrowed ?? 0n,
    feesCharged: row?.feesCharged ?? 0n,
    feesWithdrawn: row?.feesWithdrawn ?? 0n,
    auditFunded: row?.auditFunded ?? 0n,
    auditRefunded: row?.auditRefunded ?? 0n,
    onchain: { balance, totalOwed, accruedFees, auditReserve },
    matchesChain: differences.length === 0,
    differences,
  };
}

export function restRoutes(deps: Deps) {
  const { db } = deps;
  const api = new Hono();
  const { settings } = deps;

  // What this indexer follows: the SDK checks it before trusting the answers.
  api.get("/deployment", (c) =>
    c.json({
      chainId: settings.chainId,
      market: settings.market,
      token: settings.token,
      disputes: settings.disputes,
      verifierPool: settings.verifierPool,
      fromBlock: settings.fromBlock,
      confirmations: settings.confirmations,
    }),
  );

  const onchainAt = onchainReader(deps);
  const auditRateAt = auditRateReader(deps);

  api.get("/solvency", async (c) => c.json(toJson(await solvency(deps, onchainAt))));

  api.get("/solvency/history", async (c) => {
    const rows = await db.select().from(solvencyPoint).orderBy(desc(solvencyPoint.blockNumber)).limit(500);
    return c.json(toJson(rows.reverse()));
  });

  api.get("/overview", async (c) => {
    const [row] = await db.select().from(protocol).where(eq(protocol.id, "market"));
    const byState = await db.select({ state: job.state, jobs: count() }).from(job).groupBy(job.state);
    // Matured jobs still waiting for their bucket's release count as Finalized (see `viewJob`).
    const [ripe] = await db
      .select({ n: count() })
      .from(job)
      .where(matured(await indexedTime(db)));
    const jobsByState: Record<string, number> = Object.fromEntries(byState.map((r) => [r.state, r.jobs]));
    if (ripe && ripe.n > 0) {
      jobsByState.Finalized = (jobsByState.Finalized ?? 0) + ripe.n;
      jobsByState.Submitted = (jobsByState.Submitted ?? 0) - ripe.n;
      if (jobsByState.Submitted === 0) delete jobsByState.Submitted;
    }
    const days = await db.select().from(marketDay).orderBy(desc(marketDay.day)).limit(90);
    const [providers] = await db.select({ n: count() }).from(provider);
    const blockNumber = (await indexedBlock(db)) ?? null;
    return c.json(
      toJson({
        protocol: row ?? null,
        // The configured audit rate, to set beside the observed one (audits per submitted job).
        auditRateBps: await auditRateAt(blockNumber ?? undefined),
        jobsByState,
        providers: providers?.n ?? 0,
        days: days.reverse(),
        blockNumber,
      }),
    );
  });

  api.get("/jobs", async (c) => {
    const q = c.req.query();
    const state = q.state;
    if (state !== undefined && state !== "" && !(jobStateNames as readonly string[]).includes(state)) {
      return bad(c, `state must be one of ${jobStateNames.slice(1).join(", ")} (got ${JSON.stringify(state)})`);
    }
    const requester = addressParam(q.requester);
    if (requester instanceof Error) return bad(c, `requester: ${requester.message}`);
    const prov = addressParam(q.provider);
    if (prov instanceof Error) return bad(c, `provider: ${prov.message}`);
    const limit = intParam(q.limit, "limit", 50, 1000);
    if (limit instanceof Error) return bad(c, limit.message);
    const offset = intParam(q.offset, "offset", 0, 1_000_000_000);
    if (offset instanceof Error) return bad(c, offset.message);
    const order = orderParam(q.order);
    if (order instanceof Error) return bad(c, order.message);
    const by = order === "asc" ? [asc(job.postedBlock), asc(job.postedLogIndex)] : [desc(job.postedBlock), desc(job.postedLogIndex)];
    const now = await indexedTime(db);
    const where = and(
      state ? stateIs(state, now) : undefined,
      requester ? eq(job.requester, requester.toLowerCase() as Address) : undefined,
      prov ? eq(job.provider, prov.toLowerCase() as Address) : undefined,
    );
    const [total] = await db.select({ n: count() }).from(job).where(where);
    const rows = await db
      .select()
      .from(job)
      .where(where)
      .orderBy(...by)
      .limit(limit)
      .offset(offset);
    return c.json(toJson({ total: total?.n ?? 0, jobs: rows.map((r) => viewJob(r, now)) }));
  });

  api.get("/jobs/:id", async (c) => {
    const raw = c.req.param("id");
    if (!/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(raw))
      return bad(c, `job id must be a decimal or 0x number (got ${JSON.stringify(raw)})`);
    const id = BigInt(raw);
    const [row] = await db.select().from(job).where(eq(job.id, id));
    if (!row) return c.json({ error: `no job ${id}` }, 404);
    const timeline = await db
      .select()
      .from(jobEvent)
      .where(eq(jobEvent.jobId, id))
      .orderBy(asc(jobEvent.blockNumber), asc(jobEvent.logIndex));
    const [d] = await db.select().from(dispute).where(eq(dispute.jobId, id));
    const seats = d ? await db.select().from(committeeSeat).where(eq(committeeSeat.jobId, id)).orderBy(asc(committeeSeat.round)) : [];
    const payouts = d ? await db.select().from(disputePayout).where(eq(disputePayout.jobId, id)) : [];
    return c.json(toJson({ job: viewJob(row, await indexedTime(db)), timeline, dispute: d ?? null, seats, payouts }));
  });

  api.get("/disputes", async (c) => {
    const q = c.req.query();
    const limit = intParam(q.limit, "limit", 200, 1000);
    if (limit instanceof Error) return bad(c, limit.message);
    const offset = intParam(q.offset, "offset", 0, 1_000_000_000);
    if (offset instanceof Error) return bad(c, offset.message);
    const order = orderParam(q.order);
    if (order instanceof Error) return bad(c, order.message);
    const by =
      order === "asc" ? [asc(dispute.openedBlock), asc(dispute.openedLogIndex)] : [desc(dispute.openedBlock), desc(dispute.openedLogIndex)];
    const rows = await db
      .select()
      .from(dispute)
      .orderBy(...by)
      .limit(limit)
      .offset(offset);
    return c.json(toJson(rows));
  });

  api.get("/providers", async (c) => {
    const rows = await db.select().from(provider).orderBy(desc(provider.earned)).limit(200);
    return c.json(toJson(rows));
  });

  api.get("/providers/:address", async (c) => {
    const address = addressParam(c.req.param("address"));
    if (!address || address instanceof Error) return bad(c, `not an address: ${JSON.stringify(c.req.param("address"))}`);
    const key = address.toLowerCase() as Address;
    const [row] = await db.select().from(provider).where(eq(provider.address, key));
    if (!row) return c.json({ error: `no provider ${address}` }, 404);
    const days = await db.select().from(providerDay).where(eq(providerDay.provider, key)).orderBy(asc(providerDay.day));
    const reputation = await db
      .select()
      .from(reputationChange)
      .where(eq(reputationChange.provider, key))
      .orderBy(asc(reputationChange.blockNumber));
    const jobs = await db.select().from(job).where(eq(job.provider, key)).orderBy(desc(job.postedBlock)).limit(50);
    const [asVerifier] = await db.select().from(verifier).where(eq(verifier.address, key));
    const now = await indexedTime(db);
    // What its pay buckets hold now: deferred pay not yet released.
    const [pending] = await db
      .select({ jobs: count(), payout: sql<string>`coalesce(sum(${job.providerPayout}), 0)` })
      .from(job)
      .where(and(eq(job.provider, key), eq(job.payStatus, "pending")));
    return c.json(
      toJson({
        provider: row,
        pendingPay: { jobs: pending?.jobs ?? 0, payout: BigInt(pending?.payout ?? 0) },
        days,
        reputation,
        recentJobs: jobs.map((j) => viewJob(j, now)),
        verifier: asVerifier ?? null,
      }),
    );
  });

  api.get("/governance", async (c) => {
    const rows = await db.select().from(governanceChange).orderBy(desc(governanceChange.blockNumber)).limit(200);
    return c.json(toJson(rows));
  });

  api.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return api;
}
