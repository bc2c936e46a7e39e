// End to end with real processes: a `hardhat node` child, the system deployed to it, and the
// daemon started as a child process by the `hashwork` CLI. Jobs are posted with the SDK
// (montecarlo, content served by the requester's content server).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

import { expect } from "chai";
import { getAddress, parseEventLogs, type Address } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { readJobState } from "../utils/results.ts";
import { registerProvider } from "../actions/provider/register-provider.ts";
import { stake } from "../actions/provider/stake.ts";
import { fetchJobOutput } from "../actions/requester/fetch-job-output.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { uploadJobContent } from "../actions/requester/upload-job-content.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { decodeMonteCarloOutput, encodeMonteCarloInput } from "../programs/montecarlo.ts";
import { loadSampleProgram } from "../programs/sample-programs.ts";
import { createLocalStore } from "../store/local.ts";
import { createContentServer, type ContentServer } from "../store/server.ts";
import {
  deploySystem,
  freePort,
  hdAccount,
  logRecords,
  privateKeyOf,
  startDaemonProcess,
  startHardhatNode,
  waitFor,
  type ChildHandle,
  type HardhatNode,
  type System,
} from "./test-helpers.ts";

const TOKEN = 10n ** 18n;
const PROVIDER = 2;
const REQUESTER = 1;

describe("provider daemon end to end (hardhat node + daemon child processes)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let system: System;
  let dir: string;
  let requesterServer: ContentServer;
  const daemons: ChildHandle[] = [];

  before(async function () {
    node = await startHardhatNode();
    system = await deploySystem(node.url);
    // Blocks every second as well as on each transaction, like a real chain: deadlines pass.
    await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });
    const provider = system.clientFor(PROVIDER);
    await registerProvider(provider, { endpoint: "http://127.0.0.1/", pricePerFuel: 1n, maxFuel: 10n ** 12n });
    await stake(provider, { amount: 1_000n * TOKEN, payment: "permit" });
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hashwork-daemon-e2e-"));
    const store = createLocalStore({ dir: join(dir, "requester") });
    requesterServer = createContentServer({ store });
    await requesterServer.start();
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      for (const d of daemons) console.error(`--- daemon output\n${d.lines.slice(-400).join("\n")}\n${d.stderr().slice(-3000)}`);
    }
    for (const d of daemons.splice(0)) d.kill();
    // A test may stop mining; the next one starts with blocks again.
    await system.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
    await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });
    await requesterServer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  after(() => node?.kill());

  async function writeConfig(overrides: Record<string, unknown> = {}): Promise<string> {
    const keyFile = join(dir, "provider.key");
    await writeFile(keyFile, `${privateKeyOf(hdAccount(PROVIDER))}\n`, { mode: 0o600 });
    const config = {
      rpcUrl: node.url,
      deployment: {
        market: system.deployment.market,
        token: system.deployment.token,
        disputes: system.deployment.disputes,
        fromBlock: system.deployment.fromBlock!.toString(),
      },
      key: { file: keyFile },
      dataDir: join(dir, "data"),
      confirmations: 0,
      pollIntervalMs: 150,
      http: { port: await freePort() },
      roles: { provider: true, keeper: false },
      claimPolicy: { concurrency: 4 },
      executor: { threads: 1 },
      tx: { receiptTimeoutMs: 10_000 },
      ...overrides,
    };
    const file = join(dir, "daemon.json");
    await writeFile(file, JSON.stringify(config, null, 2));
    return file;
  }

  async function postMonteCarlo(count: number, firstSeed: number, samples = 2_000n) {
    const requester = system.clientFor(REQUESTER);
    const requesterStore = createLocalStore({ dir: join(dir, "requester") });
    const { wasm } = await loadSampleProgram("montecarlo");
    const seeds = Array.from({ length: count }, (_, i) => BigInt(firstSeed + i));
    const jobs = [];
    for (const seed of seeds) {
      const content = await uploadJobContent(requester, { store: requesterStore, program: wasm, input: encodeMonteCarloInput({ seed, samples }) });
      jobs.push({
        programHash: content.programHash,
        inputHash: content.inputHash,
        programURI: requesterServer.uriFor(content.programHash),
        inputURI: requesterServer.uriFor(content.inputHash),
        fuelLimit: 100_000_000n + samples * 100n, // ~84 fuel per sample
        reward: 2n * TOKEN,
        collateralPct: 100,
        executionTime: 120,
        challengeWindow: 2,
      });
    }
    const { jobIds } = await postJobs(requester, { jobs });
    return { jobIds, seeds };
  }

  const providerAddress = (): Address => getAddress(hdAccount(PROVIDER).address);
  const txCount = () => system.publicClient.getTransactionCount({ address: providerAddress(), blockTag: "latest" });

  async function allFinalized(jobIds: bigint[], timeoutMs: number) {
    const requester = system.clientFor(REQUESTER);
    await waitFor("every job finalized", async () => {
      const states = await Promise.all(jobIds.map((id) => readJobState(requester, id)));
      return states.every((s) => s === "Finalized") ? true : undefined;
    }, timeoutMs, 250);
  }

  /** Market events of each kind per job over the whole run. */
  async function eventCounts(jobIds: bigint[]) {
    const logs = await system.publicClient.getLogs({ address: system.deployment.market, fromBlock: system.deployment.fromBlock });
    const parsed = parseEventLogs({ abi: hashworkMarketAbi, logs });
    const count = (name: string, id: bigint) => parsed.filter((l) => l.eventName === name && (l.args as { jobId?: bigint }).jobId === id).length;
    return jobIds.map((id) => ({ claimed: count("JobClaimed", id), submitted: count("ResultSubmitted", id), finalized: count("JobFinalized", id) }));
  }

  async function expectVerifiedOutputs(jobIds: bigint[], seeds: bigint[], samples = 2_000n) {
    const requester = system.clientFor(REQUESTER);
    for (const [i, jobId] of jobIds.entries()) {
      const { output, outcome, result } = await fetchJobOutput(requester, { jobId });
      expect(outcome.status).to.equal(ExecutionStatus.Ok);
      expect(result.provider).to.equal(providerAddress());
      const decoded = decodeMonteCarloOutput(output);
      expect(decoded.seed).to.equal(seeds[i]);
      expect(decoded.samples).to.equal(samples);
    }
  }

  function journalRows(dataDir: string) {
    const db = new DatabaseSync(join(dataDir, "daemon.sqlite"), { readOnly: true });
    try {
      const intents = db.prepare("SELECT job_id, action, status FROM intents").all() as { job_id: string; action: string; status: string }[];
      const txs = db.prepare("SELECT hash, job_id, action, nonce, status FROM transactions").all() as {
        hash: string; job_id: string; action: string; nonce: number; status: string;
      }[];
      return { intents, txs };
    } finally {
      db.close();
    }
  }

  /**
   * What left the provider's account since `before` is exactly the journal's mined transactions
   * (claims, submissions and finalizations may be batched: at most one transaction per job and
   * step), each succeeded, and no nonce was used twice.
   */
  async function expectOnlyJournaledTransactions(before: number, txs: { hash: string; nonce: number; status: string }[], jobs: number) {
    const mined = txs.filter((t) => t.status === "mined");
    expect(await txCount(), "transactions sent = journaled and mined").to.equal(before + mined.length);
    expect(mined.length).to.be.within(3, 3 * jobs);
    expect(new Set(mined.map((t) => t.nonce)).size).to.equal(mined.length);
    for (const t of mined) {
      const receipt = await system.publicClient.getTransactionReceipt({ hash: t.hash as `0x${string}` });
      expect(receipt.status, `transaction ${t.hash}`).to.equal("success");
    }
  }

  it("claims, runs, submits and finalizes every job; the requester verifies each output; each step once per job", async function () {
    const before = await txCount();
    const configFile = await writeConfig();
    const daemon = startDaemonProcess(configFile);
    daemons.push(daemon);
    const { jobIds, seeds } = await postMonteCarlo(6, 100);
    await allFinalized(jobIds, 20_000);
    await expectVerifiedOutputs(jobIds, seeds);
    expect(await eventCounts(jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));

    const health = await fetch(`${String(logRecords(daemon).find((r) => r.msg === "daemon starting")?.url)}/health`);
    expect(health.status).to.equal(200);
    // The chain can be a receipt read ahead of the daemon: wait until it has counted every job (and no more).
    const metricsUrl = `${String(logRecords(daemon).find((r) => r.msg === "daemon starting")?.url)}/metrics`;
    const finalizedCount = async () => Number(/^hashwork_jobs_finalized_total (\d+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
    await waitFor("the daemon's count of finalized jobs", async () => ((await finalizedCount()) >= 6 ? true : undefined), 10_000);
    expect(await finalizedCount()).to.equal(6);

    // SIGTERM: graceful stop, exit 0.
    daemon.kill("SIGTERM");
    expect(await daemon.exited).to.equal(0);
    const { intents, txs } = journalRows(join(dir, "data"));
    // One confirmed intent per job and step; nothing else left the provider's account.
    expect(intents.filter((r) => r.status === "confirmed")).to.have.length(3 * jobIds.length);
    expect(intents.filter((r) => r.status !== "confirmed")).to.deep.equal([]);
    await expectOnlyJournaledTransactions(before, txs, jobIds.length);
    expect(new Set(txs.map((t) => t.nonce)).size).to.equal(txs.length);
    const records = logRecords(daemon);
    expect(records.some((r) => r.msg === "submitted" && r.chain_id === system.chainId && typeof r.job_id === "string" && typeof r.tx_hash === "string")).to.equal(true);
  });

  it("kill -9 during an execution, then again with a submission in flight: after restarts each job is submitted once, by the journaled transaction", async function () {
    const samples = 100_000_000n; // ~2 s of execution per job
    const before = await txCount();
    const configFile = await writeConfig({ claimPolicy: { concurrency: 1, maxFuel: (200n * samples).toString() } });
    const rpc = (method: string, params: unknown[]) => system.publicClient.request({ method: method as never, params: params as never });
    const mining = async (on: boolean) => {
      await rpc("evm_setAutomine", [on]);
      await rpc("evm_setIntervalMining", [on ? 1000 : 0]);
    };
    const { jobIds, seeds } = await postMonteCarlo(2, 300, samples);
    const submitted = (d: ChildHandle) => logRecords(d).filter((r) => r.msg === "submitted");

    // 1. Killed while running a job it has claimed on chain.
    const first = startDaemonProcess(configFile);
    daemons.push(first);
    const claimed = await waitFor("a claim", () => logRecords(first).find((r) => r.msg === "claimed"), 30_000, 10);
    first.kill("SIGKILL");
    await first.exited;
    expect(submitted(first), "killed before any submission").to.deep.equal([]);
    const runningJob = BigInt(String(claimed.job_id));
    expect(await readJobState(system.clientFor(REQUESTER), runningJob)).to.equal("Claimed");

    // 2. With mining stopped, the restarted daemon resumes that job and sends its submission,
    //    which stays in the pool: killed with the transaction journaled but not mined.
    await mining(false);
    const second = startDaemonProcess(configFile);
    daemons.push(second);
    const sent = await waitFor("a submission sent", () => logRecords(second).find((r) => r.msg === "transaction sent" && r.action === "submit"), 30_000, 10);
    second.kill("SIGKILL");
    await second.exited;
    const inFlight = journalRows(join(dir, "data")).txs.filter((t) => t.action === "submit");
    expect(inFlight.map((t) => [t.hash, t.status])).to.deep.equal([[String(sent.tx_hash), "signed"]]);

    // 3. Mining again, a third start completes everything without sending that submission twice.
    await mining(true);
    const third = startDaemonProcess(configFile);
    daemons.push(third);
    await allFinalized(jobIds, 60_000);
    await expectVerifiedOutputs(jobIds, seeds, samples);
    expect(await eventCounts(jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
    const logs = await system.publicClient.getLogs({ address: system.deployment.market, fromBlock: system.deployment.fromBlock });
    const submission = parseEventLogs({ abi: hashworkMarketAbi, logs, eventName: "ResultSubmitted" }).find((l) => l.args.jobId === runningJob);
    expect(submission?.transactionHash, "the journaled submission is the one mined").to.equal(sent.tx_hash);
    third.kill("SIGTERM");
    expect(await third.exited).to.equal(0);
    const { txs } = journalRows(join(dir, "data"));
    expect(txs.filter((t) => t.status === "signed")).to.deep.equal([]);
    await expectOnlyJournaledTransactions(before, txs, jobIds.length);
  });

  it("after kill -9 mid-run and a restart, every job completes and no transaction is sent twice", async function () {
    const before = await txCount();
    const configFile = await writeConfig({ claimPolicy: { concurrency: 2 } });
    const first = startDaemonProcess(configFile);
    daemons.push(first);
    const { jobIds, seeds } = await postMonteCarlo(6, 200);
    // Kill once some work is on chain but not all of it.
    await waitFor("a first submission", () => (logRecords(first).some((r) => r.msg === "submitted") ? true : undefined), 30_000, 20);
    first.kill("SIGKILL");
    await first.exited;
    const atKill = await Promise.all(jobIds.map((id) => readJobState(system.clientFor(REQUESTER), id)));
    expect(atKill.filter((s) => s === "Finalized").length, "killed before the run was over").to.be.below(jobIds.length);
    const second = startDaemonProcess(configFile);
    daemons.push(second);
    await allFinalized(jobIds, 45_000);
    await expectVerifiedOutputs(jobIds, seeds);
    expect(await eventCounts(jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
    second.kill("SIGTERM");
    expect(await second.exited).to.equal(0);
    const { intents, txs } = journalRows(join(dir, "data"));
    expect(intents.filter((r) => r.status === "confirmed")).to.have.length(3 * jobIds.length);
    // Every transaction the account sent, across the crash, is one the journal holds as mined.
    expect(txs.filter((t) => t.status === "signed")).to.deep.equal([]);
    await expectOnlyJournaledTransactions(before, txs, jobIds.length);
  });
});
