// Soak test of the pipelined transaction queue (issue 15) with real processes on anvil mining a
// block every second: two provider daemons (claim concurrency 32, two batches of a kind in
// flight) take 300 montecarlo jobs posted up front. A quarter of the way through one daemon is
// killed with SIGKILL and started again on the same data dir; half way through, `anvil_reorg`
// replaces the last three blocks with empty ones, dropping the claims, submissions and finalizations they held.
// At the end, on the canonical chain and in both journals:
// - every job was claimed, submitted and finalized exactly once, and no collateral is left locked;
// - no nonce was reused or skipped: the nonces each account used since the start are exactly
//   the journal's mined transactions, each once;
// - every mined transaction succeeded but for two races docs/provider-daemon.md documents, each
//   reverting `MarketUnexpectedJobState`: a claim (`claimJob(s)`, or the fast path's
//   `claimAndSubmit` alone) that another provider's claim landed before, and a submission that
//   waited in the pool behind a claim of its job a reorg removed (mined once the gap is filled,
//   before the job is claimed again); no finalization reverted;
// - no stale re-broadcast: no transaction hash was sent twice (the restart and the reorg never
//   sent old bytes again; a new decision that signs a forgotten transaction's very bytes is
//   logged `re-sent`, not `sent`: docs/provider-daemon.md, Reorgs), and no transaction the
//   journal dropped is known to the node;
// - no intent was left open and no transaction is still waited for.
// Two more variants (150 jobs, no kill; `testkit/soak-chaos.ts` builds their reorgs a quarter of
// the way through, while the daemons work):
// - a reorg of depth 3 that drops a daemon's mined transactions while later ones of its account
//   wait in the node's pool (a nonce gap behind pending transactions): the daemon fills the gap;
// - a reorg that moves the chain's clock back under a finalization waiting in the pool (a third
//   daemon takes only a probe job, so its finalization is one `finalizeJob`, which would revert
//   with `MarketChallengeWindowOpen`): the daemon cancels it; no finalization reverts.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Hex } from "viem";

import { getProvider } from "../actions/auditor/get-provider.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import {
  accountAndJournal,
  eventCounts,
  hdAccount,
  logRecords,
  marketEvents,
  monteCarloJobs,
  startDaemonProcess,
  txCountOf,
  waitFor,
  waitForStates,
  writeDaemonConfig,
  type ChildHandle,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";
import { addressOf, logTail, reorgBelowPending, reorgClockBack, revertError } from "../../../testkit/soak-chaos.ts";

const REQUESTER = 1;
const PROVIDERS = [2, 3];
const JOBS = 300;
// The gap and clock variants: fewer jobs (their reorg comes a quarter of the way through, with work of every step in flight), to stay near 45 s.
const CHAOS_JOBS = 150;
const BATCH = 100; // the market's MAX_BATCH
const REORG_DEPTH = 3;
// The clock variant's probe: its own requester and a daemon that takes only that requester's jobs.
const PROBE_REQUESTER = 5;
const PROBE_PROVIDER = 4;
const PROBE_WINDOW = 10; // seconds: longer than the daemon's wall-clock fallback (3 s without blocks) takes to matter

type Variant = "kill" | "reorg" | "gap" | "clock";

describe("soak: the pipelined queue through kill -9 (and a reorg), 300 jobs at 1-second blocks (anvil + two daemon child processes)", function () {
  this.timeout(240_000);
  const t = useDaemonTestbed("soak", [...PROVIDERS, PROBE_PROVIDER], { node: "anvil" });
  const rpc = <T>(method: string, params: unknown[] = []) =>
    t.system.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;
  // The node and deployment are shared by both runs: each run has its own daemon data dirs and
  // counts only its own jobs (counting the first run's finalizations made the second reorg at once).
  const nameOf = (index: number, variant: Variant) => `soak-${variant}-${index}`;

  /** The run: `kill` (kill -9 and restart), `reorg` (the same, then a reorg half way), `gap` or `clock` (a reorg each, no kill). */
  async function soak(variant: Variant) {
    const reorg = variant === "reorg";
    const kill = variant === "kill" || variant === "reorg";
    const providers = variant === "clock" ? [...PROVIDERS, PROBE_PROVIDER] : PROVIDERS;
    const count = kill ? JOBS : CHAOS_JOBS;
    const jobs = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds: Array.from({ length: count }, (_, i) => BigInt(10_000 + i)),
      samples: 100n,
    });
    const jobIds: bigint[] = [];
    for (let i = 0; i < jobs.length; i += BATCH) {
      jobIds.push(...(await postJobs(t.system.clientFor(REQUESTER), { jobs: jobs.slice(i, i + BATCH) })).jobIds);
    }
    expect(jobIds).to.have.length(count);

    const before = new Map<number, number>();
    const configs = new Map<number, string>();
    const runs = new Map<number, ChildHandle[]>();
    for (const index of providers) {
      before.set(index, await txCountOf(t.system, index));
      // In the clock variant the probe's requester is the probe daemon's alone.
      const requesters =
        variant !== "clock"
          ? {}
          : index === PROBE_PROVIDER
            ? { allowRequesters: [addressOf(PROBE_REQUESTER)] }
            : { denyRequesters: [addressOf(PROBE_REQUESTER)] };
      const config = await writeDaemonConfig(t.system, {
        dir: t.dir,
        name: nameOf(index, variant),
        index,
        // The gap variant needs a steady stream of transactions to reorg away under pending ones: it
        // drives the claim-first path (claim, submit, finalize) in small rounds; the others run the
        // defaults, so the fast path and deferred pay go through kill -9 and reorgs too.
        overrides: {
          claimPolicy: { concurrency: 32, ...requesters, ...(variant === "gap" ? { concurrency: 8, fastPathMaxFuel: "0" } : {}) },
          tx: { batchesInFlight: 2, receiptTimeoutMs: 10_000 },
        },
      });
      configs.set(index, config);
      const d = startDaemonProcess(config);
      t.daemons.push(d);
      runs.set(index, [d]);
    }

    /** The whole logs, for the post-mortem (the testbed prints only their tails). */
    const dumpLogs = () => {
      for (const index of providers) {
        for (const [n, d] of runs.get(index)!.entries()) {
          const file = join(tmpdir(), `hashwork-${nameOf(index, variant)}-${n}.log`);
          writeFileSync(file, `${d.lines.join("\n")}\n${d.stderr()}`);
          console.error(`daemon log: ${file}`);
        }
      }
    };

    // Progress on chain (JobFinalized events): a daemon restarted after kill -9 settles what it
    // had in flight from its journal without logging each job again.
    const finalized = async () => {
      const events = await marketEvents(t.system);
      const ours = new Set(jobIds);
      return new Set(
        events
          .filter((e) => e.eventName === "JobFinalized")
          .map((e) => (e.args as { jobId: bigint }).jobId)
          .filter((id) => ours.has(id)),
      ).size;
    };
    const reach = (target: number, what: string) =>
      waitFor(what, async () => ((await finalized()) >= target ? true : undefined), 120_000, 500);

    // 1. kill -9 a daemon a quarter of the way through (with work of every step in flight), and start it again.
    await reach(count / 4, "a quarter of the jobs finalized");
    if (kill) {
      const victim = PROVIDERS[0]!;
      const first = runs.get(victim)![0]!;
      first.kill("SIGKILL");
      await first.exited;
      const restarted = startDaemonProcess(configs.get(victim)!);
      t.daemons.push(restarted);
      runs.get(victim)!.push(restarted);
    }
    const logsOf = new Map(providers.map((i) => [i, logTail(runs.get(i)!.at(-1)!)]));
    const logged = (index: number, msg: string) => logsOf.get(index)!().filter((r) => r.msg === msg);
    const onFailure = async <T>(step: Promise<T>) => {
      try {
        return await step;
      } catch (error) {
        dumpLogs();
        throw error;
      }
    };

    // 1b. A nonce gap behind pending transactions: a depth-3 reorg drops a daemon's mined
    //     transactions while later ones wait in the pool. The daemon must fill the gap.
    let gap: Awaited<ReturnType<typeof reorgBelowPending>> | undefined;
    if (variant === "gap") {
      gap = await onFailure(reorgBelowPending(t.system, new Map(PROVIDERS.map((i) => [i, runs.get(i)!.at(-1)!])), REORG_DEPTH));
      console.error(
        `gap reorg: provider ${gap.victim} nonce ${gap.nonceAfter}, pooled ${gap.pooled.join(",")}; ${gap.removed.length} transactions removed`,
      );
      expect(gap.pooled.length, "transactions still in the pool after the reorg").to.be.greaterThan(0);
      expect(gap.pooled[0]!, "the lowest pooled nonce is above the account's: a gap").to.be.greaterThan(gap.nonceAfter);
    }

    // 1c. The clock moves back: a probe job's finalization waits in the pool when a reorg takes
    //     the chain back into its challenge window. The daemon must cancel it, not let it revert.
    let probe: bigint | undefined;
    let clock: Awaited<ReturnType<typeof reorgClockBack>> | undefined;
    if (variant === "clock") {
      const [job] = await monteCarloJobs(t.system, {
        requester: PROBE_REQUESTER,
        storeDir: join(t.dir, "requester"),
        uriFor: (h) => t.server.uriFor(h),
        seeds: [99_999n],
        samples: 100n,
        job: { challengeWindow: PROBE_WINDOW },
      });
      [probe] = (await postJobs(t.system.clientFor(PROBE_REQUESTER), { jobs: [job!] })).jobIds;
      clock = await onFailure(reorgClockBack(t.system, runs.get(PROBE_PROVIDER)![0]!, probe!, PROBE_WINDOW));
      console.error(`clock reorg: head time ${clock.timeBefore} -> ${clock.timeAfter}, job ${probe} submitted at ${clock.submittedAt}`);
      expect(clock.timeAfter < clock.timeBefore, "the head's clock went back").to.equal(true);
      expect(clock.timeAfter <= clock.submittedAt + BigInt(PROBE_WINDOW), "the new head is inside the probe's window").to.equal(true);
    }

    // 2. A reorg half way through: `anvil_reorg` replaces the last REORG_DEPTH blocks with empty
    //    ones (the node forgets their transactions: claims, submissions, finalizations, some with
    //    receipts read, some not), the way a real chain's head switches branch.
    const removed: Hex[] = [];
    if (reorg) {
      await reach(count / 2, "half of the jobs finalized");
      // Interval mining paused meanwhile, so the blocks read are the ones replaced.
      await rpc("evm_setIntervalMining", [0]);
      const height = await t.system.publicClient.getBlockNumber();
      for (let n = height - BigInt(REORG_DEPTH) + 1n; n <= height; n++)
        removed.push(...(await t.system.publicClient.getBlock({ blockNumber: n })).transactions);
      await rpc("anvil_reorg", [REORG_DEPTH, []]);
      console.error(`reorg at ${height}: ${removed.length} transactions removed, head ${await t.system.publicClient.getBlockNumber()}`);
      await rpc("evm_setIntervalMining", [1]);
      for (const hash of removed) {
        expect(await t.system.publicClient.getTransaction({ hash }).catch(() => null), `${hash} removed`).to.equal(null);
      }
      await waitFor(
        "a daemon to handle the reorg",
        () => (providers.some((i) => runs.get(i)!.some((d) => logRecords(d).some((r) => r.msg === "reorg handled"))) ? true : undefined),
        30_000,
      ).catch((error: unknown) => {
        dumpLogs();
        throw error;
      });
    }

    // 3. Everything settles.
    try {
      await reach(count, "every job finalized");
      await waitForStates(t.system, probe === undefined ? jobIds : [...jobIds, probe], 30_000);
    } catch (error) {
      dumpLogs();
      throw error;
    }
    const all = probe === undefined ? jobIds : [...jobIds, probe];
    expect(await eventCounts(t.system, all)).to.deep.equal(all.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
    // The chain can be ahead of a journal by one receipt read: let the daemons read theirs, then stop.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const index of providers) {
      const last = runs.get(index)!.at(-1)!;
      last.kill("SIGTERM");
      expect(await last.exited, `daemon ${index} exit code`).to.equal(0);
    }

    const revertedFinalizations: string[] = [];
    /** Reverted transactions that are not a lost claim race: step(s), error, hash. */
    const unexpectedReverts: string[] = [];
    let lostClaims = 0;
    let orphanedSubmissions = 0;
    for (const index of providers) {
      const start = before.get(index)!;
      const { sent, mined, intents, txs, members } = await accountAndJournal(
        t.system,
        index,
        start,
        join(t.dir, nameOf(index, variant), "data"),
      );
      // The jobs whose claim a reorg removed (a batch's members, or a single claim's own record).
      const reorged = new Set([...removed, ...(gap?.removed ?? [])].map((h) => h.toLowerCase()));
      const unclaimed = new Set(
        [...members, ...txs].filter((m) => reorged.has(m.hash.toLowerCase()) && m.action.startsWith("claim")).map((m) => m.job_id),
      );
      // A finalization (`finalizeJob`) mined inside the challenge window reverts (`MarketChallengeWindowOpen`;
      // `finalizeJobs` passes over such a job instead): none may.
      for (const x of mined)
        if (x.status === "reverted" && x.members.some((m) => m.step === "finalize")) revertedFinalizations.push(x.hash);
      // Any other revert must be a claim that lost the race for an Open job, or a submission whose
      // claim the reorg took away.
      for (const x of mined.filter((tx) => tx.status === "reverted")) {
        const error = await revertError(t.system, x.hash as Hex);
        const claim = x.members.every((m) => m.step === "claim" || m.step === "fastpath");
        const orphaned = x.members.every((m) => m.step === "submit" && unclaimed.has(m.jobId));
        if (error === "MarketUnexpectedJobState" && claim) lostClaims++;
        else if (error === "MarketUnexpectedJobState" && orphaned) orphanedSubmissions++;
        else unexpectedReverts.push(`${x.members.map((m) => `${m.action}:${m.jobId}`).join(",")} ${error} ${x.hash}`);
      }
      // Every nonce the account used is one of the journal's mined transactions, each once: none reused, none skipped.
      expect(
        mined.map((x) => x.nonce).sort((a, b) => a - b),
        `provider ${index} nonces`,
      ).to.deep.equal(Array.from({ length: sent }, (_, i) => start + i));
      for (const x of mined) expect(x.from).to.equal(getAddress(hdAccount(index).address));
      // No intent open, nothing still waited for.
      expect(
        intents.filter((i) => i.status === "pending" || i.status === "sent"),
        `provider ${index} open intents`,
      ).to.deep.equal([]);
      expect(
        txs.filter((x) => x.status === "signed"),
        `provider ${index} transactions still signed`,
      ).to.deep.equal([]);
      // No stale re-broadcast: every hash was sent once over all runs, and none the journal dropped is on the node.
      const sentHashes = runs
        .get(index)!
        .flatMap((d) => logRecords(d).filter((r) => r.msg === "transaction sent"))
        .map((r) => String(r.tx_hash));
      expect(sentHashes.length, `provider ${index} sent hashes`).to.equal(new Set(sentHashes).size);
      for (const x of txs.filter((tx) => tx.status === "dropped")) {
        expect(await t.system.publicClient.getTransaction({ hash: x.hash as Hex }).catch(() => null), `dropped ${x.hash}`).to.equal(null);
      }
      const p = await getProvider(t.system.clientFor(REQUESTER), { provider: getAddress(hdAccount(index).address), includeProfile: false });
      expect(p.locked, `provider ${index} locked collateral`).to.equal(0n);
    }
    expect(revertedFinalizations, "finalizations mined into a revert").to.deep.equal([]);
    expect(unexpectedReverts, "reverted transactions other than lost claim races").to.deep.equal([]);
    console.error(
      `${variant}: reverted (MarketUnexpectedJobState) ${lostClaims} claims that lost a race, ${orphanedSubmissions} submissions whose claim the reorg removed`,
    );
    // The reorg did remove daemon work (blocks at this load hold claims, submissions or finalizations).
    if (reorg) expect(removed.length).to.be.greaterThan(0);
    if (gap) {
      expect(gap.removed.length).to.be.greaterThan(0);
      // Settled because the victim filled the gap (without the fill it waits on a nonce that never comes).
      const fills = logged(gap.victim, "nonce gap filled with a no-op transaction").map((r) => Number(r.nonce));
      expect(fills, "nonces filled").to.include(gap.nonceAfter);
    }
    if (clock) {
      // The probe's finalization never made it: the cancellation took its nonce.
      const cancelled = logged(PROBE_PROVIDER, "reorg moved the chain's clock: time-dependent transaction cancelled");
      expect(
        cancelled.map((r) => r.tx_hash),
        "the probe's finalization cancelled",
      ).to.include(clock.finalizeHash);
      expect(await t.system.publicClient.getTransactionReceipt({ hash: clock.finalizeHash }).catch(() => null)).to.equal(null);
    }
  }

  it("through kill -9 and a restart: settles every job once; no nonce reused or skipped, no stale re-broadcast, no intent left open", async function () {
    await soak("kill");
  });

  it("through kill -9 and a reorg half way: the same guarantees", async function () {
    await soak("reorg");
  });

  it("through a depth-3 reorg that leaves a nonce gap behind transactions still in the pool: the gap is filled while the daemons keep working; the same guarantees", async function () {
    await soak("gap");
  });

  it("through a reorg that moves the clock back under a pending finalization: it is cancelled, no finalization reverts (MarketChallengeWindowOpen); the same guarantees", async function () {
    await soak("clock");
  });
});
