// A reorg with real processes on a second client: `anvil` (1 s interval mining), the system
// deployed to it, and a provider daemon child (confirmations 0, so it acts before the reorg;
// new heads over WebSocket). A job is posted and the daemon claims it; then the chain is rolled
// back below the posting (`evm_revert` to a snapshot taken before it) and grows past the old
// height on a new branch, so the JobPosted and the claim are both gone. The requester posts
// the same job again — the market gives it the same id, since the requester's nonce went back
// too — and the daemon must claim it exactly once, submit and finalize it: its journal must not
// think the old claim is still done, and the old claim's transaction must not come back.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Hex } from "viem";

import { postJobs } from "../actions/requester/post-jobs.ts";
import { readJobState } from "../utils/results.ts";
import {
  accountAndJournal,
  eventCounts,
  hdAccount,
  logRecords,
  monteCarloJobs,
  readJournal,
  startDaemonProcess,
  txCountOf,
  waitFor,
  waitForStates,
  writeDaemonConfig,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
const PROVIDER = 2;

describe("daemon through a reorg that removes a JobPosted and its claim (anvil + daemon child process)", function () {
  this.timeout(120_000);
  const t = useDaemonTestbed("reorg", [PROVIDER], { node: "anvil" });
  const rpc = <T>(method: string, params: unknown[] = []) =>
    t.system.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;

  it("detects the reorg, abandons the removed claim, and claims the reposted job exactly once; it is submitted and finalized", async function () {
    expect(t.system.chainId).to.equal(31337);
    const config = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "provider",
      index: PROVIDER,
      overrides: { wsUrl: t.node.url.replace(/^http/, "ws") },
    });
    const daemon = startDaemonProcess(config);
    t.daemons.push(daemon);
    await waitFor(
      "the daemon's first reconcile",
      () => (logRecords(daemon).some((r) => r.msg === "reconciled from contract state") ? true : undefined),
      30_000,
    );
    expect(logRecords(daemon).some((r) => r.msg === "websocket subscribed to new heads")).to.equal(true);

    // Execution takes a while, so the reorg lands between the claim and the submission.
    const jobs = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds: [7n],
      samples: 3_000_000n,
      job: { fuelLimit: 1_000_000_000n },
    });
    const txsBefore = await txCountOf(t.system, PROVIDER);
    const snapshot = await rpc<Hex>("evm_snapshot");
    const forkHeight = await t.system.publicClient.getBlockNumber();
    const {
      jobIds: [jobId],
    } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    await waitFor(
      "the claim",
      () => (logRecords(daemon).some((r) => r.msg === "claimed" && r.job_id === jobId!.toString()) ? true : undefined),
      30_000,
      20,
    );
    // The journal commits once per tick: the receipt's record is on disk within one poll interval.
    const claimTx = await waitFor(
      "the claim mined in the journal",
      () =>
        readJournal(join(t.dir, "provider", "data")).txs.find(
          (x) => x.action === "claim" && x.job_id === jobId!.toString() && x.status === "mined",
        ),
      5_000,
      20,
    );
    const oldHeight = await t.system.publicClient.getBlockNumber();

    // Roll back below the posting and grow a longer branch without it.
    expect(await rpc<boolean>("evm_revert", [snapshot])).to.equal(true);
    await rpc("anvil_mine", [`0x${(oldHeight - forkHeight + 2n).toString(16)}`]);
    expect(await t.system.publicClient.getTransaction({ hash: claimTx.hash as Hex }).catch(() => null)).to.equal(null);
    expect(await readJobState(t.system.clientFor(REQUESTER), jobId!)).to.equal("None");

    const handled = await waitFor(
      "the daemon to handle the reorg",
      () => logRecords(daemon).find((r) => r.msg === "reorg handled"),
      30_000,
    );
    expect(Number(handled.ancestor)).to.be.at.most(Number(forkHeight));
    expect(handled.intents_abandoned).to.be.at.least(1);
    expect(
      logRecords(daemon).some((r) => r.msg === "reorg abandoned a transaction" && r.tx_hash === claimTx.hash && r.action === "claim"),
    ).to.equal(true);

    // The same job again: same requester nonce, so the same id.
    const {
      jobIds: [reposted],
    } = await postJobs(t.system.clientFor(REQUESTER), { jobs });
    expect(reposted).to.equal(jobId);
    await waitForStates(t.system, [jobId!], 60_000);
    // The chain can be ahead of the journal by one receipt read: wait for the daemon to have it.
    await waitFor(
      "the daemon's finalization",
      () => (logRecords(daemon).some((r) => r.msg === "finalized" && r.job_id === jobId!.toString()) ? true : undefined),
      30_000,
    );
    // …and its receipt's record committed (the journal commits once per tick, after the log line).
    await waitFor(
      "the finalization mined in the journal",
      () =>
        readJournal(join(t.dir, "provider", "data")).txs.find(
          (x) => x.action === "finalize" && x.job_id === jobId!.toString() && x.status === "mined",
        ),
      5_000,
      20,
    );

    // On the canonical chain: one claim, one submission, one finalization.
    expect(await eventCounts(t.system, [jobId!])).to.deep.equal([{ claimed: 1, submitted: 1, finalized: 1 }]);
    // What left the provider's account since before the posting is exactly the journal's mined
    // transactions (the abandoned claim's nonce was used again, not skipped), each nonce once,
    // all succeeded. Claims, submissions and finalizations go out in batches; with one job each
    // batch has one member, so that is one claim, one submission and one finalization.
    const { sent, mined, intents, txs } = await accountAndJournal(t.system, PROVIDER, txsBefore, join(t.dir, "provider", "data"));
    expect(mined.map((x) => x.nonce).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: sent }, (_, i) => txsBefore + i));
    for (const x of mined) {
      expect(x.status, `transaction ${x.hash}`).to.equal("success");
      expect(x.from).to.equal(getAddress(hdAccount(PROVIDER).address));
    }
    const steps = mined.flatMap((x) => x.members.filter((m) => m.jobId === jobId!.toString()).map((m) => m.step));
    expect(steps.sort()).to.deep.equal(["claim", "finalize", "submit"]);
    expect(sent).to.equal(3);
    // The abandoned claim is dropped for good; nothing the journal waits for is left.
    expect(txs.find((x) => x.hash === claimTx.hash)!.status).to.equal("dropped");
    expect(txs.filter((x) => x.status === "signed")).to.deep.equal([]);
    // One confirmed intent per step (the abandoned claim's intent was decided again), none open.
    const own = intents.filter((i) => i.job_id === jobId!.toString());
    expect(
      own
        .filter((i) => i.status === "confirmed")
        .map((i) => i.action.split(":")[0])
        .sort(),
    ).to.deep.equal(["claim", "finalize", "submit"]);
    expect(own.filter((i) => i.status === "pending" || i.status === "sent")).to.deep.equal([]);

    daemon.kill("SIGTERM");
    expect(await daemon.exited).to.equal(0);
  });
});
