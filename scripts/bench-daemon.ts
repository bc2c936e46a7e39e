// `npm run bench:daemon`: end-to-end throughput of the provider daemon on a local node. Starts a
// `hardhat node` child (127.0.0.1, free port), deploys the system, registers and stakes 4
// providers, starts 4 provider daemons as child processes (the first also keeper; challenge
// window 1 s; random audits off), posts N small montecarlo jobs as a requester in `postJobs` batches of up to 100,
// and waits until every job is Finalized. Each daemon talks to the node through a small counting
// JSON-RPC proxy in this process, so RPC round trips per job (by method) are measured, and this
// process watches the head every 20 ms to time blocks by wall clock.
//
//   jobsPerSecond      N / (wall time from sending the first postJobs to seeing the block with
//                      the last JobFinalized)
//   claimLatencyMsP50  median over jobs of (wall time the JobClaimed block was first seen −
//                      wall time the JobPosted block was first seen); block timestamps have
//                      1 s resolution, so wall-clock observation is used
//
// Mining mode. The default is automine (every transaction mined at once, in its own block), as in
// the first figures, so before and after compare. It is the mode that measures the daemon: a
// step costs its RPC round trips and the node's work per transaction, so the figure moves with
// RPC calls per job, transactions per job (batching) and execution. With interval mining
// (BENCH_MINING=1000: a block a second, many transactions per block, like a real chain) a job
// holds one of the 4 × BENCH_CONCURRENCY claim slots for at least two blocks (claim, then
// submit), so the figure is bounded by slots / (2 × interval) — 32 jobs/s at 1 s with the
// defaults, less the posting and challenge-window blocks — i.e. it measures the block time and
// the concurrency setting more than the daemon. docs/provider-daemon.md ("Throughput") has both.
//
// Environment: BENCH_JOBS (default 200), BENCH_MINING ("auto" (default) or an interval in ms),
// BENCH_CONCURRENCY (claimPolicy.concurrency per daemon, default 16), BENCH_SAMPLES (default 100),
// BENCH_TIMEOUT_MS (default 600000), BENCH_TIMELINE (print events per 500 ms and the first N
// log lines of the first daemon).
// Merges the figures into reports/bench.json under "daemon" (other keys are kept). Every child
// process group is killed at the end, also on error.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { decodeFunctionData, getAddress, parseEventLogs, type Hex } from "viem";

import { registerProvider } from "../sdk/src/actions/provider/register-provider.ts";
import { stake } from "../sdk/src/actions/provider/stake.ts";
import { MAX_BATCH, postJobs } from "../sdk/src/actions/requester/post-jobs.ts";
import { hashworkDisputesAbi } from "../sdk/src/abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../sdk/src/abi/hashwork-market.ts";
import {
  deploySystem,
  freePort,
  hdAccount,
  logRecords,
  monteCarloJobs,
  startDaemonProcess,
  startHardhatNode,
  waitFor,
  writeDaemonConfig,
  type ChildHandle,
} from "../testkit/local-cluster.ts";
import { createLocalStore } from "../sdk/src/store/local.ts";
import { createContentServer } from "../sdk/src/store/server.ts";
import { DISPUTE_PARAMETERS, TOKEN_UNIT } from "../ignition/parameters/defaults.ts";

const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const MINING = process.env.BENCH_MINING ?? "auto";
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SAMPLES = BigInt(process.env.BENCH_SAMPLES ?? 100);
const REQUESTER = 1;
const PROVIDERS = [2, 3, 4, 5];
const KEEPER = 2;
const CHALLENGE_WINDOW = 1;
const TARGET = 20;
const REPORT = new URL("../reports/bench.json", import.meta.url);

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1]! : NaN);
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : NaN);
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

const children: ChildHandle[] = [];
const servers: Server[] = [];
const killAll = () => {
  for (const c of children) c.kill();
};
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

/** A JSON-RPC proxy to `target` that counts requests by method (batches counted per call). */
async function countingProxy(target: string) {
  const counts = new Map<string, number>();
  /** Wall time of single (non-batch) calls, by method: the node's time per call plus the hop. */
  const millis = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      requests++;
      let single: string | undefined;
      try {
        const parsed = JSON.parse(body.toString("utf8")) as { method: string } | { method: string }[];
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
        if (!Array.isArray(parsed)) single = parsed.method;
      } catch {
        // forwarded as is
      }
      try {
        const started = performance.now();
        const r = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
        const out = Buffer.from(await r.arrayBuffer());
        if (single) millis.set(single, (millis.get(single) ?? 0) + performance.now() - started);
        res.writeHead(r.status, { "content-type": "application/json" }).end(out);
      } catch (error) {
        res.writeHead(502).end(String(error));
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, counts, millis, requests: () => requests };
}

let dir: string | undefined;
try {
  const node = await startHardhatNode();
  children.push(node);
  const system = await deploySystem(node.url);
  const rpc = (method: string, params: unknown[] = []) => system.publicClient.request({ method: method as never, params: params as never });
  // No random audits: the bench measures post → claim → submit → finalize. (The audit reserve now
  // pays any audit the lottery selects, and with no verifier bonded in the pool its committee
  // could never be drawn, leaving the job disputed.) The keeper still reads the lottery once per
  // submission, as before, so RPC figures compare.
  const owner = system.clientFor(0);
  await system.publicClient.waitForTransactionReceipt({
    hash: await owner.walletClient.writeContract({
      address: system.deployment.disputes!,
      abi: hashworkDisputesAbi,
      functionName: "setConfig",
      args: [{ ...DISPUTE_PARAMETERS, auditRateBps: 0 }],
      account: owner.walletClient.account!,
      chain: owner.walletClient.chain,
    }),
  });
  if (MINING !== "auto") {
    await rpc("evm_setAutomine", [false]);
    await rpc("evm_setIntervalMining", [Number(MINING)]);
  }
  for (const index of PROVIDERS) {
    const provider = system.clientFor(index);
    await registerProvider(provider, { endpoint: "http://127.0.0.1/", pricePerFuel: 1n, maxFuel: 10n ** 12n });
    await stake(provider, { amount: 10_000n * TOKEN_UNIT, payment: "permit" });
  }
  dir = await mkdtemp(join(tmpdir(), "hashwork-bench-daemon-"));
  const content = createContentServer({ store: createLocalStore({ dir: join(dir, "requester") }) });
  await content.start();
  servers.push({ close: (cb?: () => void) => void content.close().then(() => cb?.()) } as unknown as Server);

  const jobs = await monteCarloJobs(system, {
    requester: REQUESTER,
    storeDir: join(dir, "requester"),
    uriFor: (h: Hex) => content.uriFor(h),
    seeds: Array.from({ length: JOBS }, (_, i) => BigInt(10_000 + i)),
    samples: SAMPLES,
    job: { challengeWindow: CHALLENGE_WINDOW, fuelLimit: 10_000_000n, reward: TOKEN_UNIT / 10n, executionTime: 300 },
  });

  // Daemons, each behind a counting proxy.
  const proxies = [];
  const daemons: ChildHandle[] = [];
  for (const index of PROVIDERS) {
    const proxy = await countingProxy(node.url);
    proxies.push(proxy);
    const file = await writeDaemonConfig({ ...system, url: proxy.url }, {
      dir,
      name: `provider-${index}`,
      index,
      overrides: {
        pollIntervalMs: 100,
        roles: { provider: true, keeper: index === KEEPER },
        claimPolicy: { concurrency: CONCURRENCY, maxFuel: "100000000" },
        executor: { threads: 1 },
        tx: { receiptTimeoutMs: 30_000 },
      },
    });
    const d = startDaemonProcess(file);
    children.push(d);
    daemons.push(d);
  }
  await Promise.all(daemons.map((d) => waitFor("daemon started", () => (logRecords(d).some((r) => r.msg === "daemon starting") ? true : undefined), 30_000, 50)));
  await new Promise((r) => setTimeout(r, 1_000)); // first index sync
  const rpcBefore = proxies.map((p) => new Map(p.counts));
  const msBefore = proxies.map((p) => new Map(p.millis));

  // Watch the head: wall-clock time each block was first seen.
  const seen = new Map<bigint, number>();
  let watching = true;
  const watcher = (async () => {
    let last = await system.publicClient.getBlockNumber({ cacheTime: 0 });
    while (watching) {
      const head = await system.publicClient.getBlockNumber({ cacheTime: 0 }).catch(() => last);
      const now = performance.now();
      for (let b = last + 1n; b <= head; b++) seen.set(b, now);
      // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
      last = head > last ? head : last;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const startBlock = await system.publicClient.getBlockNumber({ cacheTime: 0 });
  const t0 = performance.now();
  const jobIds: bigint[] = [];
  const requester = system.clientFor(REQUESTER);
  for (let i = 0; i < jobs.length; i += MAX_BATCH) {
    const { jobIds: ids } = await postJobs(requester, { jobs: jobs.slice(i, i + MAX_BATCH) });
    jobIds.push(...ids);
  }
  const postedMs = performance.now() - t0;
  const idSet = new Set(jobIds);

  const events = async () => {
    const logs = await system.publicClient.getLogs({ address: system.deployment.market, fromBlock: startBlock + 1n });
    return parseEventLogs({ abi: hashworkMarketAbi, logs }).filter((e) => idSet.has((e.args as { jobId?: bigint }).jobId!));
  };
  try {
    await waitFor("every job Finalized", async () => {
      const finalized = (await events()).filter((e) => e.eventName === "JobFinalized").length;
      return finalized >= JOBS ? true : undefined;
    }, Number(process.env.BENCH_TIMEOUT_MS ?? 600_000), 250);
  } catch (error) {
    // What was left, and what the daemons complained about.
    const last = new Map<bigint, string>();
    for (const e of await events()) last.set((e.args as { jobId: bigint }).jobId, e.eventName);
    const stuck: Record<string, number> = {};
    for (const id of jobIds) stuck[last.get(id) ?? "none"] = (stuck[last.get(id) ?? "none"] ?? 0) + 1;
    console.error("jobs by last event:", JSON.stringify(stuck));
    for (const d of daemons) {
      for (const r of logRecords(d).filter((r) => r.level === "warn" || r.level === "error").slice(-5)) console.error(JSON.stringify(r).slice(0, 400));
    }
    throw error;
  }
  await new Promise((r) => setTimeout(r, 60)); // let the watcher see the last block
  watching = false;
  await watcher;

  const all = await events();
  const blockOf = (name: string) => {
    const m = new Map<bigint, bigint>();
    for (const e of all) if (e.eventName === name) m.set((e.args as { jobId: bigint }).jobId, e.blockNumber!);
    return m;
  };
  const posted = blockOf("JobPosted");
  const claimed = blockOf("JobClaimed");
  const submitted = blockOf("ResultSubmitted");
  const finalized = blockOf("JobFinalized");
  const at = (b: bigint | undefined) => (b === undefined ? NaN : seen.get(b) ?? t0);
  const lastFinal = Math.max(...jobIds.map((id) => at(finalized.get(id))));
  const elapsedMs = lastFinal - t0;
  const claimLat = jobIds.map((id) => at(claimed.get(id)) - at(posted.get(id)));
  const claimToSubmit = jobIds.map((id) => at(submitted.get(id)) - at(claimed.get(id)));
  const submitToFinal = jobIds.map((id) => at(finalized.get(id)) - at(submitted.get(id)));
  const endToEnd = jobIds.map((id) => at(finalized.get(id)) - at(posted.get(id)));
  const claimsBy = new Map<string, number>();
  for (const e of all) {
    if (e.eventName !== "JobClaimed") continue;
    const p = getAddress((e.args as { provider: `0x${string}` }).provider);
    claimsBy.set(p, (claimsBy.get(p) ?? 0) + 1);
  }
  const finalizedBy = new Map<string, number>();

  // Blocks of the run.
  const endBlock = await system.publicClient.getBlockNumber({ cacheTime: 0 });
  const blocks = [];
  for (let b = startBlock + 1n; b <= endBlock; b++) blocks.push(await system.publicClient.getBlock({ blockNumber: b }));
  const txsPerBlock = blocks.map((b) => b.transactions.length);
  const gasPerBlock = blocks.map((b) => Number(b.gasUsed));
  const blockGaps = [];
  for (let b = startBlock + 2n; b <= endBlock; b++) if (seen.has(b) && seen.has(b - 1n)) blockGaps.push(seen.get(b)! - seen.get(b - 1n)!);
  const reverted = [];
  const revertedByFunction: Record<string, number> = {};
  const txsByFunction: Record<string, number> = {};
  for (const b of blocks) for (const h of b.transactions as Hex[]) {
    const [r, tx] = await Promise.all([system.publicClient.getTransactionReceipt({ hash: h }), system.publicClient.getTransaction({ hash: h })]);
    let fn = tx.input.slice(0, 10);
    try {
      fn = decodeFunctionData({ abi: hashworkMarketAbi, data: tx.input }).functionName;
    } catch {
      // not a market call
    }
    txsByFunction[fn] = (txsByFunction[fn] ?? 0) + 1;
    if (r.status !== "success") {
      reverted.push(h);
      revertedByFunction[fn] = (revertedByFunction[fn] ?? 0) + 1;
    }
  }
  if (process.env.BENCH_TIMELINE) {
    // Events per 500 ms of wall clock, from the first postJobs.
    const rows = new Map<number, Record<string, number>>();
    for (const e of all) {
      const slot = Math.floor((at(e.blockNumber!) - t0) / 500);
      const row = rows.get(slot) ?? {};
      row[e.eventName] = (row[e.eventName] ?? 0) + 1;
      rows.set(slot, row);
    }
    for (const [slot, row] of [...rows].sort((a, b) => a[0] - b[0])) console.log(`${slot * 500} ms`, JSON.stringify(row));
    // The first daemon's log from the first postJobs on (wall ms since then).
    const wall0 = Date.now() - (performance.now() - t0);
    for (const r of logRecords(daemons[0]!).filter((r) => Date.parse(String(r.time)) >= wall0).slice(0, Number(process.env.BENCH_TIMELINE))) {
      const { time, level: _l, chain_id: _c, ...rest } = r;
      console.log(`  +${Date.parse(String(time)) - wall0} ms`, JSON.stringify(rest).slice(0, 200));
    }
  }

  // Daemon metrics: execution time, RPC round trips.
  let execSum = 0;
  let execCount = 0;
  const perDaemon = [];
  for (const [i, index] of PROVIDERS.entries()) {
    const d = daemons[i]!;
    const port = JSON.parse(await readFile(join(dir, `provider-${index}`, "daemon.json"), "utf8")).http.port as number;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (name: string) => text.split("\n").filter((l) => l.startsWith(name)).reduce((s, l) => s + Number(l.split(" ").pop()), 0);
    execSum += value("hashwork_execution_seconds_sum");
    execCount += value("hashwork_execution_seconds_count");
    const rpcCalls: Record<string, number> = {};
    for (const [m, n] of proxies[i]!.counts) {
      const delta = n - (rpcBefore[i]!.get(m) ?? 0);
      if (delta > 0) rpcCalls[m] = delta;
    }
    const address = getAddress(hdAccount(index).address);
    finalizedBy.set(address, value("hashwork_jobs_finalized_total"));
    perDaemon.push({
      account: address,
      keeper: index === KEEPER,
      claimed: claimsBy.get(address) ?? 0,
      finalizedOwn: value("hashwork_jobs_finalized_total"),
      keeperActions: value("hashwork_keeper_actions_total"),
      txSent: value("hashwork_tx_sent_total"),
      rpcCalls: Object.values(rpcCalls).reduce((a, b) => a + b, 0),
      rpcByMethod: Object.fromEntries(Object.entries(rpcCalls).sort((a, b) => b[1] - a[1])),
      warnings: logRecords(d).filter((r) => r.level === "warn" || r.level === "error").length,
    });
  }
  const rpcTotal = perDaemon.reduce((s, d) => s + d.rpcCalls, 0);
  // Mean wall time per call by method, over all daemons (node time + proxy hop; on automine
  // eth_sendRawTransaction returns once the transaction's block is mined).
  const rpcMs: Record<string, [number, number]> = {};
  for (const [i, proxy] of proxies.entries()) {
    for (const [m, ms] of proxy.millis) {
      const n = (proxy.counts.get(m) ?? 0) - (rpcBefore[i]!.get(m) ?? 0);
      const t = ms - (msBefore[i]!.get(m) ?? 0);
      if (n > 0) rpcMs[m] = [(rpcMs[m]?.[0] ?? 0) + t, (rpcMs[m]?.[1] ?? 0) + n];
    }
  }
  const rpcByMethod: Record<string, number> = {};
  for (const d of perDaemon) for (const [m, n] of Object.entries(d.rpcByMethod)) rpcByMethod[m] = (rpcByMethod[m] ?? 0) + n;

  const jobsPerSecond = round((JOBS / elapsedMs) * 1000, 2);
  const daemon = {
    providers: PROVIDERS.length,
    jobs: JOBS,
    jobsPerSecond,
    claimLatencyMsP50: Math.round(median(claimLat)),
    target: TARGET,
    meetsTarget: jobsPerSecond >= TARGET,
    elapsedMs: Math.round(elapsedMs),
    postingMs: Math.round(postedMs),
    latencyMs: {
      claimP90: Math.round(pct(claimLat, 0.9)),
      claimToSubmitP50: Math.round(median(claimToSubmit)),
      submitToFinalizeP50: Math.round(median(submitToFinal)),
      endToEndP50: Math.round(median(endToEnd)),
      endToEndP90: Math.round(pct(endToEnd, 0.9)),
    },
    breakdown: {
      executionMsPerJob: round((execSum / Math.max(1, execCount)) * 1000, 2),
      executions: execCount,
      rpcCallsPerJob: round(rpcTotal / JOBS, 1),
      rpcByMethodPerJob: Object.fromEntries(Object.entries(rpcByMethod).sort((a, b) => b[1] - a[1]).map(([m, n]) => [m, round(n / JOBS, 2)])),
      rpcMeanMsByMethod: Object.fromEntries(Object.entries(rpcMs).sort((a, b) => b[1][1] - a[1][1]).map(([m, [t, n]]) => [m, round(t / n, 1)])),
      rpcMsPerJob: round(Object.values(rpcMs).reduce((a, [t]) => a + t, 0) / JOBS, 1),
      transactions: txsPerBlock.reduce((a, b) => a + b, 0),
      revertedTransactions: reverted.length,
      txsByFunction,
      revertedByFunction,
      blocks: blocks.length,
      txsPerBlockMean: round(txsPerBlock.reduce((a, b) => a + b, 0) / Math.max(1, blocks.length), 2),
      txsPerBlockMax: Math.max(0, ...txsPerBlock),
      gasPerBlockMean: Math.round(gasPerBlock.reduce((a, b) => a + b, 0) / Math.max(1, blocks.length)),
      blockGapMsP50: round(median(blockGaps)),
      chainTxsPerSecond: round((txsPerBlock.reduce((a, b) => a + b, 0) / elapsedMs) * 1000, 1),
    },
    perDaemon,
    setup: {
      mining: MINING === "auto" ? "automine (one block per transaction)" : `interval ${MINING} ms`,
      challengeWindowS: CHALLENGE_WINDOW,
      concurrencyPerDaemon: CONCURRENCY,
      executorThreads: 1,
      pollIntervalMs: 100,
      confirmations: 0,
      program: "montecarlo",
      samples: Number(SAMPLES),
      batches: Math.ceil(JOBS / MAX_BATCH),
      keeper: getAddress(hdAccount(KEEPER).address),
      rpcProxy: "each daemon's JSON-RPC goes through a counting proxy in the bench process",
    },
    method:
      "wall clock: jobsPerSecond = jobs / (first postJobs sent → block with the last JobFinalized first seen); latencies from the wall time each event's block was first seen (head polled every 20 ms)",
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    measuredAt: new Date().toISOString(),
  };

  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(await readFile(REPORT, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  report.daemon = daemon;
  await writeFile(REPORT, `${JSON.stringify(report, null, 2)}\n`);
  const { perDaemon: _p, ...summary } = daemon;
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `${JOBS} jobs, 4 providers: ${jobsPerSecond} jobs/s end to end (target ≥ ${TARGET}: ${daemon.meetsTarget ? "met" : "NOT met"}), ` +
      `claim latency p50 ${daemon.claimLatencyMsP50} ms → reports/bench.json`,
  );
} finally {
  for (const c of children) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  killAll();
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}
