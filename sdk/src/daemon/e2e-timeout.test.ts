// A provider that vanishes mid-job, with real processes: a `hardhat node`, a provider daemon
// that claims a long job and is killed -9 right after its claim is mined (never restarted), and
// a separate keeper daemon that times the job out once its execution deadline has passed. The
// requester gets its reward back plus the provider's collateral; the provider's reputation
// counts the time-out.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";

import { getProvider } from "../actions/auditor/get-provider.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { readJobState } from "../utils/results.ts";
import {
  hdAccount,
  ledgerOf,
  logRecords,
  marketEvents,
  monteCarloJobs,
  startDaemonProcess,
  waitFor,
  waitForStates,
  writeDaemonConfig,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const TOKEN = 10n ** 18n;
const REQUESTER = 1;
const PROVIDER = 2;
const KEEPER = 3;
const REWARD = 2n * TOKEN;
const COLLATERAL = REWARD; // collateralPct 100
const EXECUTION_TIME = 4;

const address = (index: number): Address => getAddress(hdAccount(index).address);

describe("daemon keeper times out a vanished provider (hardhat node + daemon child processes)", function () {
  this.timeout(60_000);
  const t = useDaemonTestbed("timeout", [PROVIDER]);

  it("the provider is killed -9 after claiming; the keeper daemon times the job out; the requester gets reward + collateral", async function () {
    const providerConfig = await writeDaemonConfig(t.system, { dir: t.dir, name: "provider", index: PROVIDER });
    const keeperConfig = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "keeper",
      index: KEEPER,
      overrides: { roles: { provider: false, keeper: true } },
    });
    const provider = startDaemonProcess(providerConfig);
    t.daemons.push(provider);
    const keeper = startDaemonProcess(keeperConfig);
    t.daemons.push(keeper);

    // A long run (many samples, the policy's whole fuel budget) so the provider is still executing when it dies.
    const jobs = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds: [1n],
      samples: 50_000_000n,
      job: { fuelLimit: 1_000_000_000n, reward: REWARD, executionTime: EXECUTION_TIME },
    });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    const jobId = jobIds[0]!;
    const before = await getProvider(t.system.clientFor(REQUESTER), { provider: address(PROVIDER), includeProfile: false });

    await waitFor(
      "the provider's claim",
      () => (logRecords(provider).some((r) => r.msg === "claimed" && r.job_id === jobId.toString()) ? true : undefined),
      20_000,
      5,
    );
    provider.kill("SIGKILL");
    await provider.exited;
    expect(await readJobState(t.system.clientFor(REQUESTER), jobId)).to.equal("Claimed");
    const requesterLedger = await ledgerOf(t.system, address(REQUESTER));
    const claimedAt = Date.now();

    await waitForStates(t.system, [jobId], 20_000, ["TimedOut"]);
    // Not before the execution deadline (chain time moves with 1 s interval mining).
    expect(Date.now() - claimedAt).to.be.at.least((EXECUTION_TIME - 1) * 1000);

    const events = (await marketEvents(t.system)).filter((e) => (e.args as { jobId?: bigint }).jobId === jobId);
    expect(events.map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobClaimed", "JobTimedOut"]);
    const timedOut = events[2]!;
    expect(timedOut.transactionHash).to.be.a("string");
    const tx = await t.system.publicClient.getTransaction({ hash: timedOut.transactionHash });
    expect(getAddress(tx.from)).to.equal(address(KEEPER));

    expect((await ledgerOf(t.system, address(REQUESTER))) - requesterLedger).to.equal(REWARD + COLLATERAL);
    const after = await getProvider(t.system.clientFor(REQUESTER), { provider: address(PROVIDER), includeProfile: false });
    expect(after.reputation.timedOut).to.equal(before.reputation.timedOut + 1);
    expect(after.staked).to.equal(before.staked - COLLATERAL);
    expect(after.locked).to.equal(0n);
    expect(
      logRecords(keeper).some(
        (r) => r.msg === "upkeep done" && r.job_id === jobId.toString() && r.action === "timeout" && r.tx_hash === timedOut.transactionHash,
      ),
    ).to.equal(true);

    keeper.kill("SIGTERM");
    expect(await keeper.exited).to.equal(0);
  });
});
