// The provider role's fast path with real processes: a `hardhat node`, jobs posted in one batch, a
// provider daemon as a child process with `claimPolicy.fastPathMaxFuel`. A short job (fuel limit
// at most the threshold) is run before claiming and taken with its result in one transaction
// (`claimAndSubmit`: JobClaimed and ResultSubmitted in the same transaction) and paid through the
// provider's pay bucket (deferred pay: `PayDeferred`, then `PayReleased` from the daemon's own
// `releasePay` once the bucket matured; no finalize transaction for it); a long one is claimed
// first, submitted later (two transactions) and finalized. No collateral stays locked.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress } from "viem";

import { getProvider } from "../actions/auditor/get-provider.ts";

import { postJobs } from "../actions/requester/post-jobs.ts";
import {
  hdAccount,
  logRecords,
  marketEvents,
  monteCarloJobs,
  readJournal,
  startDaemonProcess,
  waitFor,
  waitForStates,
  writeDaemonConfig,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
const PROVIDER = 2;
const SHORT_FUEL = 50_000_000n;
const LONG_FUEL = 100_000_000n;

describe("daemon fast path on chain: short jobs claimAndSubmit, long jobs claim first (hardhat node + daemon child process)", function () {
  this.timeout(90_000);
  const t = useDaemonTestbed("fast-path", [PROVIDER]);

  it("takes a short job with its result in one transaction and claims a long one before running it", async function () {
    const configFile = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "provider",
      index: PROVIDER,
      overrides: { claimPolicy: { concurrency: 4, fastPathMaxFuel: SHORT_FUEL.toString() } },
    });
    const daemon = startDaemonProcess(configFile);
    t.daemons.push(daemon);
    const jobs = (seed: bigint, fuelLimit: bigint) =>
      monteCarloJobs(t.system, {
        requester: REQUESTER,
        storeDir: join(t.dir, "requester"),
        uriFor: (h) => t.server.uriFor(h),
        seeds: [seed],
        job: { fuelLimit },
      });
    const [short] = await jobs(401n, SHORT_FUEL);
    const [long] = await jobs(402n, LONG_FUEL);
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs: [short!, long!] });
    const [shortId, longId] = jobIds as [bigint, bigint];
    await waitForStates(t.system, [shortId, longId], 40_000);

    const events = await marketEvents(t.system);
    const txOf = (name: string, id: bigint) =>
      events.find((e) => e.eventName === name && (e.args as { jobId?: bigint }).jobId === id)!.transactionHash;
    expect(txOf("JobClaimed", shortId)).to.equal(txOf("ResultSubmitted", shortId), "short job: one transaction");
    expect(txOf("JobClaimed", longId)).to.not.equal(txOf("ResultSubmitted", longId), "long job: claim, then submit");
    const provider = (id: bigint) =>
      getAddress(
        (events.find((e) => e.eventName === "JobClaimed" && (e.args as { jobId?: bigint }).jobId === id)!.args as { provider: string })
          .provider,
      );
    expect([provider(shortId), provider(longId)]).to.deep.equal([
      getAddress(hdAccount(PROVIDER).address),
      getAddress(hdAccount(PROVIDER).address),
    ]);
    const lines = logRecords(daemon)
      .filter((r) => r.msg === "claimed and submitted (fast path)")
      .map((r) => r.job_id);
    expect(lines).to.deep.equal([shortId.toString()]);

    // Deferred pay: the short job's pay is released with its bucket, and no collateral stays locked.
    const me = getAddress(hdAccount(PROVIDER).address);
    const unlocked = await waitFor(
      "collateral unlocked",
      async () => {
        const p = await getProvider(t.system.clientFor(0), { provider: me, includeProfile: false });
        return p.locked === 0n && p.reputation.completed === 2 ? p : undefined;
      },
      30_000,
      250,
    );
    expect(unlocked.locked).to.equal(0n);
    const after = await marketEvents(t.system);
    const deferred = after.filter((e) => e.eventName === "PayDeferred");
    expect(deferred.flatMap((e) => [...(e.args as { jobIds: readonly bigint[] }).jobIds])).to.deep.equal([shortId]);
    expect(
      after.filter((e) => e.eventName === "PayReleased").map((e) => getAddress((e.args as { provider: string }).provider)),
    ).to.deep.equal([me]);
    const finalized = after.filter((e) => e.eventName === "JobFinalized").map((e) => (e.args as { jobId: bigint }).jobId);
    expect(finalized).to.deep.equal([longId], "only the long job is finalized one by one");
    const { intents } = readJournal(join(t.dir, "provider", "data"));
    const finalizeIntents = intents.filter((i) => i.action.startsWith("finalize")).map((i) => i.job_id);
    expect(finalizeIntents).to.not.include(shortId.toString(), "no finalize intent for a deferred-pay job");
    expect(intents.some((i) => i.action.startsWith("release:") && i.status === "confirmed")).to.equal(
      true,
      "the daemon released its bucket",
    );
  });
});
