// The provider's free stake while fast-path jobs run, with real processes: a `hardhat node`
// mining every second, a provider daemon as a child process staked for two jobs' collateral, and
// three short jobs that each run for seconds before their `claimAndSubmit`. A fast-path job locks
// its collateral only when that transaction is mined, so the daemon must count the jobs it is
// running against every block's stake read: counting only the current block's jobs let each new
// block start two more, whose claims then failed for want of stake (the run lost, the batch
// refused).
import { join } from "node:path";

import { expect } from "chai";
import { getAddress } from "viem";

import { getProvider } from "../actions/auditor/get-provider.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { hdAccount, logRecords, monteCarloJobs, startDaemonProcess, waitFor, writeDaemonConfig } from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
const PROVIDER = 2;
const FUEL = 50_000_000_000n;

describe("daemon free stake with fast-path jobs in flight (hardhat node + daemon child process)", function () {
  this.timeout(120_000);
  const t = useDaemonTestbed("stake-in-flight", [PROVIDER]);

  it("never starts more jobs than its free stake covers while earlier ones still run, and completes them all", async function () {
    const configFile = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "provider",
      index: PROVIDER,
      overrides: { claimPolicy: { concurrency: 8, maxFuel: FUEL.toString(), fastPathMaxFuel: FUEL.toString() } },
    });
    const daemon = startDaemonProcess(configFile);
    t.daemons.push(daemon);
    // Staked 1,000: room for two 400 collateral locks. Each run takes a second or more (~34G fuel, one at
    // a time), so the third job is looked at again while the second still runs, its collateral
    // not locked on chain yet; the first two's pay (and collateral) stays in their bucket for
    // their 10 s window, so nothing frees stake meanwhile.
    const jobs = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds: [501n, 502n, 503n],
      samples: 400_000_000n,
      job: { fuelLimit: FUEL, reward: 400n * 10n ** 18n, collateralPct: 100, challengeWindow: 10 },
    });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    const me = getAddress(hdAccount(PROVIDER).address);
    await waitFor(
      "every job done and paid",
      async () => {
        const failed = logRecords(daemon).filter((r) => r.msg === "fast path not made" || r.msg === "claim not made");
        if (failed.length > 0) throw new Error(`a claim failed: ${JSON.stringify(failed[0]!.error)}`);
        const p = await getProvider(t.system.clientFor(0), { provider: me, includeProfile: false });
        return p.locked === 0n && p.reputation.completed === jobIds.length ? true : undefined;
      },
      100_000,
      500,
    );

    const records = logRecords(daemon);
    const failed = records.filter((r) => r.msg === "fast path not made" || r.msg === "claim not made");
    expect(failed.map((r) => `${r.job_id}: ${JSON.stringify(r.error)}`)).to.deep.equal([], "no claim failed for want of stake");
    const runs = records.filter((r) => r.msg === "executed").map((r) => r.job_id);
    expect(runs.sort()).to.deep.equal(jobIds.map(String).sort(), "each job run once");
    const fastPath = records.filter((r) => r.msg === "claimed and submitted (fast path)").map((r) => r.job_id);
    expect(fastPath.sort()).to.deep.equal(jobIds.map(String).sort());
  });
});
