// `npm run bench:daemon`: end-to-end throughput of the provider daemon on a local node, in two
// runs, merged into reports/bench.json under "daemon":
//
// - `automine` (as before, so figures compare): a `hardhat node` mining every transaction at once
//   in its own block; 4 provider daemons (the first also keeper), BENCH_JOBS (200) small
//   montecarlo jobs posted after the daemons started. The mode that measures the daemon itself:
//   a step costs its RPC round trips and the node's work per transaction.
// - `oneSecondBlocks` (issue 15): a node with a block a second (BENCH_NODE: `anvil`, the
//   default, or `hardhat`), BENCH_PROVIDERS (4) providers with claimPolicy.concurrency
//   BENCH_BLOCK_CONCURRENCY (64) and tx.batchesInFlight BENCH_BLOCK_BATCHES_IN_FLIGHT (4),
//   BENCH_REQUESTERS (2) requesters sharing BENCH_BLOCK_JOBS (1000) jobs, posted before the
//   daemons start (BENCH_PREPOST=0: after). Like a real chain: a job's steps each wait for a block.
//
// Both runs use the daemon's defaults otherwise — the fast path included (the jobs' fuel limit,
// 10,000,000, is at the default `claimPolicy.fastPathMaxFuel`); BENCH_FAST_PATH_MAX_FUEL sets it
// (0: claim first), BENCH_FETCH a JSON `fetch` section.
//
// Both runs share the method. Each daemon talks to the node through a counting JSON-RPC proxy in
// this process (RPC calls per job, by method); this process watches the head every 20 ms to time
// blocks by wall clock; the daemons' CPU time is read from /proc.
//
//   jobsPerSecond        jobs / (wall time from the start — the first postJobs, or the daemons'
//                        start when pre-posted — to seeing the block that settles the last job:
//                        its JobFinalized or, for a job paid through a pay bucket (PayDeferred,
//                        counted in deferredPayJobs), the first block past its challenge end)
//   steadyJobsPerSecond  jobs finalized between the 20th and the 80th percentile of finalization
//                        times / the time between them (no ramp-up, no tail)
//   claimLatencyMsP50    median over jobs of (JobClaimed block first seen − max(JobPosted block
//                        first seen, start))
//   txPerJob, rpcPerJob  the daemons' transactions and JSON-RPC calls / jobs
//   gasLimitShare        steady jobs/s × gas per job (every transaction of the run / jobs) / the
//                        chain's gas per second (block gas limit / block time)
//   cpuMsPerJob          the daemons' user + system CPU time over the 1 s-block run / jobs
//   startupMs            per daemon, from its spawn: first JSON-RPC call (modules loaded), its
//                        "daemon starting" line, first eth_getLogs (job index), first transaction;
//                        `clockStart` (when the clock above starts) and `firstClaimSeen` (the
//                        block of the first JobClaimed) from the first spawn
//
// The 1 s-block run is repeated BENCH_RUNS times (default 3): the record is the median run by
// steady jobs/s, with each run's figures and load average in `runs`. The report section is merged
// with `updateBenchReport` (BENCH_ONLY keeps the other run's figures).
//
// Environment: BENCH_ONLY (`automine` or `oneSecondBlocks`), BENCH_JOBS, BENCH_CONCURRENCY and
// BENCH_BATCHES_IN_FLIGHT (automine, defaults 16 and 1), BENCH_SAMPLES (default 100),
// BENCH_TIMEOUT_MS (default 600000), BENCH_TIMELINE (print events per 500 ms and the first N log
// lines of the first daemon; BENCH_TIMELINE_BEFORE_MS also shows lines before the start),
// BENCH_LOG_LEVEL (the daemons'), BENCH_CPU_PROF=<dir> (a V8 CPU profile of each daemon there),
// and the BENCH_* above. eth_call is also counted by contract function
// (`breakdown.ethCallsByFunctionPerJob`). Every child process group is killed at the end, also on
// error.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { decodeFunctionData, erc20Abi, getAddress, parseEventLogs, type Abi, type Hex } from "viem";

import { MAX_BATCH, postJobs, registerProvider, stake } from "../sdk/src/index.ts";
import { hashworkDisputesAbi, hashworkMarketAbi } from "../sdk/src/abi/index.ts";
import { createContentServer, createLocalStore } from "../sdk/src/store/index.ts";
import {
  deploySystem,
  freePort,
  hdAccount,
  logRecords,
  monteCarloJobs,
  startDaemonProcess,
  startAnvilNode,
  startHardhatNode,
  waitFor,
  writeDaemonConfig,
  type ChildHandle,
} from "../testkit/local-cluster.ts";
import { DISPUTE_PARAMETERS, TOKEN_UNIT } from "../ignition/parameters/defaults.ts";
import { updateBenchReport } from "./lib/bench-report.ts";

const SAMPLES = BigInt(process.env.BENCH_SAMPLES ?? 100);
const CHALLENGE_WINDOW = 1;
const TARGET = 20;
/** Accounts: requesters first (deploySystem mints tokens to 1–8), providers after them; the first provider is also keeper. */
const MAX_ACCOUNT = 8;

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1]! : NaN);
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : NaN;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

const children: ChildHandle[] = [];
const servers: Server[] = [];
const killAll = () => {
  for (const c of children) c.kill();
};
process.on("exit", killAll);
/** User + system CPU time of a process, in ms (Linux /proc; 100 clock ticks a second). */
async function cpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

/** The market, dispute or token function an eth_call's data calls (undefined: none of theirs). */
function callName(data: Hex | undefined): string | undefined {
  if (!data) return undefined;
  for (const abi of [hashworkMarketAbi, hashworkDisputesAbi, erc20Abi] as const) {
    try {
      return decodeFunctionData({ abi: abi as Abi, data }).functionName;
    } catch {
      // another contract's
    }
  }
  return data.slice(0, 10);
}

/** A JSON-RPC proxy to `target` that counts requests by method (batches counted per call). */
async function countingProxy(target: string) {
  const counts = new Map<string, number>();
  /** Wall time of single (non-batch) calls, by method: the node's time per call plus the hop. */
  const millis = new Map<string, number>();
  /** When each method was first called (performance.now()): the daemon's start-up milestones. */
  const first = new Map<string, number>();
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
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
          counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
          if (!first.has(call.method)) first.set(call.method, performance.now());
          // eth_call by contract function (what the reads are): `eth_call:getJob`.
          const data = call.method === "eth_call" ? (call as { params?: [{ data?: Hex; input?: Hex }] }).params?.[0] : undefined;
          const fn = callName(data?.data ?? data?.input);
          if (fn) counts.set(`eth_call:${fn}`, (counts.get(`eth_call:${fn}`) ?? 0) + 1);
        }
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
  return { url: `http://127.0.0.1:${port}`, counts, millis, first, requests: () => requests };
}

type RunOptions = {
  /** Which node, and how it mines: every transaction at once, or a block every `blockSeconds`. */
  node: "hardhat" | "anvil";
  blockSeconds: number | undefined;
  providers: number;
  requesters: number;
  jobs: number;
  concurrency: number;
  batchesInFlight: number;
  /** Post every job before the daemons start (the backlog case) instead of after. */
  prePost: boolean;
  /** `claimPolicy.fastPathMaxFuel`: jobs at or below it are run first, then claimAndSubmit (0: off; undefined: the daemon's default). */
  fastPathMaxFuel: bigint | undefined;
};

/** A run that failed before its jobs were posted: the only failure a bench retries. */
class SetupError extends Error {
  constructor(cause: unknown) {
    super(`set-up failed: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

/** One bench run on a fresh node and deployment; returns its figures. */
async function runBench(o: RunOptions) {
  const requesters = Array.from({ length: o.requesters }, (_, i) => 1 + i);
  const providers = Array.from({ length: o.providers }, (_, i) => 1 + o.requesters + i);
  if (providers.at(-1)! > MAX_ACCOUNT)
    throw new Error(`at most ${MAX_ACCOUNT} funded accounts: ${o.requesters} requesters + ${o.providers} providers`);
  const keeper = providers[0]!;
  const loadStart = loadavg()[0]!;
  let dir: string | undefined;
  const mine: ChildHandle[] = [];
  // Until the jobs are posted a failure is the set-up's (a fresh node, funding), worth a retry.
  let settingUp = true;
  try {
    const node = o.node === "anvil" ? await startAnvilNode() : await startHardhatNode();
    children.push(node);
    mine.push(node);
    const system = await deploySystem(node.url);
    const rpc = (method: string, params: unknown[] = []) =>
      system.publicClient.request({ method: method as never, params: params as never });
    // No random audits: the bench measures post → claim → submit → finalize. (The audit reserve
    // pays any audit the lottery selects, and with no verifier bonded in the pool its committee
    // could never be drawn, leaving the job disputed.) The keeper still reads the lottery once per
    // submission, so RPC figures compare.
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
    for (const index of providers) {
      const provider = system.clientFor(index);
      await registerProvider(provider, { endpoint: "http://127.0.0.1/", pricePerFuel: 1n, maxFuel: 10n ** 12n });
      await stake(provider, { amount: 100_000n * TOKEN_UNIT, payment: "permit" });
    }
    if (o.blockSeconds !== undefined) {
      await rpc("evm_setAutomine", [false]);
      // anvil takes seconds, hardhat milliseconds.
      await rpc("evm_setIntervalMining", [o.node === "anvil" ? o.blockSeconds : o.blockSeconds * 1000]);
    }
    dir = await mkdtemp(join(tmpdir(), "hashwork-bench-daemon-"));
    const content = createContentServer({ store: createLocalStore({ dir: join(dir, "requester") }) });
    await content.start();
    servers.push({ close: (cb?: () => void) => void content.close().then(() => cb?.()) } as unknown as Server);

    // Each requester's share of the jobs.
    const share = (r: number) => Math.floor(o.jobs / o.requesters) + (r < o.jobs % o.requesters ? 1 : 0);
    const jobsOf = await Promise.all(
      requesters.map((requester, r) =>
        monteCarloJobs(system, {
          requester,
          storeDir: join(dir!, "requester"),
          uriFor: (h: Hex) => content.uriFor(h),
          seeds: Array.from({ length: share(r) }, (_, i) => BigInt(10_000 + r * 100_000 + i)),
          samples: SAMPLES,
          job: { challengeWindow: CHALLENGE_WINDOW, fuelLimit: 10_000_000n, reward: TOKEN_UNIT / 10n, executionTime: 600 },
        }),
      ),
    );

    // Watch the head: wall-clock time each block was first seen.
    const seen = new Map<bigint, number>();
    let watching = true;
    const startBlock = await system.publicClient.getBlockNumber({ cacheTime: 0 });
    const watcher = (async () => {
      let last = startBlock;
      while (watching) {
        const head = await system.publicClient.getBlockNumber({ cacheTime: 0 }).catch(() => last);
        const now = performance.now();
        for (let b = last + 1n; b <= head; b++) seen.set(b, now);
        last = head > last ? head : last;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const jobIds: bigint[] = [];
    let postedMs = 0;
    /** Every requester posts its jobs in `postJobs` batches of up to 100, the requesters at once. */
    const post = async () => {
      const started = performance.now();
      const ids = await Promise.all(
        requesters.map(async (requester, r) => {
          const out: bigint[] = [];
          for (let i = 0; i < jobsOf[r]!.length; i += MAX_BATCH) {
            out.push(...(await postJobs(system.clientFor(requester), { jobs: jobsOf[r]!.slice(i, i + MAX_BATCH) })).jobIds);
          }
          return out;
        }),
      );
      jobIds.push(...ids.flat());
      postedMs = performance.now() - started;
    };
    if (o.prePost) await post();
    settingUp = false;

    // Daemons, each behind a counting proxy.
    const proxies: Awaited<ReturnType<typeof countingProxy>>[] = [];
    const daemons: ChildHandle[] = [];
    /** performance.now() at each daemon's spawn. */
    const spawnedAt: number[] = [];
    for (const index of providers) {
      const proxy = await countingProxy(node.url);
      proxies.push(proxy);
      const file = await writeDaemonConfig(
        { ...system, url: proxy.url },
        {
          dir,
          name: `provider-${index}`,
          index,
          overrides: {
            pollIntervalMs: 100,
            ...(process.env.BENCH_LOG_LEVEL ? { logLevel: process.env.BENCH_LOG_LEVEL } : {}),
            roles: { provider: true, keeper: index === keeper },
            claimPolicy: {
              concurrency: o.concurrency,
              maxFuel: "100000000",
              ...(o.fastPathMaxFuel === undefined ? {} : { fastPathMaxFuel: o.fastPathMaxFuel.toString() }),
            },
            executor: { threads: 1 },
            ...(process.env.BENCH_FETCH ? { fetch: JSON.parse(process.env.BENCH_FETCH) } : {}),
            tx: { receiptTimeoutMs: 30_000, batchesInFlight: o.batchesInFlight },
          },
        },
      );
      // BENCH_CPU_PROF=<dir>: each daemon writes a V8 CPU profile there when it stops.
      const prof = process.env.BENCH_CPU_PROF;
      spawnedAt.push(performance.now());
      const d = startDaemonProcess(file, prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${prof}` } : {});
      children.push(d);
      mine.push(d);
      daemons.push(d);
    }
    await Promise.all(
      daemons.map((d) =>
        waitFor("daemon started", () => (logRecords(d).some((r) => r.msg === "daemon starting") ? true : undefined), 30_000, 50),
      ),
    );
    if (!o.prePost) await new Promise((r) => setTimeout(r, 1_000)); // first index sync
    const rpcBefore = proxies.map((p) => new Map(p.counts));
    const msBefore = proxies.map((p) => new Map(p.millis));
    const cpuBefore = await Promise.all(daemons.map((d) => cpuMs(d.child.pid)));

    const t0 = performance.now();
    if (!o.prePost) await post();
    const idSet = new Set(jobIds);
    const fromBlock = startBlock + 1n;
    const events = async () => {
      const logs = await system.publicClient.getLogs({ address: system.deployment.market, fromBlock });
      return parseEventLogs({ abi: hashworkMarketAbi, logs }).filter(
        (e) => e.eventName === "PayDeferred" || idSet.has((e.args as { jobId?: bigint }).jobId!),
      );
    };
    // A job is settled at its JobFinalized block or, paid through a pay bucket (PayDeferred: no
    // JobFinalized), at the first block past its challenge end: from there `jobState` reads Finalized.
    const blockTimes = new Map<bigint, bigint>();
    const timeOf = async (n: bigint) => {
      let t = blockTimes.get(n);
      if (t === undefined) {
        t = (await system.publicClient.getBlock({ blockNumber: n })).timestamp;
        blockTimes.set(n, t);
      }
      return t;
    };
    const settledBlocks = async (logs: Awaited<ReturnType<typeof events>>) => {
      const settled = new Map<bigint, bigint>();
      const deferred = new Set<bigint>();
      for (const e of logs) {
        if (e.eventName === "JobFinalized") settled.set((e.args as { jobId: bigint }).jobId, e.blockNumber!);
        if (e.eventName === "PayDeferred") for (const id of (e.args as { jobIds: readonly bigint[] }).jobIds) deferred.add(id);
      }
      const head = await system.publicClient.getBlockNumber();
      for (const e of logs) {
        if (e.eventName !== "ResultSubmitted") continue;
        const { jobId, challengeEnd } = e.args as { jobId: bigint; challengeEnd: bigint };
        if (!deferred.has(jobId) || settled.has(jobId)) continue;
        let b = e.blockNumber! + 1n;
        while (b <= head && (await timeOf(b)) <= challengeEnd) b++;
        if (b <= head) settled.set(jobId, b);
      }
      return { settled, deferred: deferred.size };
    };
    try {
      await waitFor(
        "every job Finalized",
        async () => {
          const { settled } = await settledBlocks(await events());
          return settled.size >= o.jobs ? true : undefined;
        },
        Number(process.env.BENCH_TIMEOUT_MS ?? 600_000),
        500,
      );
    } catch (error) {
      // What was left, and what the daemons complained about.
      const last = new Map<bigint, string>();
      for (const e of await events()) last.set((e.args as { jobId: bigint }).jobId, e.eventName);
      const stuck: Record<string, number> = {};
      for (const id of jobIds) stuck[last.get(id) ?? "none"] = (stuck[last.get(id) ?? "none"] ?? 0) + 1;
      console.error("jobs by last event:", JSON.stringify(stuck));
      for (const d of daemons) {
        for (const r of logRecords(d)
          .filter((r) => r.level === "warn" || r.level === "error")
          .slice(-5))
          console.error(JSON.stringify(r).slice(0, 400));
      }
      throw error;
    }
    await new Promise((r) => setTimeout(r, 60)); // let the watcher see the last block
    watching = false;
    await watcher;
    const cpuAfter = await Promise.all(daemons.map((d) => cpuMs(d.child.pid)));

    const all = await events();
    const blockOf = (name: string) => {
      const m = new Map<bigint, bigint>();
      for (const e of all) if (e.eventName === name) m.set((e.args as { jobId: bigint }).jobId, e.blockNumber!);
      return m;
    };
    const posted = blockOf("JobPosted");
    const claimed = blockOf("JobClaimed");
    const submitted = blockOf("ResultSubmitted");
    const { settled: finalized, deferred: deferredJobs } = await settledBlocks(all);
    const at = (b: bigint | undefined) => (b === undefined ? NaN : (seen.get(b) ?? t0));
    const from = (b: bigint | undefined) => Math.max(at(b), t0);
    const finalTimes = jobIds.map((id) => at(finalized.get(id))).sort((a, b) => a - b);
    const lastFinal = finalTimes.at(-1)!;
    const elapsedMs = lastFinal - t0;
    const i20 = Math.floor(0.2 * (finalTimes.length - 1));
    const i80 = Math.floor(0.8 * (finalTimes.length - 1));
    const steadyJobsPerSecond = round(((i80 - i20) / Math.max(1, finalTimes[i80]! - finalTimes[i20]!)) * 1000, 2);
    const claimLat = jobIds.map((id) => at(claimed.get(id)) - from(posted.get(id)));
    const claimToSubmit = jobIds.map((id) => at(submitted.get(id)) - at(claimed.get(id)));
    const submitToFinal = jobIds.map((id) => at(finalized.get(id)) - at(submitted.get(id)));
    const endToEnd = jobIds.map((id) => at(finalized.get(id)) - from(posted.get(id)));
    const claimsBy = new Map<string, number>();
    for (const e of all) {
      if (e.eventName !== "JobClaimed") continue;
      const p = getAddress((e.args as { provider: `0x${string}` }).provider);
      claimsBy.set(p, (claimsBy.get(p) ?? 0) + 1);
    }

    // Blocks of the run, and every transaction in them.
    const endBlock = await system.publicClient.getBlockNumber({ cacheTime: 0 });
    const blocks = [];
    for (let b = fromBlock; b <= endBlock; b++) blocks.push(await system.publicClient.getBlock({ blockNumber: b }));
    const txsPerBlock = blocks.map((b) => b.transactions.length);
    const gasPerBlock = blocks.map((b) => Number(b.gasUsed));
    const blockGaps = [];
    for (let b = startBlock + 2n; b <= endBlock; b++) if (seen.has(b) && seen.has(b - 1n)) blockGaps.push(seen.get(b)! - seen.get(b - 1n)!);
    const providerSet = new Set(providers.map((i) => getAddress(hdAccount(i).address)));
    const reverted = [];
    const revertedByFunction: Record<string, number> = {};
    const txsByFunction: Record<string, number> = {};
    let daemonTxs = 0;
    let gasTotal = 0n;
    for (const b of blocks)
      for (const h of b.transactions as Hex[]) {
        const [r, tx] = await Promise.all([
          system.publicClient.getTransactionReceipt({ hash: h }),
          system.publicClient.getTransaction({ hash: h }),
        ]);
        gasTotal += r.gasUsed;
        if (providerSet.has(getAddress(tx.from))) daemonTxs++;
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
    const gasLimit = Number(blocks.at(-1)?.gasLimit ?? 30_000_000n);
    if (process.env.BENCH_TIMELINE) {
      // Events per 500 ms of wall clock, from the start.
      const rows = new Map<number, Record<string, number>>();
      for (const e of all) {
        const slot = Math.floor((at(e.blockNumber!) - t0) / 500);
        const row = rows.get(slot) ?? {};
        row[e.eventName] = (row[e.eventName] ?? 0) + 1;
        rows.set(slot, row);
      }
      for (const [slot, row] of [...rows].sort((a, b) => a[0] - b[0])) console.log(`${slot * 500} ms`, JSON.stringify(row));
      const wall0 = Date.now() - (performance.now() - t0);
      for (const r of logRecords(daemons[0]!)
        .filter((r) => Date.parse(String(r.time)) >= wall0 - Number(process.env.BENCH_TIMELINE_BEFORE_MS ?? 0))
        .slice(0, Number(process.env.BENCH_TIMELINE))) {
        const { time, level: _l, chain_id: _c, ...rest } = r;
        console.log(`  +${Date.parse(String(time)) - wall0} ms`, JSON.stringify(rest).slice(0, 200));
      }
    }

    // Start-up, per daemon, from its spawn: module loading (first RPC call), the "daemon
    // starting" line, the job index's first log read, the first transaction (a claim).
    const wallToPerf = (iso: unknown) => Date.parse(String(iso)) - performance.timeOrigin;
    const startup = daemons.map((d, i) => {
      const since = (t: number | undefined) => (t === undefined ? NaN : Math.round(t - spawnedAt[i]!));
      const starting = logRecords(d).find((r) => r.msg === "daemon starting");
      const firstCall = Math.min(...proxies[i]!.first.values());
      return {
        firstRpcMs: since(firstCall),
        daemonStartingMs: since(starting ? wallToPerf(starting.time) : undefined),
        firstGetLogsMs: since(proxies[i]!.first.get("eth_getLogs")),
        firstTransactionMs: since(proxies[i]!.first.get("eth_sendRawTransaction")),
      };
    });
    const firstClaimSeen = Math.min(...[...claimed.values()].map((b) => at(b)));

    let execSum = 0;
    let execCount = 0;
    const perDaemon = [];
    for (const [i, index] of providers.entries()) {
      const d = daemons[i]!;
      const port = JSON.parse(await readFile(join(dir, `provider-${index}`, "daemon.json"), "utf8")).http.port as number;
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const value = (name: string) =>
        text
          .split("\n")
          .filter((l) => l.startsWith(name))
          .reduce((s, l) => s + Number(l.split(" ").pop()), 0);
      execSum += value("hashwork_execution_seconds_sum");
      execCount += value("hashwork_execution_seconds_count");
      const rpcCalls: Record<string, number> = {};
      for (const [m, n] of proxies[i]!.counts) {
        const delta = n - (rpcBefore[i]!.get(m) ?? 0);
        if (delta > 0) rpcCalls[m] = delta;
      }
      const address = getAddress(hdAccount(index).address);
      perDaemon.push({
        account: address,
        keeper: index === keeper,
        claimed: claimsBy.get(address) ?? 0,
        finalizedOwn: value("hashwork_jobs_finalized_total"),
        keeperActions: value("hashwork_keeper_actions_total"),
        txSent: value("hashwork_tx_sent_total"),
        cpuMs: cpuAfter[i]! - cpuBefore[i]!,
        rpcCalls: Object.entries(rpcCalls).reduce((a, [m, n]) => (m.includes(":") ? a : a + n), 0),
        rpcByMethod: Object.fromEntries(Object.entries(rpcCalls).sort((a, b) => b[1] - a[1])),
        warnings: logRecords(d).filter((r) => r.level === "warn" || r.level === "error").length,
      });
    }
    const rpcTotal = perDaemon.reduce((s, d) => s + d.rpcCalls, 0);
    const cpuTotal = perDaemon.reduce((s, d) => s + d.cpuMs, 0);
    // Mean wall time per call by method, over all daemons (node time + proxy hop).
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
    const gasPerJob = Number(gasTotal) / o.jobs;

    return {
      node: o.node,
      providers: o.providers,
      requesters: o.requesters,
      concurrency: o.concurrency,
      batchesInFlight: o.batchesInFlight,
      fastPathMaxFuel: o.fastPathMaxFuel === undefined ? "daemon default" : Number(o.fastPathMaxFuel),
      prePosted: o.prePost,
      jobs: o.jobs,
      deferredPayJobs: deferredJobs,
      jobsPerSecond: round((o.jobs / elapsedMs) * 1000, 2),
      steadyJobsPerSecond,
      claimLatencyMsP50: Math.round(median(claimLat)),
      txPerJob: round(daemonTxs / o.jobs, 3),
      rpcPerJob: round(rpcTotal / o.jobs, 1),
      revertedTx: reverted.length,
      gasPerJob: Math.round(gasPerJob),
      gasLimitShare: o.blockSeconds === undefined ? undefined : round((steadyJobsPerSecond * gasPerJob) / (gasLimit / o.blockSeconds), 3),
      cpuMsPerJob: round(cpuTotal / o.jobs, 2),
      elapsedMs: Math.round(elapsedMs),
      postingMs: Math.round(postedMs),
      startupMs: {
        /** Median over the daemons of the time from spawn to each milestone; the bench's clock starts at `clockStart`. */
        ...Object.fromEntries(
          (["firstRpcMs", "daemonStartingMs", "firstGetLogsMs", "firstTransactionMs"] as const).map((k) => [
            k.replace(/Ms$/, ""),
            median(startup.map((s) => s[k])),
          ]),
        ),
        clockStart: Math.round(t0 - Math.min(...spawnedAt)),
        firstClaimSeen: Math.round(firstClaimSeen - Math.min(...spawnedAt)),
        perDaemon: startup,
      },
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
        rpcByMethodPerJob: Object.fromEntries(
          Object.entries(rpcByMethod)
            .filter(([m]) => !m.includes(":"))
            .sort((a, b) => b[1] - a[1])
            .map(([m, n]) => [m, round(n / o.jobs, 2)]),
        ),
        ethCallsByFunctionPerJob: Object.fromEntries(
          Object.entries(rpcByMethod)
            .filter(([m]) => m.startsWith("eth_call:"))
            .sort((a, b) => b[1] - a[1])
            .map(([m, n]) => [m.slice("eth_call:".length), round(n / o.jobs, 2)]),
        ),
        rpcMeanMsByMethod: Object.fromEntries(
          Object.entries(rpcMs)
            .sort((a, b) => b[1][1] - a[1][1])
            .map(([m, [t, n]]) => [m, round(t / n, 1)]),
        ),
        rpcMsPerJob: round(Object.values(rpcMs).reduce((a, [t]) => a + t, 0) / o.jobs, 1),
        transactions: txsPerBlock.reduce((a, b) => a + b, 0),
        daemonTransactions: daemonTxs,
        txsByFunction,
        revertedByFunction,
        blocks: blocks.length,
        blockGasLimit: gasLimit,
        txsPerBlockMean: round(txsPerBlock.reduce((a, b) => a + b, 0) / Math.max(1, blocks.length), 2),
        txsPerBlockMax: Math.max(0, ...txsPerBlock),
        gasPerBlockMean: Math.round(gasPerBlock.reduce((a, b) => a + b, 0) / Math.max(1, blocks.length)),
        blockGapMsP50: round(median(blockGaps)),
        chainTxsPerSecond: round((txsPerBlock.reduce((a, b) => a + b, 0) / elapsedMs) * 1000, 1),
      },
      perDaemon,
      /** 1-minute load average of the machine at the start and the end of the run (others' work competes for the cores). */
      loadAverage: [round(loadStart, 2), round(loadavg()[0]!, 2)],
      setup: {
        mining: o.blockSeconds === undefined ? "automine (one block per transaction)" : `interval ${o.blockSeconds} s`,
        challengeWindowS: CHALLENGE_WINDOW,
        executorThreads: 1,
        pollIntervalMs: 100,
        confirmations: 0,
        program: "montecarlo",
        samples: Number(SAMPLES),
        keeper: getAddress(hdAccount(keeper).address),
        rpcProxy: "each daemon's JSON-RPC goes through a counting proxy in the bench process",
        fetch: process.env.BENCH_FETCH ?? "daemon defaults (fetch.concurrency 32, concurrencyPerRequester 8)",
      },
    };
  } catch (error) {
    throw settingUp ? new SetupError(error) : error;
  } finally {
    for (const c of mine) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    for (const c of mine) c.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

try {
  const only = process.env.BENCH_ONLY;
  const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const daemon: Record<string, unknown> = {};
  if (only === undefined || only === "automine") {
    const {
      perDaemon: _p,
      gasLimitShare: _g,
      ...automine
    } = await runBench({
      node: "hardhat",
      blockSeconds: undefined,
      providers: 4,
      requesters: 1,
      jobs: env("BENCH_JOBS", 200),
      concurrency: env("BENCH_CONCURRENCY", 16),
      batchesInFlight: env("BENCH_BATCHES_IN_FLIGHT", 1),
      prePost: false,
      fastPathMaxFuel: process.env.BENCH_FAST_PATH_MAX_FUEL === undefined ? undefined : BigInt(process.env.BENCH_FAST_PATH_MAX_FUEL),
    });
    daemon.automine = { ...automine, target: TARGET, meetsTarget: automine.jobsPerSecond >= TARGET };
    console.log(`automine: ${automine.jobs} jobs, ${automine.jobsPerSecond} jobs/s end to end, claim p50 ${automine.claimLatencyMsP50} ms`);
  }
  if (only === undefined || only === "oneSecondBlocks") {
    const node = (process.env.BENCH_NODE ?? "anvil") as "anvil" | "hardhat";
    if (node !== "anvil" && node !== "hardhat") throw new Error(`BENCH_NODE must be anvil or hardhat, not ${node}`);
    // BENCH_RUNS runs in a row (default 3; the machine's load moves the figures): the record is
    // the median run by steady jobs/s, with every run's headline figures and load average beside it.
    const runs: Omit<Awaited<ReturnType<typeof runBench>>, "perDaemon">[] = [];
    // A run whose set-up fails (before its jobs are posted: a fresh node, funding) is started
    // again on a fresh node, at most twice; each retried error is recorded. A failure during the
    // measured part fails the bench.
    const setupRetries: string[] = [];
    const attempt = async <T>(f: () => Promise<T>): Promise<T> => {
      for (let tries = 1; ; tries++) {
        try {
          return await f();
        } catch (error) {
          if (!(error instanceof SetupError) || tries === 3) throw error;
          setupRetries.push(error.message.split("\n")[0]!);
          console.error(`${setupRetries.at(-1)}; again on a fresh node`);
        }
      }
    };
    for (let i = 0, n = env("BENCH_RUNS", 3); i < n; i++) {
      const { perDaemon: _p, ...run } = await attempt(() =>
        runBench({
          node,
          blockSeconds: 1,
          providers: env("BENCH_PROVIDERS", 4),
          requesters: env("BENCH_REQUESTERS", 2),
          jobs: env("BENCH_BLOCK_JOBS", 1000),
          concurrency: env("BENCH_BLOCK_CONCURRENCY", 64),
          batchesInFlight: env("BENCH_BLOCK_BATCHES_IN_FLIGHT", 4),
          prePost: process.env.BENCH_PREPOST !== "0",
          fastPathMaxFuel: process.env.BENCH_FAST_PATH_MAX_FUEL === undefined ? undefined : BigInt(process.env.BENCH_FAST_PATH_MAX_FUEL),
        }),
      );
      runs.push(run);
      console.log(
        `1 s blocks (${node}), run ${i + 1}/${n}: ${run.jobs} jobs, ${run.jobsPerSecond} jobs/s end to end, ${run.steadyJobsPerSecond} steady, ` +
          `claim p50 ${run.claimLatencyMsP50} ms, ${run.txPerJob} tx/job, ${run.rpcPerJob} RPC/job, ${run.revertedTx} reverted, ` +
          `${run.gasLimitShare} of the gas limit, ${run.cpuMsPerJob} CPU ms/job, load ${run.loadAverage.join("→")}`,
      );
      console.log(`   start-up (ms from spawn, median of daemons): ${JSON.stringify({ ...run.startupMs, perDaemon: undefined })}`);
    }
    const record = [...runs].sort((a, b) => a.steadyJobsPerSecond - b.steadyJobsPerSecond)[runs.length >> 1]!;
    const medianOf = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
    daemon.oneSecondBlocks = {
      ...record,
      medians: {
        steadyJobsPerSecond: medianOf((r) => r.steadyJobsPerSecond),
        jobsPerSecond: medianOf((r) => r.jobsPerSecond),
        cpuMsPerJob: medianOf((r) => r.cpuMsPerJob),
        firstClaimSeenMs: medianOf((r) => r.startupMs.firstClaimSeen),
      },
      runs: runs.map((r) => ({
        steadyJobsPerSecond: r.steadyJobsPerSecond,
        jobsPerSecond: r.jobsPerSecond,
        txPerJob: r.txPerJob,
        revertedTx: r.revertedTx,
        cpuMsPerJob: r.cpuMsPerJob,
        firstClaimSeenMs: r.startupMs.firstClaimSeen,
        loadAverage: r.loadAverage,
      })),
      setupRetries,
      runsNote: `${runs.length} runs in a row; the record is the median run by steady jobs/s, \`medians\` each figure's own median`,
      targets: { steadyJobsPerSecond: 100, jobsPerSecond: 70, revertedShare: 0.02, note: "issue 15's targets" },
    };
    daemon.cpuMsPerJob = record.cpuMsPerJob;
    console.log(
      `1 s blocks, median of ${runs.length}: ${medianOf((r) => r.steadyJobsPerSecond)} steady, ${medianOf((r) => r.jobsPerSecond)} end to end, ` +
        `${medianOf((r) => r.cpuMsPerJob)} CPU ms/job`,
    );
  }
  daemon.method =
    "wall clock: jobsPerSecond = jobs / (start → block with the last JobFinalized first seen); steady = jobs between the 20th and 80th percentile of finalization times / that time; latencies from the wall time each event's block was first seen (head polled every 20 ms); CPU from /proc; startupMs from each daemon's spawn (first RPC call, its 'daemon starting' line, first eth_getLogs, first transaction; firstClaimSeen: the first JobClaimed block seen)";
  daemon.nodeVersion = process.version;
  daemon.cpus = (await import("node:os")).cpus().length;
  daemon.measuredAt = new Date().toISOString();
  // Only the parts measured now replace the old ones (BENCH_ONLY keeps the other run's figures).
  await updateBenchReport((report) => {
    report.daemon = { ...(report.daemon as Record<string, unknown> | undefined), ...daemon };
  });
  console.log("→ reports/bench.json (daemon)");
} finally {
  killAll();
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
