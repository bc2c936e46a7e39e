// Issue 12: a job's URIs are written by strangers. Fetching them must not reach the fetcher's own
// machine or network (SSRF), and serving content must not hash big blobs on the event loop.
import { expect } from "chai";
import { utimes } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { keccak256 } from "viem";

import { createAddressPolicy, embeddedIpv4, isPublicAddress } from "./address-policy.ts";
import { ContentUnavailableError, ContentUriRefusedError, UnsupportedUriError } from "./errors.ts";
import { fetchVerified } from "./fetch-verified.ts";
import { hashCallCount } from "./hash-async.ts";
import { httpGetVerified } from "./http-get.ts";
import { createLocalStore } from "./local.ts";
import { createContentServer } from "./server.ts";
import { makeTempDir, rejectionOf, testBytes } from "../../../testkit/store.ts";

const SECRET = new TextEncoder().encode("internal admin page");
const SECRET_HASH = keccak256(SECRET);

/** A loopback server that counts every request it receives (the thing an SSRF would reach). */
async function startSecret(host = "127.0.0.1", reply?: (path: string, res: import("node:http").ServerResponse) => void) {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    if (reply) return reply(req.url ?? "/", res);
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(SECRET);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("fetching content that cannot be aimed inward", function () {
  let secret: Awaited<ReturnType<typeof startSecret>>;
  beforeEach(async () => (secret = await startSecret()));
  afterEach(() => secret.close());

  it("refuses every loopback form by default, without sending a request", async function () {
    const p = secret.port;
    const forms = [
      `http://127.0.0.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f.1:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://127.1:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      `http://[::1]:${p}/`,
      `http://localhost:${p}/`,
      `http://0.0.0.0:${p}/`,
      `https://127.0.0.1:${p}/`,
    ];
    for (const uri of forms) {
      const error = await rejectionOf(fetchVerified(uri, SECRET_HASH));
      expect(error, uri).to.be.instanceOf(ContentUriRefusedError);
      const refused = error as ContentUriRefusedError;
      expect(refused.uri).to.equal(new URL(uri).href);
      expect(refused.address, uri).to.be.a("string");
      expect(refused.details).to.match(/allowHosts|allowPrivateNetworks/);
    }
    expect(secret.hits()).to.equal(0);
  });

  it("reaches loopback only when allowed (allowHosts by address or name, or allowPrivateNetworks)", async function () {
    const uri = `http://127.0.0.1:${secret.port}/`;
    expect(await fetchVerified(uri, SECRET_HASH, { allowHosts: ["127.0.0.1"] })).to.deep.equal(SECRET);
    expect(await fetchVerified(uri, SECRET_HASH, { allowHosts: ["127.0.0.0/8"] })).to.deep.equal(SECRET);
    expect(await fetchVerified(`http://localhost:${secret.port}/`, SECRET_HASH, { allowHosts: ["LocalHost"] })).to.deep.equal(SECRET);
    expect(await fetchVerified(uri, SECRET_HASH, { allowPrivateNetworks: true })).to.deep.equal(SECRET);
    // An allowed name does not allow other names that resolve to the same address.
    expect(
      await rejectionOf(fetchVerified(`http://localhost:${secret.port}/`, SECRET_HASH, { allowHosts: ["example.test"] })),
    ).to.be.instanceOf(ContentUriRefusedError);
    expect(secret.hits()).to.equal(4);
  });

  it("vets every redirect target: a redirect to loopback is refused, loops and long chains end", async function () {
    // The redirector is allowed (127.0.0.2 is loopback too, so only by the allow-list); its target is not.
    let target = "";
    const redirector = await startSecret("127.0.0.2", (path, res) => {
      if (path === "/loop") res.writeHead(302, { location: "/loop2" }).end();
      else if (path === "/loop2") res.writeHead(302, { location: "/loop" }).end();
      else if (path.startsWith("/chain/")) res.writeHead(302, { location: `/chain/${Number(path.slice(7)) + 1}` }).end();
      else if (path === "/file") res.writeHead(302, { location: "file:///etc/passwd" }).end();
      else res.writeHead(307, { location: target }).end();
    });
    try {
      const options = { allowHosts: ["127.0.0.2"] };
      const base = `http://127.0.0.2:${redirector.port}`;
      for (target of [
        `http://127.0.0.1:${secret.port}/`,
        `http://2130706433:${secret.port}/`,
        `http://[::ffff:127.0.0.1]:${secret.port}/`,
      ]) {
        const error = await rejectionOf(fetchVerified(`${base}/go`, SECRET_HASH, options));
        expect(error, target).to.be.instanceOf(ContentUriRefusedError);
      }
      expect(secret.hits()).to.equal(0);
      // With the target allowed too, the same redirect is followed.
      target = `http://127.0.0.1:${secret.port}/`;
      expect(await fetchVerified(`${base}/go`, SECRET_HASH, { allowHosts: ["127.0.0.2", "127.0.0.1"] })).to.deep.equal(SECRET);
      expect(secret.hits()).to.equal(1);

      const loop = await rejectionOf(fetchVerified(`${base}/loop`, SECRET_HASH, options));
      expect(loop).to.be.instanceOf(ContentUnavailableError);
      expect((loop as ContentUnavailableError).details).to.match(/loop/i);
      const chain = await rejectionOf(fetchVerified(`${base}/chain/0`, SECRET_HASH, { ...options, maxRedirects: 3 }));
      expect((chain as ContentUnavailableError).details).to.match(/More than 3 redirects/);
      const file = await rejectionOf(fetchVerified(`${base}/file`, SECRET_HASH, { ...options, allowFileUris: true }));
      expect(file).to.be.instanceOf(UnsupportedUriError);
    } finally {
      await redirector.close();
    }
  });

  it("refuses names that resolve to private addresses, and names with any private address", async function () {
    const answers: Record<string, string[]> = {
      "intranet.test": ["10.1.2.3"],
      "metadata.test": ["169.254.169.254"],
      "cgnat.test": ["100.64.0.1"],
      "mixed.test": ["93.184.216.34", "192.168.1.1"],
      "ula.test": ["fd00::1"],
      "mapped.test": ["::ffff:10.0.0.1"],
      "public.test": ["93.184.216.34"],
    };
    const policy = createAddressPolicy({}, async (name) =>
      (answers[name] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );
    for (const name of Object.keys(answers).filter((n) => n !== "public.test")) {
      const error = await rejectionOf(policy.vet(new URL(`http://${name}/x`), `http://${name}/x`));
      expect(error, name).to.be.instanceOf(ContentUriRefusedError);
      expect((error as ContentUriRefusedError).address).to.equal(answers[name]!.find((a) => !isPublicAddress(a)));
    }
    expect(await policy.vet(new URL("http://public.test/x"), "http://public.test/x")).to.deep.equal({
      address: "93.184.216.34",
      family: 4,
    });
    const unresolved = await rejectionOf(policy.vet(new URL("http://nothing.test/"), "http://nothing.test/"));
    expect(unresolved).to.be.instanceOf(ContentUnavailableError);
  });

  it("connects to the vetted address only (a second DNS answer cannot swap it)", async function () {
    // "pinned.test" resolves nowhere for the system; the policy's one answer is what is used.
    let lookups = 0;
    const policy = createAddressPolicy({ allowHosts: ["pinned.test"] }, async () => {
      lookups++;
      return [{ address: "127.0.0.1", family: 4 }];
    });
    const bytes = await httpGetVerified(`http://pinned.test:${secret.port}/`, SECRET_HASH, { addressPolicy: policy });
    expect(bytes).to.deep.equal(SECRET);
    expect(lookups).to.equal(1);
  });

  it("times out a host name that never resolves (the resolver cannot stall a fetch past its timeout)", async function () {
    const policy = createAddressPolicy({}, () => new Promise(() => {}));
    const error = await rejectionOf(httpGetVerified("http://stuck.test/x", SECRET_HASH, { addressPolicy: policy, timeoutMs: 200 }));
    expect(error).to.be.instanceOf(ContentUnavailableError);
    expect((error as ContentUnavailableError).timedOut).to.equal(true);
  });

  it("classifies addresses: public, and every non-public range in its IPv4 and IPv6 forms", function () {
    for (const a of ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:93.184.216.34"])
      expect(isPublicAddress(a), a).to.equal(true);
    for (const a of [
      "127.0.0.1",
      "127.255.255.254",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.127.255.255",
      "0.0.0.0",
      "0.1.2.3",
      "224.0.0.1",
      "239.255.255.250",
      "255.255.255.255",
      "240.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fe80::1%eth0",
      "fc00::1",
      "fd12:3456::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "::127.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "2002:c0a8:0101::1",
      "not an address",
    ])
      expect(isPublicAddress(a), a).to.equal(false);
    expect(embeddedIpv4("::ffff:7f00:1")).to.equal("127.0.0.1");
    expect(embeddedIpv4("64:ff9b::7f00:1")).to.equal("127.0.0.1");
    expect(embeddedIpv4("2606:4700::1111")).to.equal(undefined);
    expect(isPublicAddress("172.32.0.1")).to.equal(true);
    expect(isPublicAddress("100.128.0.1")).to.equal(true);
  });
});

describe("serving stored content", function () {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => (temp = await makeTempDir()));
  afterEach(() => temp.remove());

  it("streams verified content from disk without hashing it again, and verifies a cold blob once", async function () {
    this.timeout(30_000);
    const bytes = testBytes(4 * 1024 * 1024, 21);
    const store = createLocalStore({ dir: temp.path });
    const { hash } = await store.put(bytes);
    const server = createContentServer({ store });
    const url = await server.start();
    try {
      const before = hashCallCount();
      const bodies = await Promise.all(
        [1, 2, 3, 4].map(async () => new Uint8Array(await (await fetch(`${url}/content/${hash}`)).arrayBuffer())),
      );
      for (const body of bodies) expect(body).to.deep.equal(bytes);
      expect(hashCallCount() - before, "hashes while serving verified content").to.equal(0);
    } finally {
      await server.close();
    }

    // Another process (a restart): the blob is verified once, in the worker, for four parallel GETs.
    const fresh = createLocalStore({ dir: temp.path });
    const again = createContentServer({ store: fresh });
    const url2 = await again.start();
    try {
      const before = hashCallCount();
      const statuses = await Promise.all([1, 2, 3, 4].map(async () => (await fetch(`${url2}/content/${hash}`)).status));
      expect(statuses).to.deep.equal([200, 200, 200, 200]);
      expect(hashCallCount() - before).to.equal(1);
    } finally {
      await again.close();
    }
  });

  it("prunes blobs older than the retention unless an open job needs them", async function () {
    const store = createLocalStore({ dir: temp.path });
    const old = await store.put(testBytes(100, 1));
    const kept = await store.put(testBytes(100, 2));
    const recent = await store.put(testBytes(100, 3));
    const longAgo = new Date(Date.now() - 10 * 24 * 3600_000);
    for (const { hash } of [old, kept]) await utimes(join(temp.path, hash), longAgo, longAgo);
    const pruned = await store.prune({ olderThan: Date.now() - 24 * 3600_000, keep: new Set([kept.hash]) });
    expect(pruned).to.deep.equal({ removed: 1, bytes: 100 });
    expect(await store.has(old.hash)).to.equal(false);
    expect(await store.has(kept.hash)).to.equal(true);
    expect(await store.has(recent.hash)).to.equal(true);
  });

  it("prunes only the hashes given in `only` (outputs of finalized jobs), whatever their age", async function () {
    const store = createLocalStore({ dir: temp.path });
    const output = await store.put(testBytes(100, 4));
    const shared = await store.put(testBytes(100, 5));
    const other = await store.put(testBytes(100, 6));
    const only = new Set([output.hash, shared.hash]);
    expect(await store.prune({ olderThan: Date.now() + 1, keep: new Set([shared.hash]), only })).to.deep.equal({ removed: 1, bytes: 100 });
    expect([await store.has(output.hash), await store.has(shared.hash), await store.has(other.hash)]).to.deep.equal([false, true, true]);
  });
});
