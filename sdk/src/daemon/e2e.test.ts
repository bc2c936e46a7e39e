// End to end with real processes: a `hardhat node` child, the system deployed to it, and the
// daemon started as a child process by the `hashwork` CLI. Jobs are posted with the SDK
// (montecarlo, content served by the requester's content server). Setup is the shared testbed.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, parseEventLogs, type Address } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { readJobState } from "../utils/results.ts";
import { fetchJobOutput } from "../actions/requester/fetch-job-output.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { decodeMonteCarloOutput } from "../programs/montecarlo.ts";
import {
  eventCounts,
  hdAccount,
  LOCAL_FETCH_HOSTS,
  logRecords,
  monteCarloJobs,
  readJournal,
  startDaemonProcess,
  txCountOf,
  waitFor,
  waitForStates,
  writeDaemonConfig,
  type ChildHandle,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const PROVIDER = 2;
const REQUESTER = 1;

describe("provider daemon end to end (hardhat node + daemon child processes)", function () {
  this.timeout(120_000);
  const t = useDaemonTestbed("e2e", [PROVIDER]);
  const daemons = t.daemons;
  let run = 0;
  let dataDir: string;

  afterEach(async function () {
    // A test may stop mining; the next one starts with blocks again.
    await t.system.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
    await t.system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });
  });

  /** A fresh data dir per test (`provider-<n>/data`). */
  async function writeConfig(overrides: Record<string, unknown> = {}): Promise<string> {
    const name = `provider-${++run}`;
    dataDir = join(t.dir, name, "data");
    return writeDaemonConfig(t.system, { dir: t.dir, name, index: PROVIDER, overrides });
  }

  async function postMonteCarlo(count: number, firstSeed: number, samples = 2_000n) {
    const seeds = Array.from({ length: count }, (_, i) => BigInt(firstSeed + i));
    const jobs = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds,
      samples,
      job: { fuelLimit: 100_000_000n + samples * 100n }, // ~84 fuel per sample
    });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    return { jobIds, seeds };
  }

  const providerAddress = (): Address => getAddress(hdAccount(PROVIDER).address);
  const txCount = () => txCountOf(t.system, PROVIDER);
  const allFinalized = (jobIds: bigint[], timeoutMs: number) => waitForStates(t.system, jobIds, timeoutMs);
  const journalRows = () => readJournal(dataDir);

  async function expectVerifiedOutputs(jobIds: bigint[], seeds: bigint[], samples = 2_000n) {
    const requester = t.system.clientFor(REQUESTER);
    for (const [i, jobId] of jobIds.entries()) {
      const { output, outcome, result } = await fetchJobOutput(requester, { jobId, fetch: { allowHosts: LOCAL_FETCH_HOSTS } });
      expect(outcome.status).to.equal(ExecutionStatus.Ok);
      expect(result.provider).to.equal(providerAddress());
      const decoded = decodeMonteCarloOutput(output);
      expect(decoded.seed).to.equal(seeds[i]);
      expect(decoded.samples).to.equal(samples);
    }
  }

  /**
   * What left the provider's account since `before` is exactly the journal's mined transactions
   * (claims, submissions and finalizations may be batched: at most one transaction per job and
   * step), each succeeded, and no nonce was used twice.
   */
  async function expectOnlyJournaledTransactions(before: number, txs: { hash: string; nonce: number; status: string }[], jobs: number) {
    const mined = txs.filter((tx) => tx.status === "mined");
    expect(await txCount(), "transactions sent = journaled and mined").to.equal(before + mined.length);
    expect(mined.length).to.be.within(3, 3 * jobs);
    expect(new Set(mined.map((tx) => tx.nonce)).size).to.equal(mined.length);
    for (const tx of mined) {
      const receipt = await t.system.publicClient.getTransactionReceipt({ hash: tx.hash as `0x${string}` });
      expect(receipt.status, `transaction ${tx.hash}`).to.equal("success");
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
    expect(await eventCounts(t.system, jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));

    const health = await fetch(`${String(logRecords(daemon).find((r) => r.msg === "daemon starting")?.url)}/health`);
    expect(health.status).to.equal(200);
    // The chain can be a receipt read ahead of the daemon: wait until it has counted every job (and no more).
    const metricsUrl = `${String(logRecords(daemon).find((r) => r.msg === "daemon starting")?.url)}/metrics`;
    const finalizedCount = async () =>
      Number(/^hashwork_jobs_finalized_total (\d+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
    await waitFor("the daemon's count of finalized jobs", async () => ((await finalizedCount()) >= 6 ? true : undefined), 10_000);
    expect(await finalizedCount()).to.equal(6);

    // SIGTERM: graceful stop, exit 0.
    daemon.kill("SIGTERM");
    expect(await daemon.exited).to.equal(0);
    const { intents, txs } = journalRows();
    // One confirmed intent per job and step; nothing else left the provider's account.
    expect(intents.filter((r) => r.status === "confirmed")).to.have.length(3 * jobIds.length);
    expect(intents.filter((r) => r.status !== "confirmed")).to.deep.equal([]);
    await expectOnlyJournaledTransactions(before, txs, jobIds.length);
    expect(new Set(txs.map((tx) => tx.nonce)).size).to.equal(txs.length);
    const records = logRecords(daemon);
    expect(
      records.some(
        (r) => r.msg === "submitted" && r.chain_id === t.system.chainId && typeof r.job_id === "string" && typeof r.tx_hash === "string",
      ),
    ).to.equal(true);
  });

  it("kill -9 during an execution, then again with a submission in flight: after restarts each job is submitted once, by the journaled transaction", async function () {
    const samples = 100_000_000n; // ~2 s of execution per job
    const before = await txCount();
    const configFile = await writeConfig({ claimPolicy: { concurrency: 1, maxFuel: (200n * samples).toString() } });
    const rpc = (method: string, params: unknown[]) => t.system.publicClient.request({ method: method as never, params: params as never });
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
    expect(await readJobState(t.system.clientFor(REQUESTER), runningJob)).to.equal("Claimed");

    // 2. With mining stopped, the restarted daemon resumes that job and sends its submission,
    //    which stays in the pool: killed with the transaction journaled but not mined.
    await mining(false);
    const second = startDaemonProcess(configFile);
    daemons.push(second);
    const sent = await waitFor(
      "a submission sent",
      () => logRecords(second).find((r) => r.msg === "transaction sent" && r.action === "submit"),
      30_000,
      10,
    );
    second.kill("SIGKILL");
    await second.exited;
    const inFlight = journalRows().txs.filter((tx) => tx.action === "submit");
    expect(inFlight.map((tx) => [tx.hash, tx.status])).to.deep.equal([[String(sent.tx_hash), "signed"]]);

    // 3. Mining again, a third start completes everything without sending that submission twice.
    await mining(true);
    const third = startDaemonProcess(configFile);
    daemons.push(third);
    await allFinalized(jobIds, 60_000);
    await expectVerifiedOutputs(jobIds, seeds, samples);
    expect(await eventCounts(t.system, jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
    const logs = await t.system.publicClient.getLogs({ address: t.system.deployment.market, fromBlock: t.system.deployment.fromBlock });
    const submission = parseEventLogs({ abi: hashworkMarketAbi, logs, eventName: "ResultSubmitted" }).find(
      (l) => l.args.jobId === runningJob,
    );
    expect(submission?.transactionHash, "the journaled submission is the one mined").to.equal(sent.tx_hash);
    third.kill("SIGTERM");
    expect(await third.exited).to.equal(0);
    const { txs } = journalRows();
    expect(txs.filter((tx) => tx.status === "signed")).to.deep.equal([]);
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
    const atKill = await Promise.all(jobIds.map((id) => readJobState(t.system.clientFor(REQUESTER), id)));
    expect(atKill.filter((s) => s === "Finalized").length, "killed before the run was over").to.be.below(jobIds.length);
    const second = startDaemonProcess(configFile);
    daemons.push(second);
    await allFinalized(jobIds, 45_000);
    await expectVerifiedOutputs(jobIds, seeds);
    expect(await eventCounts(t.system, jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
    second.kill("SIGTERM");
    expect(await second.exited).to.equal(0);
    const { intents, txs } = journalRows();
    expect(intents.filter((r) => r.status === "confirmed")).to.have.length(3 * jobIds.length);
    // Every transaction the account sent, across the crash, is one the journal holds as mined.
    expect(txs.filter((tx) => tx.status === "signed")).to.deep.equal([]);
    await expectOnlyJournaledTransactions(before, txs, jobIds.length);
  });
});
