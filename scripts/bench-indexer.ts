// `npm run bench:indexer`: the indexer on a history of BENCH_INDEXER_JOBS jobs (default 10,000;
// each posted, claimed, submitted and finalized in batches of 100, after the test story's jobs and
// its dispute), on PGlite and on PostgreSQL (when Debian's server is installed). Measures catch-up
// speed (events / Ponder's backfill time), time from start to first answer (`/ready`), and p50/p95
// of the dashboard's API queries; compares with the SDK's log-scanning audit (`listJobs`, what
// `hashwork audit` runs) for the same answer. Merges the figures into reports/bench.json → `indexer`.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { listJobs } from "../sdk/src/index.ts";
import { caughtUp, getJson, postgresInstalled, startIndexer, startPostgres, writeDeploymentFile } from "../testkit/indexer-process.ts";
import { deploySystem, startAnvilNode, type System } from "../testkit/local-cluster.ts";
import { writeHistory } from "../testkit/market-history.ts";
import { ACTOR, addressOf, runStory } from "../testkit/market-story.ts";
import { updateBenchReport } from "./lib/bench-report.ts";

const JOBS = Number(process.env.BENCH_INDEXER_JOBS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_INDEXER_SAMPLES ?? 40);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The dashboard's queries, each SAMPLES times: p50 / p95 per route and over all. */
async function apiLatency(url: string, jobId: bigint) {
  const routes = [
    "/api/overview",
    "/api/solvency",
    "/api/jobs?state=Finalized",
    `/api/jobs?provider=${addressOf(ACTOR.honest)}`,
    `/api/jobs?requester=${addressOf(ACTOR.requester)}&state=Open`,
    `/api/jobs/${jobId}`,
    `/api/providers/${addressOf(ACTOR.honest)}`,
    "/api/providers",
    "/api/disputes",
    "/api/governance",
    "/api/solvency/history",
  ];
  const all: number[] = [];
  const perRoute: Record<string, { p50Ms: number; p95Ms: number }> = {};
  for (const route of routes) {
    await getJson(url, route); // warm
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await getJson(url, route);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    perRoute[route.replace(/0x[0-9a-fA-F]{40}/, ":address").replace(/\/jobs\/\d+/, "/jobs/:id")] = {
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
    };
    all.push(...times);
  }
  all.sort((a, b) => a - b);
  return {
    apiP50Ms: round(percentile(all, 50)),
    apiP95Ms: round(percentile(all, 95)),
    worstRouteP95Ms: Math.max(...Object.values(perRoute).map((r) => r.p95Ms)),
    perRoute,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

type LogLine = { msg?: string; time?: number; duration?: number };

/** Every log the indexer indexes: the market's, the dispute module's, the pool's, and token transfers into or out of the market. */
async function indexedEvents(system: System) {
  const d = system.deployment;
  const market = d.market.slice(2).toLowerCase();
  const head = await system.publicClient.getBlockNumber();
  let count = 0;
  // The history's shape: how many blocks carry those logs, and how many at most in one block.
  const perBlock = new Map<bigint, number>();
  const tally = (logs: { blockNumber: bigint | null }[]) => {
    for (const l of logs) perBlock.set(l.blockNumber!, (perBlock.get(l.blockNumber!) ?? 0) + 1);
    return logs.length;
  };
  // In ranges: a whole 10,000-job history is more than one JSON-RPC answer may carry.
  for (let from = 0n; from <= head; from += 20n) {
    const range = { fromBlock: from, toBlock: from + 19n > head ? head : from + 19n };
    count += tally(await system.publicClient.getLogs({ address: [d.market, d.disputes!, d.verifierPool!], ...range }));
    count += tally(
      (await system.publicClient.getLogs({ address: d.token!, ...range })).filter(
        (l) => l.topics.length === 3 && [l.topics[1], l.topics[2]].some((t) => t?.toLowerCase().endsWith(market)),
      ),
    );
  }
  const sizes = [...perBlock.values()];
  return { count, blocks: Number(head) + 1, blocksWithEvents: sizes.length, maxEventsPerBlock: Math.max(...sizes) };
}

/** One sample of Ponder's `/metrics` (Prometheus text): the named series summed over labels. */
async function metric(url: string, name: string, label = ""): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(name) && (line[name.length] === " " || line[name.length] === "{") && line.includes(label))
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  return sum;
}

/** User + system CPU seconds a process has used (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(rpcUrl: string, deploymentFile: string, env: Record<string, string>, jobId: bigint, events: number) {
  const dir = await mkdtemp(join(tmpdir(), "hashwork-bench-indexer-"));
  const started = performance.now();
  // The process's CPU when its backfill starts (Linux /proc): catch-up CPU leaves out start-up.
  let cpuAtBackfill = Number.NaN;
  const indexer = await startIndexer({
    rpcUrl,
    deploymentFile,
    dataDir: dir,
    env: { HASHWORK_POLL_MS: "200", ...env },
    timeoutMs: 600_000,
    onSpawn: (child) =>
      child.stdout!.on("data", (chunk: Buffer) => {
        if (Number.isNaN(cpuAtBackfill) && String(chunk).includes("Started backfill indexing"))
          cpuAtBackfill = processCpuSeconds(child.pid!);
      }),
  });
  const firstAnswerMs = round(performance.now() - started);
  try {
    // /ready means the backfill reached the block Ponder deems final; the last blocks follow live.
    await caughtUp(indexer, rpcUrl, 120_000);
    const caughtUpAt = Date.now();
    const catchUpCpuSeconds = round(processCpuSeconds(indexer.child.pid!) - cpuAtBackfill);
    const caughtUpMs = round(performance.now() - started);
    const lines = indexer
      .output()
      .split("\n")
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
    // Catch-up: from Ponder starting its backfill (after database setup) to the head indexed.
    const backfillStartedAt = lines.find((l) => l.msg === "Started backfill indexing")?.time ?? NaN;
    const catchUpMs = caughtUpAt - backfillStartedAt;
    const backfillMs = lines.find((l) => l.msg === "Completed backfill indexing across all chains")?.duration ?? NaN;
    // CPU the indexer process spent from spawn to the head indexed (database creation included):
    // a figure other sessions' load does not inflate the way it does wall time.
    const cpuSeconds = round(await metric(indexer.url, "process_cpu_seconds_total"));
    const rpcRequests = await metric(indexer.url, "ponder_rpc_request_duration_count");
    const latency = await apiLatency(indexer.url, jobId);
    const finalized = await getJson<{ total: number }>(indexer.url, "/api/jobs?state=Finalized&limit=1");
    return {
      events,
      catchUpMs,
      backfillMs: round(backfillMs),
      catchUpEventsPerSecond: Math.round(events / (catchUpMs / 1000)),
      cpuSeconds,
      eventsPerCpuSecond: Math.round(events / cpuSeconds),
      catchUpCpuSeconds,
      eventsPerCatchUpCpuSecond: Math.round(events / catchUpCpuSeconds),
      rpcRequests,
      firstAnswerMs,
      caughtUpMs,
      ...latency,
      finalizedJobs: finalized.total,
    };
  } finally {
    await indexer.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const node = await startAnvilNode();
const stopAll: (() => Promise<void>)[] = [async () => node.kill()];
// Ctrl-C or a kill still stops the node, the indexer's database server and temp dirs.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void (async () => {
      for (const stop of stopAll.reverse()) await stop().catch(() => {});
      process.exit(130);
    })();
  });
}
try {
  const system = await deploySystem(node.url);
  console.log(`bench:indexer — ${JOBS} jobs on anvil`);
  const story = await runStory(system);
  const t = performance.now();
  await writeHistory(system, JOBS);
  console.log(`  history written in ${Math.round((performance.now() - t) / 1000)} s`);
  const dir = await mkdtemp(join(tmpdir(), "hashwork-bench-deployment-"));
  stopAll.push(() => rm(dir, { recursive: true, force: true }));
  const deploymentFile = await writeDeploymentFile(system, dir);

  const shape = await indexedEvents(system);
  const events = shape.count;
  console.log(`  ${events} events to index (${JSON.stringify(shape)})`);
  const pglite = await measure(node.url, deploymentFile, {}, story.overturned, events);
  console.log(`  pglite: ${JSON.stringify(pglite)}`);
  let postgres: Awaited<ReturnType<typeof measure>> | { skipped: string };
  if (postgresInstalled()) {
    const pg = await startPostgres();
    stopAll.push(() => pg.stop());
    postgres = await measure(node.url, deploymentFile, { DATABASE_URL: pg.url }, story.overturned, events);
  } else {
    postgres = { skipped: "PostgreSQL 15 is not installed (apt-get install -y postgresql)" };
  }
  console.log(`  postgres: ${JSON.stringify(postgres)}`);

  // What `hashwork audit` does for "finalized jobs": scan JobPosted logs, read each job's state.
  const a = performance.now();
  const scanned = await listJobs(system.clientFor(0), { states: ["Finalized"], maxBlockRange: 20n });
  const auditScanMs = round(performance.now() - a);
  const indexed = pglite.perRoute["/api/jobs?state=Finalized"]!.p50Ms;

  const indexer = {
    jobs: JOBS + 6,
    disputes: 1,
    pglite,
    postgres,
    auditScanMs,
    auditScanJobs: scanned.length,
    auditScanVsIndexedRatio: Math.round(auditScanMs / indexed),
    targets: { catchUpEventsPerSecond: 2000, apiP95Ms: 100 },
    meetsTargets: pglite.catchUpEventsPerSecond >= 2000 && pglite.worstRouteP95Ms <= 100,
    history: shape,
    method: `anvil child; history in batches of 100 (post, claim, submit, finalize: one transaction each, as the daemon batches), so ${shape.blocksWithEvents} of ${shape.blocks} blocks carry events, at most ${shape.maxEventsPerBlock} in one; a fresh indexer per database, JSON-RPC at 500 requests/s from the start (HASHWORK_RPC_RPS's loopback default); events = the logs the indexer indexes (eth_getLogs); catchUpMs = Ponder's 'Started backfill indexing' log to the head indexed; firstAnswerMs = spawn to /ready (backfill done), caughtUpMs = spawn to the head indexed; latency = sequential GETs after one warm-up; cpuSeconds = the indexer's process_cpu_seconds_total when caught up (start-up included); catchUpCpuSeconds = its CPU (/proc) from 'Started backfill indexing' to the head indexed, a figure the machine's other load barely moves`,
    measuredAt: new Date().toISOString(),
    // Other work on the machine slows every figure: the 1/5/15-minute load averages at the end.
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
  await updateBenchReport((report) => {
    report.indexer = indexer;
  });
  console.log(`audit scan ${auditScanMs} ms for ${scanned.length} jobs vs ${indexed} ms indexed → reports/bench.json (indexer)`);
} finally {
  for (const stop of stopAll.reverse()) await stop().catch(() => {});
}
