// Issue 12, the fetch/store half, measured: can a job's URI aim a provider's fetch at the
// provider's own machine (SSRF), and how long does serving big blobs block the event loop?
//
// `measureFetchHostility()`:
// - starts a loopback "secret" server (127.0.0.1, and ::1 when the machine has IPv6) that counts
//   requests, and tries every SSRF form through the real fetch path (`fetchVerified`, which the
//   daemon's `fetchContent` and the SDK's `fetchJobOutput` use) with the default settings (public
//   addresses only): loopback literals, the decimal/hex/octal/short numeric forms WHATWG URL
//   normalizes, IPv4-mapped IPv6, 0.0.0.0, the name `localhost`, and redirects to loopback from a
//   redirector on 127.0.0.2 (which alone is allowed, so the redirect itself is followed and its
//   target vetted); a case is `reached` when the secret server saw a request (or, for `file:`,
//   when bytes came back);
// - puts a 64 MiB blob in a local store, serves it with the real content server and, with four
//   GETs in parallel from a worker thread (so this thread only serves), records the event loop's
//   largest delay (`monitorEventLoopDelay`, 10 ms resolution): once from a warm store (verified
//   when put) and once from a fresh store over the same directory (the first GET verifies the file
//   in the hash worker); `eventLoopMaxBlockMs` is the larger.
// Takes ~10–30 s. Runnable on its own: `node scripts/lib/hostile-fetch.ts` prints the JSON.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import { keccak256 } from "viem";

import { createContentServer, createLocalStore, fetchVerified, type LocalStore } from "../../sdk/src/store/index.ts";

const SECRET = new TextEncoder().encode("secret: internal admin page\n");
const SECRET_HASH = keccak256(SECRET);
const BLOB_BYTES = 64 * 1024 * 1024;

type Listening = { port: number; close: () => Promise<void> };

async function listen(host: string, handler: Parameters<typeof createServer>[1]): Promise<Listening | undefined> {
  const server: Server = createServer(handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
  } catch {
    return undefined; // e.g. no IPv6 loopback on this machine
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every SSRF form, through the real fetch path with default settings. */
async function ssrfCases(): Promise<Array<{ name: string; reached: boolean }>> {
  let hits = 0;
  const secretHandler = (_req: unknown, res: import("node:http").ServerResponse) => {
    hits++;
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(SECRET);
  };
  const v4 = (await listen("127.0.0.1", secretHandler))!;
  const v6 = await listen("::1", secretHandler);
  let redirectTo = "";
  const redirector = await listen("127.0.0.2", (_req, res) => res.writeHead(302, { location: redirectTo }).end());
  const p = v4.port;
  const cases: Array<{ name: string; uri: string; redirect?: string; options?: Parameters<typeof fetchVerified>[2] }> = [
    { name: "127.0.0.1", uri: `http://127.0.0.1:${p}/` },
    { name: "localhost (DNS name)", uri: `http://localhost:${p}/` },
    { name: "decimal 2130706433", uri: `http://2130706433:${p}/` },
    { name: "hex 0x7f000001", uri: `http://0x7f000001:${p}/` },
    { name: "hex dotted 0x7f.1", uri: `http://0x7f.1:${p}/` },
    { name: "octal 0177.0.0.1", uri: `http://0177.0.0.1:${p}/` },
    { name: "short 127.1", uri: `http://127.1:${p}/` },
    { name: "0.0.0.0", uri: `http://0.0.0.0:${p}/` },
    { name: "IPv4-mapped [::ffff:127.0.0.1]", uri: `http://[::ffff:127.0.0.1]:${p}/` },
    { name: "IPv4-mapped hex [::ffff:7f00:1]", uri: `http://[::ffff:7f00:1]:${p}/` },
    ...(v6 ? [{ name: "[::1]", uri: `http://[::1]:${v6.port}/` }] : []),
    ...(redirector
      ? [
          { name: "redirect 302 -> 127.0.0.1", redirect: `http://127.0.0.1:${p}/` },
          { name: "redirect 302 -> 2130706433", redirect: `http://2130706433:${p}/` },
          { name: "redirect 302 -> [::ffff:127.0.0.1]", redirect: `http://[::ffff:127.0.0.1]:${p}/` },
          { name: "redirect 302 -> localhost", redirect: `http://localhost:${p}/` },
          { name: "redirect 302 -> file:///etc/hostname", redirect: "file:///etc/hostname" },
        ].map((c) => ({ ...c, uri: `http://127.0.0.2:${redirector.port}/`, options: { allowHosts: ["127.0.0.2"] } }))
      : []),
    { name: "file:///etc/hostname", uri: "file:///etc/hostname" },
  ];
  const results: Array<{ name: string; reached: boolean }> = [];
  try {
    // Control: with loopback allowed the same path does reach the secret server (the harness can see a hit).
    const control = await fetchVerified(`http://127.0.0.1:${p}/`, SECRET_HASH, { allowHosts: ["127.0.0.1"] });
    if (hits !== 1 || control.byteLength !== SECRET.byteLength) throw new Error("control fetch did not reach the secret server");
    for (const c of cases) {
      redirectTo = c.redirect ?? "";
      const before = hits;
      let fetched = false;
      try {
        await fetchVerified(c.uri, SECRET_HASH, { timeoutMs: 5_000, ...c.options });
        fetched = true;
      } catch {
        // refused (or failed): what matters is whether anything reached the secret server
      }
      // A file read "reaches" when bytes came back (a hash mismatch also means the file was read).
      results.push({ name: c.name, reached: hits > before || fetched });
    }
  } finally {
    await Promise.all([v4.close(), v6?.close(), redirector?.close()]);
  }
  return results;
}

const CLIENT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const sizes = await Promise.all(Array.from({ length: workerData.parallel }, async () => {
    const response = await fetch(workerData.url);
    let total = 0;
    for await (const chunk of response.body) total += chunk.byteLength;
    return { status: response.status, total };
  }));
  parentPort.postMessage(sizes);
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

/** Largest event-loop delay (ms) on this thread while the content server serves `parallel` GETs of `hash`. */
async function serveAndMeasure(store: LocalStore, hash: `0x${string}`, parallel: number): Promise<number> {
  const server = createContentServer({ store });
  const url = await server.start();
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  try {
    histogram.enable();
    const worker = new Worker(CLIENT_WORKER, { eval: true, workerData: { url: `${url}/content/${hash}`, parallel } });
    const result = await new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    histogram.disable();
    const replies = result as Array<{ status: number; total: number }> | { error: string };
    if (!Array.isArray(replies)) throw new Error(`GETs failed: ${replies.error}`);
    for (const r of replies) if (r.status !== 200 || r.total !== BLOB_BYTES) throw new Error(`bad reply ${JSON.stringify(r)}`);
    return histogram.max / 1e6;
  } finally {
    await server.close();
  }
}

export async function measureFetchHostility(): Promise<{
  ssrfReached: boolean;
  eventLoopMaxBlockMs: number;
  cases: Array<{ name: string; reached: boolean }>;
}> {
  const cases = await ssrfCases();
  const dir = await mkdtemp(join(tmpdir(), "hashwork-hostile-"));
  try {
    const blob = new Uint8Array(BLOB_BYTES);
    for (let i = 0; i < blob.length; i += 4096) blob[i] = (i / 4096) & 0xff;
    const store = createLocalStore({ dir });
    const { hash } = await store.put(blob);
    const warm = await serveAndMeasure(store, hash, 4); // verified when put: streamed, never hashed again
    const cold = await serveAndMeasure(createLocalStore({ dir }), hash, 4); // a restart: verified once, in the worker
    return {
      ssrfReached: cases.some((c) => c.reached),
      eventLoopMaxBlockMs: Math.round(Math.max(cold, warm) * 10) / 10,
      cases,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const result = await measureFetchHostility();
  console.log(JSON.stringify({ ...result, seconds: Math.round((Date.now() - started) / 100) / 10 }, null, 2));
}
