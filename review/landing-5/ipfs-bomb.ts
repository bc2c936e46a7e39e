/**
 * Landing review 5, finding: an `ipfs://` DAG whose every node links the next one many times
 * ("a DAG bomb"). Each test PASSES WHILE THE DEFENCE HOLDS, so this one FAILS now.
 *
 * `readUnixfsFile` caps the bytes it assembles and the depth (16), but not the number of nodes it
 * walks: nodes that hold zero bytes emit nothing, so the byte cap never trips, and a node linking
 * its child F times makes the walk F^depth. The walk is synchronous, after the gateway's reply has
 * arrived, so the request timeout cannot stop it: the daemon's event loop is blocked.
 */
import { expect } from "chai";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import type { MultihashDigest } from "multiformats/hashes/interface";
import { sha256 } from "multiformats/hashes/sha2";
import { keccak256 } from "viem";

import { encodeCar, fetchVerified, createIpfsResolver, ipfsUri, type IpfsBlock } from "../../sdk/src/store/index.ts";
import { startRawServer } from "../../testkit/store.ts";

const digestOf = (bytes: Uint8Array) => sha256.digest(bytes) as MultihashDigest;

/** A zero-byte UnixFS file node linking `child` (declared 0 bytes) `fanOut` times. */
function fanNode(child: CID, fanOut: number): IpfsBlock {
  const links = Array.from({ length: fanOut }, () => ({ Hash: child, Tsize: 0 }));
  const unixfs = new UnixFS({ type: "file", blockSizes: links.map(() => 0n) });
  const bytes = dagPb.encode(dagPb.prepare({ Data: unixfs.marshal(), Links: links }));
  return { cid: CID.createV1(dagPb.code, digestOf(bytes)), bytes };
}

/** The bomb: an empty raw leaf, then `depth` fan nodes above it; returns the CAR and root. */
function bomb(fanOut: number, depth: number) {
  const empty = new Uint8Array();
  const leaf: IpfsBlock = { cid: CID.createV1(0x55, digestOf(empty)), bytes: empty };
  const blocks: IpfsBlock[] = [leaf];
  let top = leaf.cid;
  for (let i = 0; i < depth; i++) {
    const node = fanNode(top, fanOut);
    blocks.push(node);
    top = node.cid;
  }
  return { root: top, car: encodeCar(top, blocks) };
}

describe("landing review 5: an IPFS DAG bomb", function () {
  this.timeout(120_000);

  it("a gateway reply of a few KiB is rejected in a quarter of a second, whatever its DAG's shape", async function () {
    // 5^8 = 390,625 walks of a 9-node, ~2 KiB CAR. The attack's real size: 100 links per
    // node and depth 16 (a ~60 KiB CAR) is 100^16 walks, i.e. never returns.
    const { root, car } = bomb(5, 8);
    const gateway = await startRawServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/vnd.ipld.car; version=1" });
      res.end(car);
    });
    try {
      const resolvers = { "ipfs:": createIpfsResolver({ gateways: [gateway.url], timeoutMs: 5_000 }) };
      const started = performance.now();
      let error: unknown;
      try {
        // Any job hash: the bytes never get that far.
        await fetchVerified(ipfsUri(root), keccak256(new Uint8Array([1])), { resolvers, maxBytes: 1 << 20 });
      } catch (e) {
        error = e;
      }
      const ms = performance.now() - started;
      console.log(`      CAR ${car.byteLength} bytes, 5^8 walks: rejected after ${ms.toFixed(0)} ms (${(error as Error)?.name})`);
      expect(error, "the fetch must fail").to.be.instanceOf(Error);
      expect(ms, "time spent walking a tiny DAG (a per-DAG node budget would stop it at once)").to.be.below(250);
    } finally {
      await gateway.close();
    }
  });
});
