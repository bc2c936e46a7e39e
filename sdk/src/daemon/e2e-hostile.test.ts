// Hostile jobs (issue 12) with real processes: one provider daemon against a `hardhat node`. A
// hostile requester posts jobs whose input URIs never answer (a slow server) and one whose input
// URI points at a loopback address the daemon does not allow (SSRF); an honest requester posts
// good jobs afterwards. The good jobs are prepared and claimed while the slow fetches still hang
// (preparation has its own slots, at most `fetch.concurrencyPerRequester` per requester, apart
// from the claim slots); the SSRF target never sees a request; no hostile job is claimed; and after
// `refusals.maxPerRequester` failures the hostile requester is skipped with one log line.
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress } from "viem";

import { postJobs } from "../actions/requester/post-jobs.ts";
import {
  eventCounts,
  hdAccount,
  logRecords,
  monteCarloJobs,
  startDaemonProcess,
  waitFor,
  waitForStates,
  writeDaemonConfig,
  type TestJob,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const HOSTILE = 1;
const PROVIDER = 2;
const HONEST = 5;
const FETCH_TIMEOUT_MS = 10_000;

describe("daemon and hostile jobs: slow URLs, SSRF, repeated refusals (hardhat node + daemon child process)", function () {
  this.timeout(90_000);
  const t = useDaemonTestbed("hostile", [PROVIDER]);

  it("claims good jobs while slow fetches hang, never reaches a refused address, skips the requester after repeated refusals", async function () {
    // A server that accepts connections and never answers.
    const sockets = new Set<Socket>();
    let slowConnections = 0;
    const slow: Server = createServer((socket) => {
      slowConnections++;
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    // The SSRF target: loopback, but 127.0.0.2 is not in the cluster's allow-list.
    let secretHits = 0;
    const secret = createHttpServer((_req, res) => {
      secretHits++;
      res.end("secret");
    });
    await new Promise<void>((resolve) => secret.listen(0, "127.0.0.2", resolve));
    try {
      const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const secretUrl = `http://127.0.0.2:${(secret.address() as AddressInfo).port}`;
      const file = await writeDaemonConfig(t.system, {
        dir: t.dir,
        name: "provider",
        index: PROVIDER,
        overrides: {
          // Two of one requester's preparations at once (the default is 8): the cap is what is tested.
          fetch: { timeoutMs: FETCH_TIMEOUT_MS, concurrencyPerRequester: 2 },
          refusals: { maxPerRequester: 3, windowMs: 120_000, skipMs: 600_000 },
        },
      });
      const daemon = startDaemonProcess(file);
      t.daemons.push(daemon);

      const base = { storeDir: join(t.dir, "requester"), uriFor: (h: `0x${string}`) => t.server.uriFor(h) };
      const slowJobs: TestJob[] = (await monteCarloJobs(t.system, { ...base, requester: HOSTILE, seeds: [31n, 32n, 33n, 34n] })).map(
        (j) => ({ ...j, inputURI: `${slowUrl}/content/${j.inputHash}` }),
      );
      const [ssrfBase] = await monteCarloJobs(t.system, { ...base, requester: HOSTILE, seeds: [35n] });
      const ssrf: TestJob = { ...ssrfBase!, inputURI: `${secretUrl}/content/${ssrfBase!.inputHash}` };
      const { jobIds: hostileIds } = await postJobs(t.system.clientFor(HOSTILE), { jobs: [...slowJobs, ssrf], preflight: false });
      const ssrfId = hostileIds[hostileIds.length - 1]!;
      const good = await monteCarloJobs(t.system, { ...base, requester: HONEST, seeds: [41n, 42n] });
      const { jobIds: goodIds } = await postJobs(t.system.clientFor(HONEST), { jobs: good });

      // The good jobs are claimed and submitted although slow fetches hold connections open.
      await waitForStates(t.system, goodIds, 60_000, ["Submitted", "Finalized"]);
      const records = () => logRecords(daemon);
      const firstIndex = (pred: (r: Record<string, unknown>) => boolean) => records().findIndex(pred);
      const claimedGood = goodIds.map((id) => firstIndex((r) => r.msg === "claimed" && r.job_id === id.toString()));
      expect(claimedGood.every((i) => i >= 0)).to.equal(true);

      // The requester is skipped after three failures (the SSRF refusal and slow timeouts), once.
      await waitFor(
        "the hostile requester to be skipped",
        () => (records().some((r) => r.msg === "requester skipped after repeated refused jobs") ? true : undefined),
        60_000,
        250,
      );
      const firstSlow = firstIndex((r) => r.msg === "content too slow; job left alone for a while");
      expect(firstSlow).to.be.greaterThan(-1);
      // Claimed before the first slow fetch even timed out.
      for (const i of claimedGood) expect(i).to.be.lessThan(firstSlow);

      const skips = records().filter((r) => r.msg === "requester skipped after repeated refused jobs");
      expect(skips).to.have.length(1);
      expect(getAddress(String(skips[0]!.requester))).to.equal(getAddress(hdAccount(HOSTILE).address));
      const refusedSsrf = records().find((r) => r.msg === "job refused" && r.job_id === ssrfId.toString());
      expect(refusedSsrf?.reason).to.equal("bad content");
      expect(JSON.stringify(refusedSsrf?.error)).to.match(/ContentUriRefusedError/);
      expect(secretHits).to.equal(0);
      // At most two of the hostile requester's fetches at once, and none after the skip.
      expect(slowConnections).to.be.at.most(3);
      const counts = await eventCounts(t.system, hostileIds);
      expect(counts.every((c) => c.claimed === 0)).to.equal(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
      await new Promise<void>((resolve) => {
        secret.close(() => resolve());
        secret.closeAllConnections();
      });
    }
  });
});
