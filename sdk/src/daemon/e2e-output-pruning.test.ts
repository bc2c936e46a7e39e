// Output pruning with real processes: a `hardhat node`, a provider daemon child process with
// `outputGraceSeconds: 2`. Once a job is finalized its output blob leaves the daemon's content
// store after the grace period, while the program and input (shared by many jobs, kept for
// `storeRetentionHours`) stay.
import { existsSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { postJobs } from "../actions/requester/post-jobs.ts";
import {
  logRecords,
  marketEvents,
  monteCarloJobs,
  startDaemonProcess,
  waitFor,
  waitForStates,
  writeDaemonConfig,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
const PROVIDER = 2;
const GRACE_SECONDS = 2;

describe("daemon output pruning: outputs deleted a grace period after finalization (hardhat node + daemon child process)", function () {
  this.timeout(90_000);
  const t = useDaemonTestbed("output-pruning", [PROVIDER]);

  it("deletes a finalized job's outputs after outputGraceSeconds and keeps its program and input", async function () {
    const configFile = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "provider",
      index: PROVIDER,
      overrides: { outputGraceSeconds: GRACE_SECONDS },
    });
    const storeDir = join(t.dir, "provider", "data", "store");
    const daemon = startDaemonProcess(configFile);
    t.daemons.push(daemon);
    const jobs = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds: [501n, 502n],
    });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    await waitForStates(t.system, jobIds, 40_000);
    const finalizedAt = Date.now();

    const outputs = (await marketEvents(t.system))
      .filter((e) => e.eventName === "ResultSubmitted")
      .map((e) => (e.args as { outputURI: string }).outputURI.match(/0x[0-9a-fA-F]{64}/)![0].toLowerCase());
    expect(outputs).to.have.length(2);
    const pruned = await waitFor("the outputs pruned", () => logRecords(daemon).find((r) => r.msg === "outputs pruned"), 20_000, 100);
    // Both outputs existed in the store (they were counted) and went no earlier than the grace period.
    expect(pruned).to.deep.include({ removed: 2, grace_seconds: GRACE_SECONDS });
    expect(Date.parse(String(pruned.time))).to.be.at.least(finalizedAt + GRACE_SECONDS * 1_000 - 1_500); // 1.5 s: the daemon may see the block first
    for (const hash of outputs) expect(existsSync(join(storeDir, hash)), `output ${hash}`).to.equal(false);
    for (const hash of [jobs[0]!.programHash, jobs[0]!.inputHash, jobs[1]!.inputHash]) {
      expect(existsSync(join(storeDir, hash.toLowerCase())), `program/input ${hash}`).to.equal(true);
    }
  });
});
