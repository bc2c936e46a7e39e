import { expect } from "chai";
import { createCipheriv, createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import type { MultihashDigest } from "multiformats/hashes/interface";
import { sha256, sha512 } from "multiformats/hashes/sha2";
import { keccak256 } from "viem";

import {
  ContentHashMismatchError,
  ContentTooLargeError,
  ContentUnavailableError,
  ContentUploadRefusedError,
  InvalidIpfsDagError,
  IpfsBlockMismatchError,
  UnsupportedUriError,
} from "./errors.ts";
import { fetchVerified } from "./fetch-verified.ts";
import { createHttpStore } from "./http.ts";
import { encodeCar, readCarBlocks } from "./ipfs-car.ts";
import { buildIpfsDag, computeCid, ipfsUri, parseIpfsUri, type IpfsBlock } from "./ipfs-cid.ts";
import { MAX_IPFS_DAG_NODES, readUnixfsFile } from "./ipfs-dag.ts";
import { createLocalStore, type LocalStore } from "./local.ts";
import { createContentServer, type ContentServer } from "./server.ts";
import { expectRejection } from "../../../testkit/assertions.ts";
import { makeTempDir, startRawServer, testBytes, unusedPort } from "../../../testkit/store.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * Kubo's deterministic test bytes (`IPFSAddDeterministicBytes`): the ChaCha20 key stream (key =
 * sha256(seed), zero nonce, counter 0), which its IPIP-499 profile tests hash into known CIDs.
 */
function kuboDeterministicBytes(size: number, seed: string): Uint8Array {
  const key = createHash("sha256").update(seed).digest();
  return new Uint8Array(createCipheriv("chacha20", key, Buffer.alloc(16)).update(Buffer.alloc(size)));
}

/** sha2-256 (or sha2-512) of `bytes`: synchronous in Node. */
const digestOf = (bytes: Uint8Array, hasher: typeof sha256 | typeof sha512 = sha256) => hasher.digest(bytes) as MultihashDigest;

/** A dag-pb UnixFS file node over `links` (each with its size), as a hostile gateway would craft it. */
function fileNode(links: Array<{ cid: CID; size: number }>): IpfsBlock {
  const unixfs = new UnixFS({ type: "file", blockSizes: links.map((l) => BigInt(l.size)) });
  const bytes = dagPb.encode(dagPb.prepare({ Data: unixfs.marshal(), Links: links.map((l) => ({ Hash: l.cid, Tsize: l.size })) }));
  return { cid: CID.createV1(dagPb.code, digestOf(bytes)), bytes };
}

function rawBlock(bytes: Uint8Array): IpfsBlock {
  return { cid: CID.createV1(0x55, digestOf(bytes)), bytes };
}

describe("IPFS content (CIDs, the content server's gateway, verified fetch)", function () {
  describe("CIDs (unixfs-v1-2025: CIDv1, sha2-256, 1 MiB raw leaves)", function () {
    it("match the CIDs the IPFS docs and Kubo's IPIP-499 profile tests give", async function () {
      // "hello world" and the empty file: the raw-leaf CIDs `ipfs add --cid-version 1` prints.
      expect(await computeCid(utf8("hello world"))).to.equal("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
      expect(await computeCid(new Uint8Array())).to.equal("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
      // Kubo test/cli/cid_profiles_test.go, unixfs-v1-2025: a file at the chunk size is one raw
      // block, one byte more a dag-pb root over two raw leaves.
      expect(await computeCid(kuboDeterministicBytes(1048576, "chunk-v1-seed"))).to.equal(
        "bafkreiacndfy443ter6qr2tmbbdhadvxxheowwf75s6zehscklu6ezxmta",
      );
      const over = await buildIpfsDag(kuboDeterministicBytes(1048577, "chunk-v1-seed"));
      expect(over.cid.toString()).to.equal("bafybeigmix7t42i6jacydtquhet7srwvgpizfg7gjbq7627d35mjomtu64");
      expect(over.blocks.map((b) => b.cid.code)).to.deep.equal([0x55, 0x55, 0x70]);
    });

    it("parse only ipfs://<CIDv1> of sha2-256 raw or dag-pb content", function () {
      const hello = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
      expect(parseIpfsUri(`ipfs://${hello}`).toString()).to.equal(hello);
      expect(ipfsUri(hello)).to.equal(`ipfs://${hello}`);
      const refused = (uri: string) => {
        try {
          parseIpfsUri(uri);
        } catch (error) {
          expect(error).to.be.instanceOf(UnsupportedUriError);
          return (error as UnsupportedUriError).details ?? "";
        }
        expect.fail(`${uri} was accepted`);
      };
      expect(refused("ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")).to.match(/CIDv1 form \(bafy/);
      expect(refused(`ipfs://${hello}/file.txt`)).to.match(/no path/);
      expect(refused("ipfs://not-a-cid")).to.match(/not a CID/);
      // The same bytes under sha2-512, and as dag-cbor.
      expect(refused(`ipfs://${CID.createV1(0x55, digestOf(utf8("hello world"), sha512))}`)).to.match(/sha2-256/);
      expect(refused(`ipfs://${CID.createV1(0x71, digestOf(utf8("hello world")))}`)).to.match(/raw and dag-pb/);
    });
  });

  describe("through the content server's trustless gateway", function () {
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    let store: LocalStore;
    let server: ContentServer;
    let gateway: string;
    const closers: Array<() => Promise<void>> = [];

    before(async function () {
      temp = await makeTempDir();
      store = createLocalStore({ dir: temp.path });
      server = createContentServer({ store, allowUploads: true });
      gateway = await server.start();
    });

    after(async function () {
      await Promise.all(closers.map((close) => close()));
      await server.close();
      await temp.remove();
    });

    /** Puts `bytes` in the store, records its CID, returns both names. */
    async function publish(bytes: Uint8Array) {
      const { hash } = await store.put(bytes);
      const cid = await computeCid(bytes);
      await store.recordCid(cid, hash);
      return { hash, cid, uri: ipfsUri(cid) };
    }

    /** A gateway on 127.0.0.1 answering every request with `reply`. */
    async function hostileGateway(reply: (response: ServerResponse, url: URL) => void): Promise<string> {
      const raw = await startRawServer((request, response) => reply(response, new URL(request.url ?? "/", "http://x")));
      closers.push(raw.close);
      return raw.url;
    }

    it("serves a small file as one raw block, and the daemon's fetch verifies it", async function () {
      const bytes = testBytes(5000, 7);
      const { hash, cid, uri } = await publish(bytes);
      expect(cid).to.match(/^bafkrei/);

      const raw = await fetch(`${gateway}/ipfs/${cid}?format=raw`);
      expect(raw.status).to.equal(200);
      expect(raw.headers.get("content-type")).to.equal("application/vnd.ipld.raw");
      expect(new Uint8Array(await raw.arrayBuffer())).to.deep.equal(bytes);
      const byAccept = await fetch(`${gateway}/ipfs/${cid}`, { headers: { accept: "application/vnd.ipld.car" } });
      expect(byAccept.headers.get("content-type")).to.equal("application/vnd.ipld.car; version=1");
      expect((await byAccept.arrayBuffer()).byteLength).to.be.greaterThan(bytes.byteLength);

      const fetched = await fetchVerified(uri, hash, { ipfsGateways: [gateway] });
      expect(fetched).to.deep.equal(bytes);
    });

    it("serves a multi-block file as a CAR whose every block and layout check out", async function () {
      const bytes = testBytes(2 * 1024 * 1024 + 5, 9);
      const { hash, cid, uri } = await publish(bytes);
      expect(cid).to.match(/^bafybei/);

      const car = new Uint8Array(await (await fetch(`${gateway}/ipfs/${cid}?format=car`)).arrayBuffer());
      const blocks = await readCarBlocks(car, CID.parse(cid), gateway);
      expect(blocks.size).to.equal(4); // two 1 MiB leaves, a 5-byte one and the root
      expect(blocks.has(cid)).to.equal(true);
      const plain = await fetch(`${gateway}/ipfs/${cid}`);
      expect(new Uint8Array(await plain.arrayBuffer())).to.deep.equal(bytes);

      expect(await fetchVerified(uri, hash, { ipfsGateways: [gateway] })).to.deep.equal(bytes);
      expect(await createHttpStore({ baseUrl: gateway }).get(hash)).to.deep.equal(bytes);
    });

    it("answers an unknown CID 404, a malformed one 400, an unsupported format 400", async function () {
      const unknown = await computeCid(utf8("never stored"));
      expect((await fetch(`${gateway}/ipfs/${unknown}?format=raw`)).status).to.equal(404);
      expect((await fetch(`${gateway}/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o?format=raw`)).status).to.equal(400);
      const { cid } = await publish(utf8("formats"));
      expect((await fetch(`${gateway}/ipfs/${cid}?format=tar`)).status).to.equal(400);
      expect((await fetch(`${gateway}/ipfs/${cid}?format=car&dag-scope=entity`)).status).to.equal(400);
    });

    it("records a CID over HTTP only for the content it names", async function () {
      const bytes = testBytes(2000, 11);
      const client = createHttpStore({ baseUrl: gateway });
      const { hash } = await client.put(bytes);
      const wrong = await computeCid(utf8("other content"));
      const refused = await expectRejection(client.recordCid(wrong, hash), ContentUploadRefusedError);
      expect(refused.status).to.equal(400);
      const cid = await computeCid(bytes);
      await client.recordCid(cid, hash);
      expect(await store.hashOfCid(cid)).to.equal(hash);
      const readOnly = createContentServer({ store });
      const readOnlyUrl = await readOnly.start();
      closers.push(() => readOnly.close());
      expect(
        (await expectRejection(createHttpStore({ baseUrl: readOnlyUrl }).recordCid(cid, hash), ContentUploadRefusedError)).status,
      ).to.equal(403);
    });

    it("refuses a gateway that returns a wrong raw block, and takes the next gateway's right one", async function () {
      const bytes = testBytes(4000, 13);
      const { hash, uri } = await publish(bytes);
      const liar = await hostileGateway((response) => {
        const tampered = bytes.slice();
        tampered[100] ^= 1;
        response.writeHead(200, { "content-type": "application/vnd.ipld.raw" }).end(tampered);
      });
      const error = await expectRejection(fetchVerified(uri, hash, { ipfsGateways: [liar] }), IpfsBlockMismatchError);
      expect(error.source).to.equal(liar);
      expect(await fetchVerified(uri, hash, { ipfsGateways: [liar, gateway] })).to.deep.equal(bytes);
    });

    it("refuses CARs with a tampered leaf, a missing block, a directory, or a leaf linked past the size cap", async function () {
      const bytes = testBytes(2 * 1024 * 1024 + 3, 17);
      const { hash, cid, uri } = await publish(bytes);
      const dag = await buildIpfsDag(bytes);
      const serve = (car: Uint8Array) => hostileGateway((response) => response.writeHead(200).end(car));

      const tampered = dag.blocks.map((b, i) =>
        i === 0 ? { cid: b.cid, bytes: Uint8Array.from(b.bytes, (x, j) => (j === 5 ? x ^ 1 : x)) } : b,
      );
      await expectRejection(
        fetchVerified(uri, hash, { ipfsGateways: [await serve(encodeCar(dag.cid, tampered))] }),
        IpfsBlockMismatchError,
      );

      const missing = await expectRejection(
        fetchVerified(uri, hash, { ipfsGateways: [await serve(encodeCar(dag.cid, dag.blocks.slice(1)))] }),
        InvalidIpfsDagError,
      );
      expect(missing.reason).to.match(/missing/);

      // Valid blocks that are not a file: a UnixFS directory under the requested CID's name is
      // impossible (its hash differs), so the hostile root is the CID itself, asked for by URI.
      const dirData = new UnixFS({ type: "directory" }).marshal();
      const dirBytes = dagPb.encode(dagPb.prepare({ Data: dirData, Links: [] }));
      const dir: IpfsBlock = { cid: CID.createV1(dagPb.code, digestOf(dirBytes)), bytes: dirBytes };
      const notFile = await expectRejection(
        fetchVerified(ipfsUri(dir.cid), hash, { ipfsGateways: [await serve(encodeCar(dir.cid, [dir]))] }),
        InvalidIpfsDagError,
      );
      expect(notFile.reason).to.match(/directory/);

      // 1 KiB of blocks that expand to 1000 × 64 KiB: stopped at the cap, not assembled.
      const leaf = rawBlock(testBytes(64 * 1024, 19));
      const bomb = fileNode(Array.from({ length: 1000 }, () => ({ cid: leaf.cid, size: leaf.bytes.byteLength })));
      await expectRejection(
        fetchVerified(ipfsUri(bomb.cid), hash, {
          ipfsGateways: [await serve(encodeCar(bomb.cid, [leaf, bomb]))],
          maxBytes: 8 * 1024 * 1024,
        }),
        ContentTooLargeError,
      );
      expect(cid).to.match(/^bafybei/);
    });

    it("checks the bytes against the job's keccak256 too, and gives a retryable error when no gateway answers", async function () {
      const bytes = utf8("a CID that names other bytes than the job's hash");
      const { uri } = await publish(bytes);
      const mismatch = await expectRejection(
        fetchVerified(uri, keccak256(utf8("what the job posted")), { ipfsGateways: [gateway] }),
        ContentHashMismatchError,
      );
      expect(mismatch.actualHash).to.equal(keccak256(bytes));

      const down = `http://127.0.0.1:${await unusedPort()}`;
      const unavailable = await expectRejection(
        fetchVerified(uri, keccak256(bytes), { ipfsGateways: [down], timeoutMs: 2000 }),
        ContentUnavailableError,
      );
      expect(unavailable.retryable).to.equal(true);
      const none = await expectRejection(fetchVerified(uri, keccak256(bytes)), UnsupportedUriError);
      expect(none.details).to.match(/No IPFS gateway is configured/);
    });

    it("caps what a gateway may send: an endless raw body is cut at the limit", async function () {
      const bytes = testBytes(1000, 23);
      const { hash, uri } = await publish(bytes);
      const flood = await hostileGateway((response) => {
        response.writeHead(200);
        const chunk = new Uint8Array(64 * 1024);
        const pump = () => {
          while (response.write(chunk)) {}
          response.once("drain", pump);
        };
        response.on("close", () => response.removeAllListeners("drain"));
        pump();
      });
      await expectRejection(fetchVerified(uri, hash, { ipfsGateways: [flood], maxBytes: 256 * 1024 }), ContentTooLargeError);
    });
  });

  describe("DAG bombs: a few KiB of nodes that link one child many times", function () {
    /** `depth` fan nodes, each linking the one below `fanOut` times, over `leaf`. */
    function fan(leaf: IpfsBlock, fanOut: number, depth: number) {
      const blocks = new Map<string, Uint8Array>([[leaf.cid.toString(), leaf.bytes]]);
      let top = leaf.cid;
      let size = leaf.bytes.byteLength;
      for (let i = 0; i < depth; i++) {
        const node = fileNode(Array.from({ length: fanOut }, () => ({ cid: top, size })));
        blocks.set(node.cid.toString(), node.bytes);
        top = node.cid;
        size *= fanOut;
      }
      return { root: top, blocks };
    }

    it("refuses a link that declares 0 bytes (nodes over an empty leaf would walk without bound)", function () {
      const { root, blocks } = fan(rawBlock(new Uint8Array()), 30, 16);
      expect(() => readUnixfsFile(root, blocks, { maxBytes: 1 << 20, source: "test" })).to.throw(InvalidIpfsDagError, /declares 0 bytes/);
    });

    it(`stops after ${MAX_IPFS_DAG_NODES} node visits, in well under a second, however the DAG fans out`, function () {
      // 8^7 = 2,097,152 one-byte leaves: 2 MiB, under the byte cap; only the visit budget stops it.
      const { root, blocks } = fan(rawBlock(new Uint8Array([7])), 8, 7);
      const started = performance.now();
      expect(() => readUnixfsFile(root, blocks, { maxBytes: 64 << 20, source: "test" })).to.throw(InvalidIpfsDagError, /visits more than/);
      expect(performance.now() - started).to.be.below(5_000);
    });
  });
});
