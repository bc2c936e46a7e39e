// Load with real processes against one `hardhat node`: three provider daemons racing for the
// same jobs (each job claimed, submitted and finalized exactly once; the losing claims end
// cleanly, with no stuck intents and no retries), then one provider daemon taking 50 jobs
// posted in a single batch without a nonce error (each job claimed, submitted and finalized
// exactly once, in batched transactions; none reverted).
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";

import { getProvider } from "../actions/auditor/get-provider.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import {
  eventCounts,
  hdAccount,
  logRecords,
  marketEvents,
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

const REQUESTER = 1;
const RACERS = [2, 3, 4];
const BULK = 5;

const address = (index: number): Address => getAddress(hdAccount(index).address);

describe("daemon under load: racing providers and 50 jobs at once (hardhat node + daemon child processes)", function () {
  this.timeout(90_000);
  const t = useDaemonTestbed("load", [...RACERS, BULK]);

  const base = () => ({ requester: REQUESTER, storeDir: join(t.dir, "requester"), uriFor: (h: `0x${string}`) => t.server.uriFor(h) });
  const ready = (d: ChildHandle) =>
    waitFor("daemon started", () => (logRecords(d).some((r) => r.msg === "daemon starting") ? true : undefined), 20_000, 50);

  it("three providers race for the same jobs: each is claimed, submitted and finalized exactly once; losing claims end cleanly", async function () {
    const txsBefore = await Promise.all(RACERS.map((i) => txCountOf(t.system, i)));
    const racers: ChildHandle[] = [];
    for (const index of RACERS) {
      const d = startDaemonProcess(await writeDaemonConfig(t.system, { dir: t.dir, name: `racer-${index}`, index }));
      t.daemons.push(d);
      racers.push(d);
    }
    await Promise.all(racers.map(ready));
    const jobs = await monteCarloJobs(t.system, { ...base(), seeds: Array.from({ length: 9 }, (_, i) => BigInt(300 + i)) });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    await waitForStates(t.system, jobIds, 25_000);
    expect(await eventCounts(t.system, jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));

    // The claimer is the one that submitted and finalized.
    const events = await marketEvents(t.system);
    const winner = new Map<bigint, Address>();
    for (const e of events) {
      const args = e.args as { jobId?: bigint; provider?: Address };
      if (args.jobId === undefined || !jobIds.includes(args.jobId)) continue;
      if (e.eventName === "JobClaimed") winner.set(args.jobId, getAddress(args.provider!));
      if (e.eventName === "ResultSubmitted" || e.eventName === "JobFinalized")
        expect(getAddress(args.provider!)).to.equal(winner.get(args.jobId));
    }

    // Idle a little: nobody keeps retrying what it lost.
    const logCount = racers.map((d) => d.lines.length);
    await new Promise((r) => setTimeout(r, 1_500));
    for (const [i, d] of racers.entries()) {
      const fresh = logRecords({ ...d, lines: d.lines.slice(logCount[i]) });
      expect(
        fresh.filter((r) => /claim/.test(String(r.msg))),
        `racer ${RACERS[i]} idle`,
      ).to.deep.equal([]);
    }

    let extraTxs = 0;
    for (const [i, index] of RACERS.entries()) {
      const d = racers[i]!;
      d.kill("SIGTERM");
      expect(await d.exited).to.equal(0);
      const { intents, txs } = readJournal(join(t.dir, `racer-${index}`, "data"));
      // No intent left pending or sent; a lost claim is reverted or failed, never retried.
      expect(
        intents.filter((r) => r.status === "pending" || r.status === "sent"),
        `racer ${index} open intents`,
      ).to.deep.equal([]);
      // A batched claim that reverted (another member was taken) is followed by a next intent
      // (`claim:2`) only for jobs still open; so per won job and step exactly one intent confirmed.
      for (const r of intents) {
        const won = winner.get(BigInt(r.job_id)) === address(index);
        if (won) expect(["confirmed", "reverted"], `racer ${index} job ${r.job_id} ${r.action}`).to.include(r.status);
        else {
          expect(r.action, `racer ${index} acted on job ${r.job_id} it lost`).to.match(/^claim(:\d)?$/);
          expect(["reverted", "failed"]).to.include(r.status);
        }
        expect(r.attempts, `racer ${index} job ${r.job_id} ${r.action} attempts`).to.be.at.most(1);
      }
      for (const id of jobIds.filter((j) => winner.get(j) === address(index))) {
        for (const step of ["claim", "submit", "finalize"]) {
          const confirmed = intents.filter((r) => BigInt(r.job_id) === id && r.action.split(":")[0] === step && r.status === "confirmed");
          expect(confirmed, `racer ${index} job ${id} ${step}`).to.have.length(1);
        }
      }
      // At most one transaction per intent, every nonce used once.
      expect(new Set(txs.map((t) => `${t.job_id}:${t.action}`)).size).to.equal(txs.length);
      expect(new Set(txs.map((t) => t.nonce)).size).to.equal(txs.length);
      // What left the account is exactly the journal's mined transactions (claims, submissions and
      // finalizations may be batched): at most one per won job and step, plus the lost claims.
      const won = jobIds.filter((id) => winner.get(id) === address(index)).length;
      const mined = txs.filter((t) => t.status === "mined");
      const lostMined = intents.filter((r) => r.status === "reverted").length;
      expect((await txCountOf(t.system, index)) - txsBefore[i]!, `racer ${index} transactions`).to.equal(mined.length);
      expect(mined.length, `racer ${index} transactions`).to.be.at.most(3 * won + lostMined);
      extraTxs += lostMined;
      const p = await getProvider(t.system.clientFor(REQUESTER), { provider: address(index), includeProfile: false });
      expect(p.locked).to.equal(0n);
    }
    // At most one losing claim per racer per job.
    expect(extraTxs).to.be.at.most(2 * jobIds.length);
  });

  it("50 jobs posted in one batch: all finalized, each claimed, submitted and finalized exactly once, no reverted transaction, no nonce error", async function () {
    const txsBefore = await txCountOf(t.system, BULK);
    const d = startDaemonProcess(
      await writeDaemonConfig(t.system, { dir: t.dir, name: "bulk", index: BULK, overrides: { claimPolicy: { concurrency: 8 } } }),
    );
    t.daemons.push(d);
    await ready(d);
    const jobs = await monteCarloJobs(t.system, {
      ...base(),
      seeds: Array.from({ length: 50 }, (_, i) => BigInt(1_000 + i)),
      samples: 200n,
    });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    expect(jobIds).to.have.length(50);
    await waitForStates(t.system, jobIds, 40_000);
    expect(await eventCounts(t.system, jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
    const records = logRecords(d);
    // Every record carries its nonce; trouble would be a warning or error about one (or any warning at all).
    expect(
      records.filter((r) => r.level === "warn" || r.level === "error"),
      "warnings and errors in the log",
    ).to.deep.equal([]);
    const sent = records.filter((r) => r.msg === "transaction sent").map((r) => Number(r.nonce));
    expect(new Set(sent).size).to.equal(sent.length);
    expect(d.stderr()).to.not.match(/nonce/i);
    d.kill("SIGTERM");
    expect(await d.exited).to.equal(0);
    const { intents, txs } = readJournal(join(t.dir, "bulk", "data"));
    // One confirmed intent per job and step; every transaction sent is journaled, mined and succeeded.
    expect(intents).to.have.length(150);
    expect(intents.filter((r) => r.status !== "confirmed")).to.deep.equal([]);
    expect(txs.filter((t) => t.status !== "mined")).to.deep.equal([]);
    expect(txs).to.have.length(sent.length);
    expect(sent.length).to.be.within(3, 150);
    expect(await txCountOf(t.system, BULK)).to.equal(txsBefore + sent.length);
    for (const tx of txs) {
      const receipt = await t.system.publicClient.getTransactionReceipt({ hash: tx.hash as `0x${string}` });
      expect(receipt.status, `transaction ${tx.hash}`).to.equal("success");
    }
  });
});
