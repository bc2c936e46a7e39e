import { expect } from "chai";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak256, type Hex } from "viem";

import { ContentHashMismatchError, ContentNotFoundError, ContentTooLargeError, InvalidContentHashError } from "./errors.ts";
import { createLocalStore } from "./local.ts";
import { makeTempDir, rejectionOf, testBytes } from "../../../testkit/store.ts";

describe("createLocalStore", function () {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;

  beforeEach(async function () {
    temp = await makeTempDir();
  });

  afterEach(async function () {
    await temp.remove();
  });

  it("round-trips bytes under their keccak256, in a file named by the hash", async function () {
    const store = createLocalStore({ dir: join(temp.path, "nested", "content") });
    const bytes = testBytes(10_000);
    const { hash, uri } = await store.put(bytes);

    expect(hash).to.equal(keccak256(bytes));
    expect(uri).to.equal(`file://${join(temp.path, "nested", "content", hash)}`);
    expect(new Uint8Array(await readFile(fileURLToPath(uri)))).to.deep.equal(bytes);
    expect(await store.get(hash)).to.deep.equal(bytes);
    expect(await store.has(hash)).to.equal(true);
    expect(await store.size(hash)).to.equal(10_000);
    expect(store.uriFor(hash)).to.equal(uri);
  });

  it("stores empty content and repeated puts, leaving no temporary files", async function () {
    const store = createLocalStore({ dir: temp.path });
    const empty = await store.put(new Uint8Array(0));
    expect(await store.get(empty.hash)).to.deep.equal(new Uint8Array(0));

    const bytes = testBytes(3000, 7);
    const results = await Promise.all([store.put(bytes), store.put(bytes), store.put(bytes)]);
    expect(new Set(results.map((r) => r.hash)).size).to.equal(1);
    expect(await store.get(results[0].hash)).to.deep.equal(bytes);
    expect((await readdir(temp.path)).sort()).to.deep.equal([empty.hash, results[0].hash].sort());
  });

  it("catches a byte altered on disk and returns no data", async function () {
    const store = createLocalStore({ dir: temp.path });
    const bytes = testBytes(4096, 3);
    const { hash, uri } = await store.put(bytes);
    const path = join(temp.path, hash);
    const onDisk = await readFile(path);
    onDisk[1234] ^= 0x01;
    await writeFile(path, onDisk);

    const error = await rejectionOf(store.get(hash));
    expect(error).to.be.instanceOf(ContentHashMismatchError);
    const mismatch = error as ContentHashMismatchError;
    expect(mismatch.expectedHash).to.equal(hash);
    expect(mismatch.actualHash).to.equal(keccak256(onDisk));
    expect(mismatch.source).to.equal(uri);
  });

  it("repairs a corrupted blob when the same content is put again", async function () {
    const store = createLocalStore({ dir: temp.path });
    const bytes = testBytes(256, 4);
    const { hash } = await store.put(bytes);
    await writeFile(join(temp.path, hash), "garbage");
    await store.put(bytes);
    expect(await store.get(hash)).to.deep.equal(bytes);
  });

  it("reports unknown content as not found", async function () {
    const store = createLocalStore({ dir: join(temp.path, "never-created") });
    const hash = keccak256(new TextEncoder().encode("absent"));
    const error = await rejectionOf(store.get(hash));
    expect(error).to.be.instanceOf(ContentNotFoundError);
    expect((error as ContentNotFoundError).hash).to.equal(hash);
    expect(await store.has(hash)).to.equal(false);
    expect(await rejectionOf(store.size(hash))).to.be.instanceOf(ContentNotFoundError);
  });

  it("rejects malformed hashes, including path tricks, before touching the disk", async function () {
    const store = createLocalStore({ dir: temp.path });
    for (const bad of ["0x1234", "../../etc/passwd", `0x${"g".repeat(64)}`, `${"a".repeat(66)}`, ""]) {
      expect(await rejectionOf(store.get(bad as Hex))).to.be.instanceOf(InvalidContentHashError);
      expect(await rejectionOf(store.has(bad as Hex))).to.be.instanceOf(InvalidContentHashError);
    }
  });

  it("accepts an uppercase hash as the same address", async function () {
    const store = createLocalStore({ dir: temp.path });
    const bytes = testBytes(100, 9);
    const { hash } = await store.put(bytes);
    const upper = `0x${hash.slice(2).toUpperCase()}` as Hex;
    expect(await store.get(upper)).to.deep.equal(bytes);
    expect(store.uriFor(upper)).to.equal(store.uriFor(hash));
  });

  it("refuses content past a per-call size cap", async function () {
    const store = createLocalStore({ dir: temp.path });
    const { hash } = await store.put(testBytes(2048, 5));
    const error = await rejectionOf(store.get(hash, { maxBytes: 2047 }));
    expect(error).to.be.instanceOf(ContentTooLargeError);
    expect((error as ContentTooLargeError).size).to.equal(2048);
    expect(await store.get(hash, { maxBytes: 2048 })).to.have.length(2048);
  });
});
