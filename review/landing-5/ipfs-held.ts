/**
 * Landing review 5, what held: hostile IPFS gateways against `createIpfsResolver` +
 * `fetchVerified`. Each test PASSES WHILE THE DEFENCE HOLDS. Real HTTP servers on 127.0.0.1.
 *
 * Attacks: a gateway that trickles its reply forever (the timeout covers the body); one that
 * streams without end (the size cap stops it, not memory); one that serves wrong bytes for a raw
 * CID, or a CAR with one block changed (refused, and the next gateway is asked); a CAR of the
 * right DAG for another file (the job's keccak256 still refuses it).
 */
import { expect } from "chai";
import type { ServerResponse } from "node:http";
import { keccak256 } from "viem";

import {
  ContentTooLargeError,
  ContentUnavailableError,
  IpfsBlockMismatchError,
  buildIpfsDag,
  createIpfsResolver,
  encodeCar,
  fetchVerified,
  ipfsUri,
} from "../../sdk/src/store/index.ts";
import { startRawServer, testBytes } from "../../testkit/store.ts";

type Gateway = Awaited<ReturnType<typeof startRawServer>>;
const started: Gateway[] = [];
async function gateway(handler: (res: ServerResponse, url: string) => void): Promise<string> {
  const g = await startRawServer((req, res) => handler(res, req.url ?? "/"));
  started.push(g);
  return g.url;
}

async function attempt(run: () => Promise<Uint8Array>) {
  const t = performance.now();
  try {
    return { bytes: await run(), ms: performance.now() - t };
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
}

describe("landing review 5: hostile IPFS gateways (held)", function () {
  this.timeout(30_000);
  const small = testBytes(10_000, 5); // one raw block
  const large = testBytes(3 * 1024 * 1024, 6); // a dag-pb root over 3 raw leaves

  afterEach(async function () {
    while (started.length > 0) await started.pop()!.close();
  });

  it("a gateway that trickles one byte every 100 ms is cut off at the timeout", async function () {
    const cid = (await buildIpfsDag(small)).cid;
    const url = await gateway((res) => {
      res.writeHead(200, { "content-type": "application/vnd.ipld.raw" });
      const timer = setInterval(() => res.write(new Uint8Array([1])), 100);
      res.on("close", () => clearInterval(timer));
    });
    const resolvers = { "ipfs:": createIpfsResolver({ gateways: [url], timeoutMs: 800 }) };
    const r = await attempt(() => fetchVerified(ipfsUri(cid), keccak256(small), { resolvers }));
    expect(r.error).to.be.instanceOf(ContentUnavailableError);
    expect(r.ms).to.be.below(3_000);
  });

  it("a gateway that streams without end is stopped at the size cap", async function () {
    const cid = (await buildIpfsDag(large)).cid;
    const url = await gateway((res) => {
      res.writeHead(200, { "content-type": "application/vnd.ipld.car" });
      const chunk = new Uint8Array(64 * 1024);
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on("drain", pump);
      pump();
    });
    const resolvers = { "ipfs:": createIpfsResolver({ gateways: [url], timeoutMs: 10_000 }) };
    const r = await attempt(() => fetchVerified(ipfsUri(cid), keccak256(large), { resolvers, maxBytes: 4 * 1024 * 1024 }));
    expect(r.error).to.be.instanceOf(ContentTooLargeError);
  });

  it("wrong bytes for a raw CID, then a CAR with one block changed: both refused; the honest third gateway serves", async function () {
    const dagSmall = await buildIpfsDag(small);
    const dagLarge = await buildIpfsDag(large);
    const wrong = await gateway((res) => res.end(Buffer.from(testBytes(10_000, 7))));
    const tampered = await gateway((res) => {
      const blocks = dagLarge.blocks.map((b, i) => (i === 0 ? { cid: b.cid, bytes: testBytes(b.bytes.byteLength, 9) } : b));
      res.end(Buffer.from(encodeCar(dagLarge.cid, blocks)));
    });
    const honest = await gateway((res, url) =>
      res.end(Buffer.from(url.includes("format=raw") ? small : encodeCar(dagLarge.cid, dagLarge.blocks))),
    );
    const hostileOnly = createIpfsResolver({ gateways: [wrong, tampered] });
    const a = await attempt(() => hostileOnly(new URL(ipfsUri(dagSmall.cid)), { maxBytes: 1 << 22 }));
    const b = await attempt(() => hostileOnly(new URL(ipfsUri(dagLarge.cid)), { maxBytes: 1 << 22 }));
    expect(a.error).to.be.instanceOf(Error);
    expect(b.error).to.be.instanceOf(Error);
    expect([a.error, b.error].some((e) => e instanceof IpfsBlockMismatchError)).to.equal(true);
    const resolvers = { "ipfs:": createIpfsResolver({ gateways: [wrong, tampered, honest] }) };
    const got = await fetchVerified(ipfsUri(dagLarge.cid), keccak256(large), { resolvers, maxBytes: 1 << 22 });
    expect(keccak256(got)).to.equal(keccak256(large));
  });

  it("the right DAG for other bytes: the job's keccak256 refuses it", async function () {
    const other = await buildIpfsDag(small);
    const url = await gateway((res) => res.end(Buffer.from(small)));
    const resolvers = { "ipfs:": createIpfsResolver({ gateways: [url] }) };
    const r = await attempt(() => fetchVerified(ipfsUri(other.cid), keccak256(large), { resolvers }));
    expect(r.error).to.be.instanceOf(Error);
    expect((r.error as Error).name).to.match(/Mismatch/);
  });
});
