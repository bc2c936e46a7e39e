// `npm run demo`: the whole market on a local chain, in one command.
//
// Starts a `hardhat node` (127.0.0.1, a free port; automine while setting up, then one block a
// second so that block time follows the wall clock and challenge windows are real seconds),
// deploys token + market + dispute module through the Ignition module with the demo parameters
// (`ignition/parameters/demo.json`, into a temporary deployment folder), funds the actors, stakes
// four providers, bonds the three honest ones in the verifier pool (committees are drawn from it)
// and starts five daemons as child processes:
//
//   provider-1   provider + verifier + keeper      honest
//   provider-2   provider + verifier               honest
//   provider-3   provider + verifier               honest
//   mallory      provider with `corruptResults`    serves only bob (claim policy allow list)
//   watcher      watcher (re-executes every result) + keeper
//
// Then, as requesters through the SDK (each has deposited into its market ledger during setup),
// while the daemons boot: alice posts a batch of sample-program jobs (Mandelbrot tiles of one
// image, Monte Carlo runs, CSV statistics) open to every provider; bob posts one Monte Carlo run
// designated to mallory. Mallory commits a wrong result, the watcher challenges it in two steps
// (a commitment, then the reveal in a later block), the keeper draws the committee from the
// verifier pool (stake-weighted, with replacement: a verifier drawn twice holds two votes), they
// commit and reveal, the keeper resolves, and mallory is slashed. Bob reposts the job gated at a
// reputation score: a score relative to the job's reward, earned by protocol fees paid on completed
// jobs. Mallory has paid none (and lost a dispute): she scores 0, her daemon skips the repost with
// one log line, and an honest provider that has completed some of alice's jobs takes it. The requesters fetch every output, verified
// against the on-chain commitment, and write them to `out/` (the tiles assembled into one PNG).
//
// Then a governance scene: the deployer (holding most of the governance token) delegates, proposes
// `market.setFeeBps(150)`, votes, queues it in the timelock (shown pending with its eta, the fee
// unchanged), the local chain's clock moves past the voting period and the timelock's delay (the
// bound from the demo's short market bounds: 6 hours), and the change is executed.
//
// Live progress: one line per chain event. Then a report (jobs, disputes and slashing,
// balances, pool bonds and reputations before and after, gas per job, solvency, outputs) printed as tables
// and written to `out/report.json`. Every child process group is stopped at the end, also on
// error or Ctrl-C. Exit code 0 only if every check passed.
//
// `npm run demo -- --full` also runs the real workloads (SQLite, a C ray tracer, a Rust digit
// classifier; scripts/lib/workload-jobs.ts) as jobs once the main jobs are settled, into
// `out/workloads/`.
//
// Runs under plain Node with `scripts/lib/resolve-js-to-ts.ts` preloaded (package.json `demo`).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import hre from "hardhat";
import { getAddress, type Address, type Hex } from "viem";

import {
  bondVerifier,
  checkSolvency,
  depositToLedger,
  encodeJobId,
  ExecutionStatus,
  fetchJobOutput,
  getVerifier,
  type HashworkBaseClient,
  listDisputes,
  listJobs,
  postJobs,
  readJobState,
  registerProvider,
  sendContractTransaction,
  stake,
} from "../sdk/src/index.ts";
import { hashworkDisputesAbi, hashworkMarketAbi, hashworkTokenAbi, payoutRoleNames, verifierPoolAbi } from "../sdk/src/abi/index.ts";
import { assembleTiles, decodeCsvStatsOutput, decodeMonteCarloOutput } from "../sdk/src/programs/index.ts";
import { createContentServer, createLocalStore } from "../sdk/src/store/index.ts";
import {
  REPO_ROOT,
  connectSystem,
  hdAccount,
  logRecords,
  readJournal,
  LOCAL_FETCH_HOSTS,
  startDaemonProcess,
  startHardhatNode,
  waitFor,
  writeDaemonConfig,
  type ChildHandle,
  type System,
} from "../testkit/local-cluster.ts";
import { TOKEN_UNIT } from "../ignition/parameters/defaults.ts";
import { startEventFeed, type FeedEvent } from "./lib/event-feed.ts";
import { buildContracts } from "./lib/build-progress.ts";
import { gasPerJob, printReport, type AccountFigures, type PoolFigures, type ProviderFigures } from "./lib/demo-report.ts";
import { formatToken } from "./lib/format.ts";
import { fundAccounts } from "./lib/fund.ts";
import { governanceScene } from "./lib/governance-scene.ts";
import { deployHashwork, parametersFileFor, readIgnitionParameters } from "./lib/ignition.ts";
import { startDemoIndexer } from "./lib/demo-indexer.ts";
import { createProcessRegistry } from "./lib/processes.ts";
import { csvStatsJobs, demoDatasets, mandelbrotJobs, monteCarloJobs, type SampleJob } from "./lib/sample-jobs.ts";
import { runWorkloadJobs } from "./lib/workload-jobs.ts";

// ---------------------------------------------------------------- cast and terms

type Actor = { name: string; index: number; role: string };
const DEPLOYER: Actor = { name: "deployer", index: 0, role: "owner, treasury, arbiter (Ignition account #0)" };
const ALICE: Actor = { name: "alice", index: 1, role: "requester" };
const P1: Actor = { name: "provider-1", index: 2, role: "provider + verifier (pool bond) + keeper" };
const P2: Actor = { name: "provider-2", index: 3, role: "provider + verifier (pool bond)" };
const P3: Actor = { name: "provider-3", index: 4, role: "provider + verifier (pool bond)" };
const MALLORY: Actor = { name: "mallory", index: 5, role: "provider, corrupts its results" };
const WATCHER: Actor = { name: "watcher", index: 6, role: "watcher + keeper" };
const BOB: Actor = { name: "bob", index: 7, role: "requester" };
const ACTORS = [DEPLOYER, ALICE, BOB, P1, P2, P3, MALLORY, WATCHER];
const HONEST = [P1, P2, P3];
const addressOf = (a: Actor): Address => getAddress(hdAccount(a.index).address);
const nameOf = new Map<string, string>(ACTORS.map((a) => [addressOf(a), a.name]));
/** Names the contracts too, once deployed. */
const nameContract = (address: Address | undefined, name: string) => address && nameOf.set(getAddress(address), name);
const who = (address: unknown) => nameOf.get(getAddress(address as Address)) ?? String(address).slice(0, 10);

const FUNDING = 10_000n * TOKEN_UNIT;
/** Honest providers' stake: job collateral only (committees are drawn from the verifier pool). */
const HONEST_STAKE = 500n * TOKEN_UNIT;
/** What each honest provider bonds in the verifier pool: equal bonds, equal chances per seat. */
const VERIFIER_BOND = 600n * TOKEN_UNIT;
const MALLORY_STAKE = 150n * TOKEN_UNIT;
const ALICE_TERMS = { executionTime: 60, challengeWindow: 5, collateralPct: 100 };
const BOB_REWARD = 10n * TOKEN_UNIT;
const BOB_TERMS = { reward: BOB_REWARD, executionTime: 60, challengeWindow: 30, collateralPct: 100 };
const REPOST_CHALLENGE_WINDOW = 2;
const ALICE_DEPOSIT = 100n * TOKEN_UNIT;
const BOB_DEPOSIT = 30n * TOKEN_UNIT;
const WATCHER_ALLOWANCE = 100n * TOKEN_UNIT;
/**
 * Bob's repost is gated at this score on it: 10000 × feesPaid / (feesPaid + 10 HWK × penalty), so
 * at least 0.021 HWK of fees paid (two or three of alice's jobs completed at the 1% fee). A
 * provider that has paid no fees — a newcomer, or mallory — scores 0 on every job.
 */
const REPOST_MIN_REPUTATION = 20;
const TIMEOUT_MS = 100_000;
const OUT = join(REPO_ROOT, "out");
/** `npm run demo -- --full`: the real workloads too (built from C and Rust sources). */
const FULL = process.argv.includes("--full");

// ---------------------------------------------------------------- run

const started = 0; // process start: module loading counts too
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

let workDir: string | undefined;
const processes = createProcessRegistry({
  onSignal: (signal) => {
    console.error(`\n${signal}: stopping every process the demo started`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  },
});
process.on("exit", () => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const daemons: { actor: Actor; handle: ChildHandle }[] = [];
/** Closed at the end, also on error (they keep the event loop alive). */
const closers: (() => Promise<unknown>)[] = [];

async function runDemo(): Promise<number> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  workDir = await mkdtemp(join(tmpdir(), "hashwork-demo-"));
  // What `hardhat run` would do first: compile the contracts if anything changed (a no-op normally;
  // about a minute on a fresh clone, shown as it goes).
  await buildContracts(hre, say);

  // 1. Chain
  const node = processes.add(await startHardhatNode());
  say(`hardhat node on ${node.url} (chain 31337)`);

  // 2. Deploy through the Ignition module, into a temporary deployment folder
  const parametersFile = parametersFileFor("demo");
  const parameters = await readIgnitionParameters(parametersFile);
  const connection = await hre.network.create({ network: "localhost", override: { url: node.url } });
  const deploymentDir = join(workDir, "ignition", `demo-${process.pid}`);
  const deployment = await deployHashwork({ hre, provider: connection.provider, parameters, deploymentDir });
  await connection.close();
  say(
    `deployed with Ignition (ignition/modules/Hashwork.ts, ${relative(REPO_ROOT, parametersFile)}): market ${deployment.market}, disputes ${deployment.disputes}, verifier pool ${deployment.verifierPool}, token ${deployment.token}`,
  );
  nameContract(deployment.market, "market");
  nameContract(deployment.disputes, "dispute module");
  nameContract(deployment.verifierPool, "verifier pool");
  const system = await connectSystem(node.url, deployment);
  // The indexer and dashboard start now and warm up while the jobs run (scripts/lib/demo-indexer.ts).
  const dashboard = startDemoIndexer({ system, workDir, say });
  closers.push(() => dashboard.stop());
  const client = (a: Actor) => system.clientFor(a.index);
  const disputeConfig = await system.publicClient.readContract({
    address: deployment.disputes!,
    abi: hashworkDisputesAbi,
    functionName: "config",
  });
  say(
    `dispute module: committee of ${disputeConfig.committeeSize}, commit and reveal periods ${disputeConfig.commitPeriod} s / ${disputeConfig.revealPeriod} s, bond ${formatToken(disputeConfig.challengeBond)} HWK, random audits ${disputeConfig.auditRateBps / 100}%`,
  );

  // 3. Fund, register and stake; requesters deposit into their market ledger (so posting is one
  // transaction), the watcher approves the dispute module for challenge bonds.
  const funded = await fundAccounts(client(DEPLOYER), { recipients: ACTORS.filter((a) => a !== DEPLOYER).map(addressOf), amount: FUNDING });
  say(`funded ${funded.transfers.length} accounts with ${formatToken(FUNDING)} HWK each`);
  await Promise.all([
    ...[...HONEST.map((a) => [a, HONEST_STAKE] as const), [MALLORY, MALLORY_STAKE] as const].map(async ([a, amount]) => {
      await registerProvider(client(a), { endpoint: `http://127.0.0.1/${a.name}`, pricePerFuel: 1n, maxFuel: 10n ** 12n });
      await stake(client(a), { amount, payment: "permit" });
      // Committees are drawn from the verifier pool as it stood when a dispute opened: bond first.
      if (HONEST.includes(a)) await bondVerifier(client(a), { amount: VERIFIER_BOND });
    }),
    depositToLedger(client(ALICE), { amount: ALICE_DEPOSIT, payment: "permit" }),
    depositToLedger(client(BOB), { amount: BOB_DEPOSIT, payment: "permit" }),
    sendContractTransaction(client(WATCHER), {
      action: "approve",
      address: deployment.token!,
      abi: hashworkTokenAbi,
      functionName: "approve",
      args: [deployment.disputes!, WATCHER_ALLOWANCE],
    }),
  ]);
  say(
    `registered and staked: ${HONEST.map((a) => a.name).join(", ")} (${formatToken(HONEST_STAKE)} HWK each), mallory (${formatToken(MALLORY_STAKE)} HWK); alice and bob deposited ${formatToken(ALICE_DEPOSIT)} and ${formatToken(BOB_DEPOSIT)} HWK`,
  );
  say(
    `verifier pool: ${HONEST.map((a) => a.name).join(", ")} bonded ${formatToken(VERIFIER_BOND)} HWK each (minimum ${formatToken(await system.publicClient.readContract({ address: deployment.verifierPool!, abi: verifierPoolAbi, functionName: "minimumBond" }))} HWK)`,
  );

  // 4. The requesters' jobs: programs and inputs stored by hash and served over HTTP
  const requesterStore = createLocalStore({ dir: join(workDir, "requester") });
  const server = createContentServer({ store: requesterStore });
  await server.start();
  closers.push(() => server.close());
  const target = { store: requesterStore, uriFor: (h: Hex) => server.uriFor(h) };
  const aliceJobs: SampleJob[] = [
    ...(await mandelbrotJobs(target, { reward: TOKEN_UNIT, ...ALICE_TERMS })),
    ...(await monteCarloJobs(target, { reward: 2n * TOKEN_UNIT, ...ALICE_TERMS }, { seeds: [1n, 2n, 3n, 4n], samples: 1_000_000n })),
    ...(await csvStatsJobs(target, { reward: (3n * TOKEN_UNIT) / 2n, ...ALICE_TERMS }, demoDatasets())),
  ];
  const [bobJob] = await monteCarloJobs(
    target,
    { ...BOB_TERMS, designatedProvider: addressOf(MALLORY) },
    { seeds: [99n], samples: 1_000_000n },
  );
  // The same run again, later, open to any provider with enough fees paid for a job of its reward.
  const [repostJob] = await monteCarloJobs(
    target,
    { ...BOB_TERMS, challengeWindow: REPOST_CHALLENGE_WINDOW, minReputation: REPOST_MIN_REPUTATION },
    { seeds: [99n], samples: 1_000_000n },
  );
  const trackedProviders = [...HONEST, MALLORY];
  const before = await snapshot(system, trackedProviders);

  // 5. Daemons. From here on one block a second: with automine every transaction is a block one
  // second after the last, so under load the chain's clock would race ahead of the wall clock and
  // challenge windows would close before the watcher could look.
  await system.publicClient.request({ method: "evm_setAutomine" as never, params: [false] as never });
  await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });
  const daemonDir = join(workDir, "daemons");
  const base = { pollIntervalMs: 200, executor: { threads: 1 }, tx: { receiptTimeoutMs: 15_000 }, logLevel: "info" };
  const configs: [Actor, Record<string, unknown>][] = [
    [P1, { roles: { provider: true, verifier: true, keeper: true }, claimPolicy: { concurrency: 4 } }],
    [P2, { roles: { provider: true, verifier: true }, claimPolicy: { concurrency: 4 } }],
    [P3, { roles: { provider: true, verifier: true }, claimPolicy: { concurrency: 4 } }],
    [MALLORY, { roles: { provider: true }, corruptResults: true, claimPolicy: { concurrency: 4, allowRequesters: [addressOf(BOB)] } }],
    [WATCHER, { roles: { provider: false, watcher: true, keeper: true }, watcher: { sampleRate: 1 }, executor: { threads: 2 } }],
  ];
  for (const [actor, overrides] of configs) {
    const file = await writeDaemonConfig(system, {
      dir: daemonDir,
      name: actor.name,
      index: actor.index,
      overrides: { ...base, ...overrides },
    });
    daemons.push({ actor, handle: processes.add(startDaemonProcess(file)) });
  }
  const daemonsStarted = Promise.all(
    daemons.map(({ actor, handle }) =>
      waitFor(
        `${actor.name} daemon to start`,
        () => {
          if (handle.child.exitCode !== null)
            throw new Error(`${actor.name} daemon exited (${handle.child.exitCode}): ${handle.stderr().slice(-800)}`);
          return logRecords(handle).some((r) => r.msg === "daemon starting") ? true : undefined;
        },
        60_000,
        50,
      ),
    ),
  );

  // 6. Post while the daemons boot (they reconcile from chain state when they start), then follow
  // the chain's events.
  const labels = new Map<bigint, string>();
  const jobNo = new Map<bigint, number>();
  const label = (id: unknown) => {
    const n = jobNo.get(id as bigint);
    return n === undefined ? `job ${String(id).slice(0, 12)}…` : `job #${n} (${labels.get(id as bigint)})`;
  };
  const register = (ids: bigint[], jobs: SampleJob[]) =>
    ids.forEach((id, i) => {
      jobNo.set(id, jobNo.size + 1);
      labels.set(id, `${jobs[i]!.kind} ${jobs[i]!.label}`);
    });
  // Job ids carry the requester and its nonce, so every id is known before anything is sent.
  const nonceOf = async (a: Actor) =>
    BigInt((await listJobs(client(a), { requester: addressOf(a), fromBlock: deployment.fromBlock })).length);
  const [bobNonce, aliceNonce] = await Promise.all([nonceOf(BOB), nonceOf(ALICE)]);
  const disputedId = encodeJobId({ requester: addressOf(BOB), nonce: bobNonce });
  const aliceIds = aliceJobs.map((_, i) => encodeJobId({ requester: addressOf(ALICE), nonce: aliceNonce + BigInt(i) }));
  const repostId = encodeJobId({ requester: addressOf(BOB), nonce: bobNonce + 1n });
  register([disputedId], [bobJob!]);
  register(aliceIds, aliceJobs);
  register([repostId], [{ ...repostJob!, label: `${repostJob!.label}, reposted` }]);
  const feed = startEventFeed(system.publicClient, deployment, {
    fromBlock: (await system.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n,
    onEvent: (e) => {
      const line = describe(e, label);
      if (line) say(line);
    },
  });
  closers.push(() => feed.stop());
  const [bobPosted, alicePosted] = await Promise.all([
    postJobs(client(BOB), { jobs: [bobJob!.spec] }),
    postJobs(client(ALICE), { jobs: aliceJobs.map((j) => j.spec) }),
  ]);
  if (bobPosted.jobIds[0] !== disputedId || alicePosted.jobIds.some((id, i) => id !== aliceIds[i]))
    throw new Error("job ids differ from the requesters' nonces");
  say(`posted: ${aliceJobs.length} jobs for alice in one postJobs transaction, and bob's job designated to mallory`);
  await daemonsStarted;
  say(`daemons running: ${daemons.map(({ actor }) => `${actor.name} (${actor.role})`).join("; ")}`);

  // 7. Wait for bob's job to be overturned and repost it; wait for every other job to finalize.
  const stateOf = (ids: bigint[]) => Promise.all(ids.map((id) => readJobState(client(ALICE), id)));
  const settledBadly = (states: string[]) => {
    const bad = states.find((s) => ["Cancelled", "Expired", "TimedOut", "Voided"].includes(s));
    if (bad) throw new Error(`a job ended ${bad}`);
  };
  await waitFor(
    "bob's job Overturned",
    async () => {
      const [state] = await stateOf([disputedId]);
      settledBadly([state!]);
      if (state === "Finalized") throw new Error("mallory's wrong result was finalized unchallenged");
      return state === "Overturned" ? true : undefined;
    },
    TIMEOUT_MS,
    200,
  );
  const scoresNow = await Promise.all(trackedProviders.map(async (a) => `${a.name} ${await scoreFor(system, addressOf(a), BOB_REWARD)}`));
  say(
    `bob reposts his run for providers scoring ≥ ${REPOST_MIN_REPUTATION} on a ${formatToken(BOB_REWARD)} HWK job (now: ${scoresNow.join(", ")})`,
  );
  const reposted = await postJobs(client(BOB), { jobs: [repostJob!.spec] });
  if (reposted.jobIds[0] !== repostId) throw new Error(`the repost got id ${reposted.jobIds[0]}, expected ${repostId}`);
  await waitFor(
    "every other job Finalized",
    async () => {
      const states = await stateOf([...aliceIds, repostId]);
      settledBadly(states);
      return states.every((s) => s === "Finalized") ? true : undefined;
    },
    TIMEOUT_MS,
    250,
  );
  await new Promise((r) => setTimeout(r, 300));
  await feed.stop();
  say("every job settled; fetching outputs and auditing");

  // 8. Outputs, verified against the commitments on chain
  const finalizedAlice = aliceIds;
  const outputs = new Map<bigint, Uint8Array>();
  for (const [i, id] of [...finalizedAlice, ...reposted.jobIds].entries()) {
    const owner = i < finalizedAlice.length ? ALICE : BOB;
    // The daemons serve outputs from 127.0.0.1: a local setup, allowed explicitly (default: public addresses only).
    const { output, outcome } = await fetchJobOutput(client(owner), { jobId: id, fetch: { allowHosts: LOCAL_FETCH_HOSTS } });
    if (outcome.status !== ExecutionStatus.Ok) throw new Error(`${label(id)} ran to status ${outcome.status}, not Ok`);
    outputs.set(id, output);
  }
  const files: Record<string, string> = {};
  const tiles = aliceJobs.flatMap((j, i) => (j.kind === "mandelbrot" ? [outputs.get(finalizedAlice[i]!)!] : []));
  const image = assembleTiles(tiles);
  await writeFile(join(OUT, "mandelbrot.png"), image.png);
  files.mandelbrot = "out/mandelbrot.png";
  const runs = aliceJobs.flatMap((j, i) => (j.kind === "montecarlo" ? [decodeMonteCarloOutput(outputs.get(finalizedAlice[i]!)!)] : []));
  const bobRun = decodeMonteCarloOutput(outputs.get(reposted.jobIds[0]!)!);
  const allRuns = [...runs, bobRun];
  const inside = allRuns.reduce((s, r) => s + r.inside, 0n);
  const samples = allRuns.reduce((s, r) => s + r.samples, 0n);
  const combinedPi = (4 * Number(inside)) / Number(samples);
  const monteCarlo = {
    runs: allRuns.map((r) => ({ seed: r.seed.toString(), samples: Number(r.samples), inside: Number(r.inside), pi: r.pi })),
    combined: { runs: allRuns.length, samples: Number(samples), pi: combinedPi },
  };
  await writeFile(join(OUT, "montecarlo.json"), `${JSON.stringify(monteCarlo, null, 2)}\n`);
  files.montecarlo = "out/montecarlo.json";
  await mkdir(join(OUT, "csvstats"), { recursive: true });
  const csv: Record<string, ReturnType<typeof decodeCsvStatsOutput>> = {};
  const datasets = demoDatasets();
  for (const [i, j] of aliceJobs.entries()) {
    if (j.kind !== "csvstats") continue;
    const stats = decodeCsvStatsOutput(outputs.get(finalizedAlice[i]!)!);
    const name = j.label;
    csv[name] = stats;
    await writeFile(join(OUT, "csvstats", name), datasets.find((d) => d.name === name)!.csv);
    await writeFile(join(OUT, "csvstats", `${name.replace(/\.csv$/, "")}.stats.json`), `${JSON.stringify(stats, null, 2)}\n`);
  }
  files.csvstats = "out/csvstats/";
  // demo --full: the real workloads, once the main jobs are settled (their events come from the logs below).
  let workloadIds: bigint[] = [];
  if (FULL) {
    const workloads = await runWorkloadJobs({
      client: client(ALICE),
      target,
      terms: { reward: TOKEN_UNIT, ...ALICE_TERMS },
      sqliteProvider: addressOf(P1),
      outDir: OUT,
      say,
    });
    files.workloads = workloads.files;
    workloadIds = workloads.jobIds;
  }

  // 8b. Governance: a fee change through the governor and the timelock (time moved on the local chain)
  const governance = await governanceScene(client(DEPLOYER), { newFeeBps: 150, say });

  // 9. Audit
  const after = await snapshot(system, trackedProviders);
  const solvency = await checkSolvency(client(DEPLOYER));
  const disputes = await listDisputes(client(DEPLOYER), { fromBlock: deployment.fromBlock });
  const events = feed.events;
  const ofJob = (id: bigint, name: string) => events.filter((e) => e.eventName === name && e.args.jobId === id);
  // The challenge's commitment names no job on chain (that is its point): the watcher's journal says which job it was for.
  const commitTxs = readJournal(join(daemonDir, WATCHER.name, "data"))
    .txs.filter((t) => t.action === "challenge-commit" && t.status === "mined")
    .map((t) => ({ hash: t.hash as Hex, jobId: BigInt(t.job_id), step: "commit-challenge" }));
  const gas = await gasPerJob(system, events, commitTxs);
  const allJobIds = [...finalizedAlice, disputedId, ...reposted.jobIds];
  const finalStates = await stateOf(allJobIds);

  // 10. Report
  const disputeRows = disputes.map((d) => {
    const resolved = ofJob(d.jobId, "DisputeResolved")[0];
    const settled = ofJob(d.jobId, "DisputeSettled")[0];
    const drawn = ofJob(d.jobId, "CommitteeDrawn")[0];
    const payouts = ofJob(d.jobId, "DisputePayout").map((p) => ({
      to: who(p.args.to),
      role: payoutRoleNames[Number(p.args.role)] ?? String(p.args.role),
      amount: p.args.amount as bigint,
    }));
    const slashes = ofJob(d.jobId, "VerifierSlashed").map((s) => ({ verifier: who(s.args.verifier), amount: s.args.amount as bigint }));
    const providerSlashed = events
      .filter((e) => e.eventName === "StakeSlashed" && e.transactionHash === settled?.transactionHash)
      .reduce((s, e) => s + (e.args.amount as bigint), 0n);
    return {
      job: label(d.jobId),
      jobId: d.jobId.toString(),
      provider: who(d.provider),
      challenger: d.isAudit ? "(audit)" : who(d.challenger),
      committee: ((drawn?.args.verifiers as Address[] | undefined) ?? []).map((v, i) => ({
        verifier: who(v),
        votes: Number((drawn!.args.votes as readonly number[])[i] ?? 1),
      })),
      votes: ofJob(d.jobId, "VoteRevealed").map((v) => ({
        verifier: who(v.args.verifier),
        for: (v.args.resultHash as Hex) === d.providerHash ? "provider" : "challenger",
      })),
      phase: d.phase,
      providerRight: resolved ? Boolean(resolved.args.providerRight) : undefined,
      slashed: resolved && !resolved.args.providerRight ? { who: who(d.provider), amount: providerSlashed } : undefined,
      verifiersSlashed: slashes,
      payouts,
    };
  });

  const poolRows = HONEST.map((a) => ({ verifier: a.name, before: before.pool.get(a.name)!, after: after.pool.get(a.name)! }));
  const committed = events.filter((e) => e.eventName === "ChallengeCommitted");
  const opened = ofJob(disputedId, "DisputeOpened")[0];
  const seated = disputeRows[0]?.committee ?? [];
  const balanceRows = ACTORS.map((a) => {
    const b = before.accounts.get(a.name)!;
    const x = after.accounts.get(a.name)!;
    return { actor: a.name, role: a.role, before: b, after: x };
  });
  const reputationRows = trackedProviders.map((a) => ({
    provider: a.name,
    before: before.providers.get(a.name)!,
    after: after.providers.get(a.name)!,
  }));

  const malloryAfter = after.providers.get(MALLORY.name)!;
  const malloryBefore = before.providers.get(MALLORY.name)!;
  const bobCollateral = (BOB_REWARD * 100n) / 100n;
  // Mallory's daemon (allowed bob's jobs) saw the repost and left it, in one line.
  const malloryHandle = daemons.find((d) => d.actor === MALLORY)!.handle;
  const mallorySkips = logRecords(malloryHandle).filter((r) => r.job_id === repostId.toString() && r.msg === "not claiming");
  // A settled job adds its fee to the provider's record in whole reputation units (a thousandth of a token).
  const unit = await system.publicClient.readContract({
    address: deployment.market,
    abi: hashworkMarketAbi,
    functionName: "reputationUnit",
  });
  // The workload jobs (demo --full) settled after the event feed stopped: their finalizations from the logs.
  const workloadFinals =
    workloadIds.length === 0
      ? []
      : (
          await system.publicClient.getContractEvents({
            address: deployment.market,
            abi: hashworkMarketAbi,
            eventName: "JobFinalized",
            fromBlock: deployment.fromBlock,
          })
        ).filter((e) => workloadIds.includes(e.args.jobId as bigint));
  const feesOf = (a: Actor) =>
    [...events, ...(workloadFinals as unknown as typeof events)]
      .filter((e) => e.eventName === "JobFinalized" && who(e.args.provider) === a.name)
      .reduce((sum, e) => sum + ((e.args.protocolFee as bigint) / unit) * unit, 0n);
  const checks = [
    { check: "alice's jobs finalized", ok: finalStates.slice(0, finalizedAlice.length).every((s) => s === "Finalized") },
    { check: "bob's job to mallory overturned by the committee", ok: finalStates[finalizedAlice.length] === "Overturned" },
    {
      check: "bob's repost finalized by an honest provider",
      ok:
        finalStates.at(-1) === "Finalized" &&
        HONEST.map(addressOf).includes(getAddress(ofJob(reposted.jobIds[0]!, "JobClaimed")[0]?.args.provider as Address)),
    },
    {
      check: "one dispute, challenged by the watcher, provider wrong",
      ok: disputeRows.length === 1 && disputeRows[0]!.challenger === WATCHER.name && disputeRows[0]!.providerRight === false,
    },
    {
      check: "mallory slashed her collateral, one dispute lost",
      ok: malloryBefore.staked - malloryAfter.staked === bobCollateral && malloryAfter.reputation.disputesLost === 1,
    },
    {
      check: `mallory's daemon skipped the repost in one log line: her score on it (0, no fees paid) below ${REPOST_MIN_REPUTATION}`,
      ok:
        mallorySkips.length === 1 &&
        String(mallorySkips[0]!.reason).includes("reputation on this job, 0,") &&
        ofJob(repostId, "JobClaimed").every((e) => who(e.args.provider) !== MALLORY.name),
    },
    {
      check: "honest providers' reputation is the fees they paid: 1% of every job they completed",
      ok: HONEST.every(
        (a) => after.providers.get(a.name)!.reputation.feesPaid - before.providers.get(a.name)!.reputation.feesPaid === feesOf(a),
      ),
    },
    {
      check: "no honest provider lost a dispute or stake",
      ok: HONEST.every(
        (a) =>
          after.providers.get(a.name)!.reputation.disputesLost === 0 &&
          after.providers.get(a.name)!.staked >= before.providers.get(a.name)!.staked,
      ),
    },
    {
      check: "the watcher challenged in two steps: a commitment, then the reveal in a later block",
      ok:
        committed.length === 1 &&
        who(committed[0]!.args.challenger) === WATCHER.name &&
        opened !== undefined &&
        committed[0]!.blockNumber < opened.blockNumber,
    },
    {
      check: `the committee was drawn from the verifiers bonded in the pool: ${disputeConfig.committeeSize} votes`,
      ok:
        seated.length > 0 &&
        seated.every((x) => HONEST.some((a) => a.name === x.verifier)) &&
        seated.reduce((n, x) => n + x.votes, 0) === disputeConfig.committeeSize,
    },
    {
      check: "every pool bond intact and unlocked (no honest verifier slashed)",
      ok: poolRows.every((r) => r.after.bonded === VERIFIER_BOND && r.after.locked === 0n),
    },
    { check: "every output verified against its on-chain result hash", ok: outputs.size === finalizedAlice.length + 1 },
    { check: "tiles assembled into one image", ok: image.width === 512 && image.height === 384 },
    { check: "market solvent (token balance ≥ total owed; dispute module and verifier pool hold what they owe)", ok: solvency.solvent },
    {
      check: `governance: the fee change waited in the timelock (delay ${governance.delayS} s ≥ bound ${governance.minDelayBoundS} s) and then applied`,
      ok:
        governance.feeWhilePending === governance.feeBefore &&
        governance.feeAfter === 150 &&
        governance.eta - governance.queuedAt === governance.delayS &&
        governance.delayS >= governance.minDelayBoundS,
    },
  ];
  const ok = checks.every((c) => c.ok);

  const jobsByKind = (kind: string) => allJobIds.filter((id) => labels.get(id)!.startsWith(kind));
  const jobRows = ["mandelbrot", "montecarlo", "csvstats"].map((kind) => {
    const ids = jobsByKind(kind);
    const states = ids.map((id) => finalStates[allJobIds.indexOf(id)]);
    return {
      kind,
      posted: ids.length,
      finalized: states.filter((s) => s === "Finalized").length,
      overturned: states.filter((s) => s === "Overturned").length,
    };
  });
  const claimsBy = new Map<string, number>();
  for (const e of events)
    if (e.eventName === "JobClaimed") claimsBy.set(who(e.args.provider), (claimsBy.get(who(e.args.provider)) ?? 0) + 1);

  const happy = allJobIds.filter((id) => id !== disputedId).map((id) => gas.perJob.get(id)!);
  const happyMean = happy.reduce((s, g) => s + g.total, 0n) / BigInt(happy.length);
  const stepMean = (step: string, ids: bigint[]) => {
    const values = ids.map((id) => gas.perJob.get(id)!.steps[step] ?? 0n).filter((v) => v > 0n);
    return values.length ? values.reduce((s, v) => s + v, 0n) / BigInt(values.length) : 0n;
  };
  const happyIds = allJobIds.filter((id) => id !== disputedId);
  const disputedGas = gas.perJob.get(disputedId)!;

  const wall = (performance.now() - started) / 1000;
  const report = {
    ok,
    wallSeconds: Number(wall.toFixed(1)),
    chain: {
      url: node.url,
      chainId: system.chainId,
      deployment: { ...deployment, fromBlock: deployment.fromBlock?.toString() },
      parametersFile: relative(REPO_ROOT, parametersFile),
      disputeConfig,
    },
    actors: ACTORS.map((a) => ({ name: a.name, role: a.role, address: addressOf(a) })),
    jobs: {
      byKind: jobRows,
      claimsByProvider: Object.fromEntries(claimsBy),
      list: allJobIds.map((id, i) => ({
        no: jobNo.get(id),
        id: id.toString(),
        what: labels.get(id),
        state: finalStates[i],
        provider: who(ofJob(id, "JobClaimed")[0]?.args.provider ?? "0x0000000000000000000000000000000000000000"),
        gas: gas.perJob.get(id)!.total,
      })),
    },
    disputes: disputeRows,
    balances: balanceRows,
    verifierPool: { address: deployment.verifierPool, bonds: poolRows },
    reputations: reputationRows,
    gas: {
      method:
        "per job: its share of the batch post transaction (gas / jobs in the batch) + claim + submit + finalize; the disputed job adds the challenge commitment and its reveal (challenge), draw, every commit and reveal, and resolve (the challenger's ERC20 approve is not counted)",
      happyPathMeanPerJob: happyMean,
      steps: Object.fromEntries(["post", "claim", "submit", "finalize"].map((s) => [s, stepMean(s, happyIds)])),
      disputedJob: { total: disputedGas.total, steps: disputedGas.steps },
    },
    solvency,
    governance,
    outputs: {
      ...files,
      report: "out/report.json",
      logs: "out/logs/",
      image: { width: image.width, height: image.height },
      monteCarlo: monteCarlo.combined,
      csvstats: csv,
    },
    checks,
  };

  const dashboardShots = await dashboard.finish({ outDir: OUT, slashed: addressOf(MALLORY), slashedName: MALLORY.name });
  Object.assign(report, { dashboard: dashboardShots });
  printReport(report, { happyIds, disputedGas, balanceRows, poolRows, reputationRows, jobRows, claimsBy, disputeRows, checks, wall });
  say(
    dashboardShots.skipped
      ? `dashboard: ${dashboardShots.url ?? "not started"}; screenshots skipped: ${dashboardShots.skipped}`
      : `dashboard: ${dashboardShots.url} (stopped with the demo); screenshots ${dashboardShots.screenshots.join(", ")}`,
  );
  await writeFile(join(OUT, "report.json"), `${JSON.stringify(report, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  await mkdir(join(OUT, "logs"), { recursive: true });
  for (const { actor, handle } of daemons)
    await writeFile(join(OUT, "logs", `${actor.name}.log`), `${handle.lines.join("\n")}\n${handle.stderr()}`);
  return ok ? 0 : 1;
}

// ---------------------------------------------------------------- live lines

function describe(e: FeedEvent, label: (id: unknown) => string): string | undefined {
  const a = e.args;
  const tok = (v: unknown) => `${formatToken(v as bigint)} HWK`;
  switch (e.eventName) {
    case "JobPosted":
      return `${label(a.jobId)} posted by ${who(a.requester)}, reward ${tok((a.request as { reward: bigint }).reward)}`;
    case "JobClaimed":
      return `${label(a.jobId)} claimed by ${who(a.provider)} (collateral ${tok(a.collateral)})`;
    case "ResultSubmitted":
      return `${label(a.jobId)} result submitted by ${who(a.provider)}: ${(a.resultHash as string).slice(0, 10)}…`;
    case "JobFinalized":
      return `${label(a.jobId)} finalized: ${who(a.provider)} paid ${tok(a.providerPayout)}, fee ${tok(a.protocolFee)}`;
    case "DisputeOpened":
      return a.challenger === "0x0000000000000000000000000000000000000000"
        ? `${label(a.jobId)} selected for a random audit`
        : `${label(a.jobId)} CHALLENGED by ${who(a.challenger)} (bond ${tok(a.bond)}): provider says ${(a.providerHash as string).slice(0, 10)}…, challenger ${(a.challengerHash as string).slice(0, 10)}…`;
    case "ChallengeCommitted":
      return `${who(a.challenger)} committed to a challenge (${(a.commitment as string).slice(0, 10)}…: job and hash hidden until the reveal)`;
    case "CommitteeDrawn":
      return `${label(a.jobId)} committee drawn from the verifier pool (round ${a.round}): ${seatList(a.verifiers as Address[], a.votes as readonly number[])}`;
    case "BondLocked":
      return `${who(a.verifier)}'s pool bond: ${tok(a.amount)} locked for its seats`;
    case "BondUnlocked":
      return `${who(a.verifier)}'s pool bond: ${tok(a.amount)} released`;
    case "BondSlashed":
      return `${who(a.verifier)}'s pool bond SLASHED ${tok(a.amount)}`;
    case "VoteCommitted":
      return `${label(a.jobId)} vote committed by ${who(a.verifier)}`;
    case "VoteRevealed":
      return `${label(a.jobId)} vote revealed by ${who(a.verifier)}: ${(a.resultHash as string).slice(0, 10)}…`;
    case "DisputeResolved":
      return `${label(a.jobId)} dispute resolved: provider ${a.providerRight ? "right" : "WRONG"}, challenger ${a.challengerRight ? "right" : "wrong"}`;
    case "StakeSlashed":
      return `${who(a.provider)} SLASHED ${tok(a.amount)} (to ${who(a.beneficiary)})`;
    case "VerifierSlashed":
      return `${label(a.jobId)} verifier ${who(a.verifier)} slashed ${tok(a.amount)}`;
    case "DisputePayout":
      return `${label(a.jobId)} dispute payout: ${tok(a.amount)} to ${who(a.to)} (${payoutRoleNames[Number(a.role)]})`;
    case "DisputeSettled":
      return `${label(a.jobId)} settled by the dispute: ${a.providerWon ? "provider paid" : `requester refunded ${tok(a.refund)}, collateral slashed ${tok(a.collateralSlashed)}`}`;
    case "JobTimedOut":
    case "JobExpired":
    case "JobCancelled":
    case "DisputeVoided":
    case "RoundFailed":
      return `${label(a.jobId)} ${e.eventName}`;
    default:
      return undefined;
  }
}

/** "provider-1 ×2, provider-3": a verifier drawn k times holds one seat entry with k votes. */
function seatList(verifiers: readonly Address[], votes: readonly number[] | undefined): string {
  return verifiers.map((v, i) => `${who(v)}${(votes?.[i] ?? 1) > 1 ? ` ×${votes![i]}` : ""}`).join(", ");
}

// ---------------------------------------------------------------- figures

async function snapshot(system: System, providers: Actor[]) {
  const c: HashworkBaseClient = system.clientFor(0);
  const accounts = new Map<string, AccountFigures>();
  for (const a of ACTORS) {
    const address = addressOf(a);
    const [wallet, ledger, stakeOf] = await Promise.all([
      c.publicClient.readContract({ address: system.deployment.token!, abi: hashworkTokenAbi, functionName: "balanceOf", args: [address] }),
      c.publicClient.readContract({
        address: system.deployment.market,
        abi: hashworkMarketAbi,
        functionName: "balanceOf",
        args: [address],
      }),
      c.publicClient.readContract({ address: system.deployment.market, abi: hashworkMarketAbi, functionName: "stakeOf", args: [address] }),
    ]);
    accounts.set(a.name, { wallet, ledger, staked: stakeOf.staked, locked: stakeOf.locked });
  }
  const providerFigures = new Map<string, ProviderFigures>();
  for (const p of providers) {
    const read = { address: system.deployment.market, abi: hashworkMarketAbi, args: [addressOf(p)] } as const;
    const [stakeOf, reputation] = await Promise.all([
      c.publicClient.readContract({ ...read, functionName: "stakeOf" }),
      c.publicClient.readContract({ ...read, functionName: "reputationOf" }),
    ]);
    providerFigures.set(p.name, { staked: stakeOf.staked, locked: stakeOf.locked, reputation: { ...reputation } });
  }
  const pool = new Map<string, PoolFigures>();
  for (const v of HONEST) pool.set(v.name, await getVerifier(c, { verifier: addressOf(v) }));
  return { accounts, providers: providerFigures, pool };
}

/** The market's score of `provider` on a job of `reward` (0–10000; 0 for a provider that paid no fees). */
async function scoreFor(system: System, provider: Address, reward: bigint): Promise<number> {
  return system.publicClient.readContract({
    address: system.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "scoreFor",
    args: [provider, reward],
  });
}

// ---------------------------------------------------------------- main

let exitCode = 1;
try {
  exitCode = await runDemo();
} catch (error) {
  console.error(`\ndemo failed: ${(error as Error).stack ?? error}`);
  for (const { actor, handle } of daemons) {
    const tail = handle.lines.slice(-15).join("\n");
    console.error(`--- ${actor.name} (last lines)\n${tail}\n${handle.stderr().slice(-1500)}`);
  }
} finally {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  const codes = await processes.stopAll({ graceMs: 8_000 });
  const daemonCodes = codes.slice(codes.length - daemons.length);
  say(
    `stopped the hardhat node and ${daemons.length} daemons (${daemons.map(({ actor }, i) => `${actor.name} exit ${daemonCodes[i] ?? "by signal"}`).join(", ")})`,
  );
}
process.exit(exitCode);
