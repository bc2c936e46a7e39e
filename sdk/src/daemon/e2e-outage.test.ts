// The RPC endpoint disappears for a while and comes back, with real processes: a `hardhat
// node`, a TCP proxy in the test process standing in for the endpoint, and a provider daemon
// child that reaches the node only through the proxy. Jobs are posted (straight to the node),
// then the proxy is taken down — listener closed, every open connection cut — for several
// seconds while they are pending (right after the daemon's first claim, so transactions are in
// flight), and brought back on the same port. The daemon must ride it
// out on its own: not exit, log the outage and the recovery, complete every job, and send no
// transaction twice. Once with HTTP polling, once with new heads over WebSocket as well.
import { join } from "node:path";

import { expect } from "chai";

import { postJobs } from "../actions/requester/post-jobs.ts";
import { startTcpProxy, type TcpProxy } from "../../../testkit/tcp-proxy.ts";
import {
  accountAndJournal,
  eventCounts,
  logRecords,
  monteCarloJobs,
  startDaemonProcess,
  txCountOf,
  waitFor,
  waitForStates,
  writeDaemonConfig,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
const PROVIDER = 2;
const OUTAGE_MS = 6_000;

describe("daemon through an RPC outage (hardhat node + TCP proxy + daemon child process)", function () {
  this.timeout(180_000);
  const t = useDaemonTestbed("outage", [PROVIDER]);
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  for (const input of ["polling", "websocket"] as const) {
    it(`${input}: recovers on its own; every job completes once, no transaction repeated`, async function () {
      proxy = await startTcpProxy({ port: t.node.port });
      const name = `provider-${input}`;
      const config = await writeDaemonConfig(t.system, {
        dir: t.dir,
        name,
        index: PROVIDER,
        overrides: {
          rpcUrl: proxy.url,
          // Few, quick retries: transactions run out of attempts during the outage, and the
          // jobs must still be taken up again soon after it (not left alone for minutes).
          tx: { receiptTimeoutMs: 10_000, maxAttempts: 2, baseBackoffMs: 100 },
          ...(input === "websocket" ? { wsUrl: `ws://127.0.0.1:${proxy.port}` } : {}),
        },
      });
      const daemon = startDaemonProcess(config);
      t.daemons.push(daemon);
      await waitFor(
        "the daemon's first reconcile",
        () => (logRecords(daemon).some((r) => r.msg === "reconciled from contract state") ? true : undefined),
        30_000,
      );

      const jobs = await monteCarloJobs(t.system, {
        requester: REQUESTER,
        storeDir: join(t.dir, "requester"),
        uriFor: (h) => t.server.uriFor(h),
        seeds: [1n, 2n, 3n, 4n, 5n, 6n].map((s) => s + (input === "polling" ? 0n : 100n)),
      });
      const txsBefore = await txCountOf(t.system, PROVIDER);
      const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs });

      // Down while the jobs are pending and the daemon is busy with them: the first claim is
      // mined, other claims and submissions are being simulated, signed, sent or waited for.
      await waitFor("a first claim", () => (logRecords(daemon).some((r) => r.msg === "claimed") ? true : undefined), 30_000, 5);
      await proxy.down();
      const downAt = Date.now();
      await waitFor(
        "the outage to be logged",
        () => (logRecords(daemon).some((r) => r.msg === "RPC unavailable; retrying with back-off") ? true : undefined),
        15_000,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
      expect(daemon.child.exitCode, "the daemon exited during the outage").to.equal(null);
      const connectionsBefore = proxy.connections;
      await proxy.up();

      await waitForStates(t.system, jobIds, 90_000);
      // The chain can be ahead of the journal by one receipt read: wait for the daemon to have them all.
      const ids = new Set(jobIds.map(String));
      await waitFor(
        "the daemon's finalizations",
        () =>
          new Set(
            logRecords(daemon)
              .filter((r) => r.msg === "finalized" && ids.has(String(r.job_id)))
              .map((r) => r.job_id),
          ).size === ids.size
            ? true
            : undefined,
        30_000,
      );
      expect(proxy.connections, "the daemon came back through the proxy").to.be.above(connectionsBefore);
      expect(await eventCounts(t.system, jobIds)).to.deep.equal(jobIds.map(() => ({ claimed: 1, submitted: 1, finalized: 1 })));
      // What left the provider's account is exactly the journal's mined transactions, each nonce
      // once, all succeeded; claims, submissions and finalizations may be batched, so each job
      // and step is in exactly one of them (at most three transactions per job).
      const { sent, mined, intents, txs } = await accountAndJournal(t.system, PROVIDER, txsBefore, join(t.dir, name, "data"));
      expect(mined.map((x) => x.nonce).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: sent }, (_, i) => txsBefore + i));
      expect(sent).to.be.within(3, 3 * jobIds.length);
      for (const x of mined) expect(x.status, `transaction ${x.hash}`).to.equal("success");
      const steps = mined.flatMap((x) => x.members.map((m) => `${m.jobId}:${m.step}`)).sort();
      expect(steps).to.deep.equal(jobIds.flatMap((id) => ["claim", "finalize", "submit"].map((step) => `${id}:${step}`)).sort());
      expect(txs.filter((x) => x.status === "signed")).to.deep.equal([]);
      // One confirmed intent per job and step.
      const confirmed = intents
        .filter((i) => i.status === "confirmed")
        .map((i) => `${i.job_id}:${i.action.split(":")[0]}`)
        .sort();
      expect(confirmed).to.deep.equal(steps);

      const records = logRecords(daemon);
      const outage = records.findIndex((r) => r.msg === "RPC unavailable; retrying with back-off");
      const recovery = records.findIndex((r) => r.msg === "RPC recovered");
      expect(recovery, "recovery logged after the outage").to.be.above(outage);
      expect(Number(records[recovery]!.outage_ms)).to.be.at.least(OUTAGE_MS - 1_000);
      if (input === "websocket") {
        // The subscription comes back on its own too (its back-off runs independently of the jobs).
        await waitFor(
          "the websocket to reconnect",
          () => (logRecords(daemon).some((r) => r.msg === "websocket reconnected") ? true : undefined),
          20_000,
        );
        const all = logRecords(daemon);
        const closed = all.findIndex((r) => r.msg === "websocket closed; reconnecting");
        expect(closed).to.be.at.least(0);
        expect(all.findIndex((r) => r.msg === "websocket reconnected")).to.be.above(closed);
      }

      daemon.kill("SIGTERM");
      expect(await daemon.exited).to.equal(0);
    });
  }
});
