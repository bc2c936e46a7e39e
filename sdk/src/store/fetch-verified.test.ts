import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { keccak256 } from "viem";

import {
  ContentHashMismatchError,
  ContentNotFoundError,
  ContentTooLargeError,
  ContentUnavailableError,
  UnsupportedUriError,
} from "./errors.ts";
import { fetchVerified } from "./fetch-verified.ts";
import { createLocalStore, type LocalStore } from "./local.ts";
import { createContentServer, type ContentServer } from "./server.ts";
import { makeTempDir, rejectionOf, testBytes, unusedPort } from "../../../testkit/store.ts";
import { contentUri, httpContentUri, localContentUri } from "./uri.ts";

/** file: URIs are read only when asked; the test's content server is on loopback. */
const FILES = { allowFileUris: true } as const;
const LOCAL = { allowHosts: ["127.0.0.1"] };

describe("fetchVerified", function () {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let store: LocalStore;
  let server: ContentServer;
  let serverUrl: string;

  before(async function () {
    temp = await makeTempDir();
    store = createLocalStore({ dir: temp.path });
    server = createContentServer({ store });
    serverUrl = await server.start();
  });

  after(async function () {
    await server.close();
    await temp.remove();
  });

  it("reads a file:// URI and verifies it", async function () {
    const bytes = testBytes(3000, 11);
    const { hash, uri } = await store.put(bytes);
    expect(uri.startsWith("file:///")).to.equal(true);
    expect(await fetchVerified(uri, hash, FILES)).to.deep.equal(bytes);
    // Not read by default: job URIs come from strangers.
    expect(await rejectionOf(fetchVerified(uri, hash))).to.be.instanceOf(UnsupportedUriError);
  });

  it("catches a tampered file and a file that is not the expected content", async function () {
    const bytes = testBytes(512, 12);
    const { hash, uri } = await store.put(bytes);
    const other = await store.put(testBytes(512, 13));
    expect(await rejectionOf(fetchVerified(other.uri, hash, FILES))).to.be.instanceOf(ContentHashMismatchError);

    await writeFile(join(temp.path, hash), Buffer.concat([bytes.subarray(0, 511), Buffer.from([bytes[511] ^ 1])]));
    const error = await rejectionOf(fetchVerified(uri, hash, FILES));
    expect(error).to.be.instanceOf(ContentHashMismatchError);
    expect((error as ContentHashMismatchError).source).to.equal(uri);
    await store.put(bytes);
  });

  it("reports a missing file as not found and applies the size cap", async function () {
    const missing = keccak256(new TextEncoder().encode("never stored"));
    expect(await rejectionOf(fetchVerified(store.uriFor(missing), missing, FILES))).to.be.instanceOf(ContentNotFoundError);
    const { hash, uri } = await store.put(testBytes(1000, 14));
    expect(await rejectionOf(fetchVerified(uri, hash, { ...FILES, maxBytes: 999 }))).to.be.instanceOf(ContentTooLargeError);
  });

  it("refuses what is not a regular file, and file URIs when they are disabled", async function () {
    const hash = keccak256(new Uint8Array(1));
    const device = await rejectionOf(fetchVerified("file:///dev/zero", hash, FILES));
    expect(device).to.be.instanceOf(ContentUnavailableError);
    expect((device as ContentUnavailableError).retryable).to.equal(false);
    expect(await rejectionOf(fetchVerified(`file://${temp.path}`, hash, FILES))).to.be.instanceOf(ContentUnavailableError);

    const { hash: stored, uri } = await store.put(testBytes(10, 16));
    const disabled = await rejectionOf(fetchVerified(uri, stored, { allowFileUris: false }));
    expect(disabled).to.be.instanceOf(UnsupportedUriError);
    expect((disabled as UnsupportedUriError).scheme).to.equal("file:");
  });

  it("GETs an http:// URI and verifies it", async function () {
    const bytes = testBytes(20_000, 15);
    const { hash } = await store.put(bytes);
    const uri = httpContentUri(serverUrl, hash);
    expect(await fetchVerified(uri, hash, LOCAL)).to.deep.equal(bytes);

    const wrong = keccak256(new TextEncoder().encode("a different program"));
    const mismatch = await rejectionOf(fetchVerified(uri, wrong, LOCAL));
    expect(mismatch).to.be.instanceOf(ContentHashMismatchError);
    expect((mismatch as ContentHashMismatchError).actualHash).to.equal(hash);
    expect(await rejectionOf(fetchVerified(uri, hash, { ...LOCAL, maxBytes: 19_999 }))).to.be.instanceOf(ContentTooLargeError);
  });

  it("reports an unreachable http server as a retryable failure", async function () {
    const hash = keccak256(new Uint8Array(1));
    const error = await rejectionOf(fetchVerified(`http://127.0.0.1:${await unusedPort()}/content/${hash}`, hash, LOCAL));
    expect(error).to.be.instanceOf(ContentUnavailableError);
    expect((error as ContentUnavailableError).retryable).to.equal(true);
  });

  it("rejects unknown schemes and non-URIs", async function () {
    const hash = keccak256(new Uint8Array(1));
    const ipfs = await rejectionOf(fetchVerified("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", hash));
    expect(ipfs).to.be.instanceOf(UnsupportedUriError);
    expect((ipfs as UnsupportedUriError).scheme).to.equal("ipfs:");
    const notUri = await rejectionOf(fetchVerified("outputs/result.bin", hash));
    expect(notUri).to.be.instanceOf(UnsupportedUriError);
    expect((notUri as UnsupportedUriError).scheme).to.equal(undefined);
    expect(await rejectionOf(fetchVerified("file://fileserver/share/x", hash, FILES))).to.be.instanceOf(UnsupportedUriError);
  });

  it("verifies what a custom scheme resolver returns", async function () {
    const bytes = new TextEncoder().encode("from a custom resolver");
    const resolvers = { "demo:": async (uri: URL) => new TextEncoder().encode(uri.pathname) };
    expect(await fetchVerified("demo:from a custom resolver", keccak256(bytes), { resolvers })).to.deep.equal(bytes);
    const error = await rejectionOf(fetchVerified("demo:something else", keccak256(bytes), { resolvers }));
    expect(error).to.be.instanceOf(ContentHashMismatchError);
  });
});

describe("content URIs", function () {
  const hash = keccak256(new TextEncoder().encode("uri"));

  it("builds the canonical URI of a hash in each kind of store", function () {
    expect(localContentUri("/var/lib/hashwork", hash)).to.equal(`file:///var/lib/hashwork/${hash}`);
    expect(localContentUri("/tmp/with space", hash)).to.equal(`file:///tmp/with%20space/${hash}`);
    expect(httpContentUri("http://127.0.0.1:8080/", hash)).to.equal(`http://127.0.0.1:8080/content/${hash}`);
    expect(httpContentUri("https://p.example/hashwork//", hash)).to.equal(`https://p.example/hashwork/content/${hash}`);
    expect(contentUri(createLocalStore({ dir: "/data" }), hash)).to.equal(`file:///data/${hash}`);
    expect(() => httpContentUri("http://127.0.0.1:8080", "0x12")).to.throw("Invalid content hash");
  });
});
