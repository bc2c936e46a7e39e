import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { keccak256, type Hex } from "viem";

import {
  ContentHashMismatchError,
  ContentNotFoundError,
  ContentTooLargeError,
  ContentUnavailableError,
  ContentUploadRefusedError,
  InvalidContentHashError,
} from "./errors.ts";
import { createHttpStore } from "./http.ts";
import { createLocalStore, type LocalStore } from "./local.ts";
import { createContentServer, type ContentServer, type CreateContentServerParameters } from "./server.ts";
import { makeTempDir, rejectionOf, startRawServer, testBytes, unusedPort } from "../../../testkit/store.ts";
import type { ContentStore } from "./types.ts";

describe("createHttpStore", function () {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let local: LocalStore;
  let cleanups: (() => Promise<void>)[];

  async function serve(options: Partial<CreateContentServerParameters> = {}): Promise<{ url: string; server: ContentServer }> {
    const server = createContentServer({ store: local, ...options });
    cleanups.push(() => server.close());
    return { url: await server.start(), server };
  }

  async function raw(listener: Parameters<typeof startRawServer>[0]): Promise<string> {
    const server = await startRawServer(listener);
    cleanups.push(server.close);
    return server.url;
  }

  beforeEach(async function () {
    temp = await makeTempDir();
    local = createLocalStore({ dir: temp.path });
    cleanups = [];
  });

  afterEach(async function () {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    await temp.remove();
  });

  it("round-trips through a content server that accepts uploads", async function () {
    const { url, server } = await serve({ allowUploads: true });
    const store = createHttpStore({ baseUrl: `${url}/` });
    const bytes = testBytes(50_000);

    const { hash, uri } = await store.put(bytes);
    expect(hash).to.equal(keccak256(bytes));
    expect(uri).to.equal(`${url}/content/${hash}`);
    expect(uri).to.equal(server.uriFor(hash));
    expect(await local.get(hash)).to.deep.equal(bytes);

    expect(await store.get(hash)).to.deep.equal(bytes);
    expect(await store.has(hash)).to.equal(true);
    expect(await store.size(hash)).to.equal(50_000);
    expect(await store.put(bytes)).to.deep.equal({ hash, uri });
  });

  it("reads content the server's own store holds, through a caller-supplied fetch", async function () {
    const { hash } = await local.put(testBytes(10, 4));
    const { url } = await serve();
    const seen: string[] = [];
    const store = createHttpStore({
      baseUrl: url,
      fetch: (input, init) => {
        seen.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      },
    });
    expect(await store.get(hash)).to.deep.equal(testBytes(10, 4));
    expect(seen).to.deep.equal([`GET ${url}/content/${hash}`]);
  });

  it("rejects tampered bytes from a server whose store lies, returning no data", async function () {
    const bytes = testBytes(1000, 5);
    const hash = keccak256(bytes);
    // A store that skips verification and flips one byte: what a broken or malicious provider serves.
    const lying: ContentStore = {
      async put() {
        throw new Error("read-only");
      },
      async get() {
        const copy = bytes.slice();
        copy[500] ^= 0xff;
        return copy;
      },
      async has() {
        return true;
      },
    };
    const server = createContentServer({ store: lying });
    cleanups.push(() => server.close());
    const store = createHttpStore({ baseUrl: await server.start() });

    const error = await rejectionOf(store.get(hash));
    expect(error).to.be.instanceOf(ContentHashMismatchError);
    expect((error as ContentHashMismatchError).expectedHash).to.equal(hash);
    expect((error as ContentHashMismatchError).source).to.equal(server.uriFor(hash));
  });

  it("rejects wrong bytes from a raw HTTP server", async function () {
    const expected = keccak256(new TextEncoder().encode("the real program"));
    const url = await raw((_req, res) => res.end("something else"));
    const error = await rejectionOf(createHttpStore({ baseUrl: url }).get(expected));
    expect(error).to.be.instanceOf(ContentHashMismatchError);
    expect((error as ContentHashMismatchError).actualHash).to.equal(keccak256(new TextEncoder().encode("something else")));
  });

  it("reports a corrupted blob on the server as a retryable 500, not as data", async function () {
    const bytes = testBytes(64, 6);
    const { hash } = await local.put(bytes);
    await writeFile(join(temp.path, hash), "corrupted");
    const { url } = await serve();
    const error = await rejectionOf(createHttpStore({ baseUrl: url }).get(hash));
    expect(error).to.be.instanceOf(ContentUnavailableError);
    expect((error as ContentUnavailableError).status).to.equal(500);
    expect((error as ContentUnavailableError).retryable).to.equal(true);
    expect((error as ContentUnavailableError).details).to.equal("Stored content failed verification");
  });

  it("reports unknown content as not found", async function () {
    const { url } = await serve();
    const store = createHttpStore({ baseUrl: url });
    const hash = keccak256(new TextEncoder().encode("missing"));
    expect(await rejectionOf(store.get(hash))).to.be.instanceOf(ContentNotFoundError);
    expect(await store.has(hash)).to.equal(false);
    expect(await rejectionOf(store.size(hash))).to.be.instanceOf(ContentNotFoundError);
  });

  it("rejects a malformed hash without sending a request", async function () {
    let requests = 0;
    const url = await raw((_req, res) => {
      requests++;
      res.end();
    });
    const store = createHttpStore({ baseUrl: url });
    for (const bad of ["0x12", "../admin", `0x${"0".repeat(63)}?`]) {
      expect(await rejectionOf(store.get(bad as Hex))).to.be.instanceOf(InvalidContentHashError);
      expect(await rejectionOf(store.has(bad as Hex))).to.be.instanceOf(InvalidContentHashError);
    }
    expect(requests).to.equal(0);
  });

  it("caps the body by Content-Length and while streaming, cancelling the download", async function () {
    const { hash } = await local.put(testBytes(4096));
    const { url } = await serve();
    const capped = createHttpStore({ baseUrl: url, maxBytes: 4095 });
    const declared = await rejectionOf(capped.get(hash));
    expect(declared).to.be.instanceOf(ContentTooLargeError);
    expect((declared as ContentTooLargeError).size).to.equal(4096);
    expect(await capped.get(hash, { maxBytes: 4096 })).to.have.length(4096);

    // A server that streams without a length and would never stop.
    let sent = 0;
    let closed: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const endless = await raw((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = new Uint8Array(16 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", () => closed());
      pump();
    });
    const streamed = await rejectionOf(createHttpStore({ baseUrl: endless, maxBytes: 100_000 }).get(hash));
    expect(streamed).to.be.instanceOf(ContentTooLargeError);
    expect((streamed as ContentTooLargeError).maxBytes).to.equal(100_000);
    await serverSawClose;
    expect(sent).to.be.lessThan(50 * 1024 * 1024);
  });

  it("refuses to upload to a server with uploads disabled", async function () {
    const { url } = await serve();
    const error = await rejectionOf(createHttpStore({ baseUrl: url }).put(testBytes(10)));
    expect(error).to.be.instanceOf(ContentUploadRefusedError);
    expect((error as ContentUploadRefusedError).status).to.equal(403);
    expect((error as ContentUploadRefusedError).details).to.equal("Uploads are disabled on this server");
    expect(await local.has(keccak256(testBytes(10)))).to.equal(false);
  });

  it("reports the server's upload limit", async function () {
    const { url } = await serve({ allowUploads: true, maxUploadBytes: 2000 });
    const error = await rejectionOf(createHttpStore({ baseUrl: url }).put(testBytes(2001)));
    expect(error).to.be.instanceOf(ContentTooLargeError);
    expect((error as ContentTooLargeError).maxBytes).to.equal(2000);
    expect((error as ContentTooLargeError).size).to.equal(2001);
  });

  it("times out a server that never answers, as a retryable failure", async function () {
    const url = await raw(() => {});
    const started = Date.now();
    const error = await rejectionOf(createHttpStore({ baseUrl: url, timeoutMs: 150 }).get(keccak256(new Uint8Array(1))));
    expect(error).to.be.instanceOf(ContentUnavailableError);
    expect((error as ContentUnavailableError).retryable).to.equal(true);
    expect((error as ContentUnavailableError).details).to.contain("150 ms");
    expect(Date.now() - started).to.be.lessThan(2000);
  });

  it("reports an unreachable server as a retryable failure", async function () {
    const store = createHttpStore({ baseUrl: `http://127.0.0.1:${await unusedPort()}` });
    const hash = keccak256(new Uint8Array(1));
    for (const attempt of [store.get(hash), store.has(hash), store.put(new Uint8Array(1))]) {
      const error = await rejectionOf(attempt);
      expect(error).to.be.instanceOf(ContentUnavailableError);
      expect((error as ContentUnavailableError).retryable).to.equal(true);
      expect((error as ContentUnavailableError).details).to.contain("ECONNREFUSED");
    }
  });

  it("treats an unexpected client-error status as not retryable", async function () {
    const url = await raw((_req, res) => {
      res.writeHead(401, { "content-type": "text/plain" });
      res.end("token required");
    });
    const error = await rejectionOf(createHttpStore({ baseUrl: url }).get(keccak256(new Uint8Array(1))));
    expect(error).to.be.instanceOf(ContentUnavailableError);
    expect((error as ContentUnavailableError).status).to.equal(401);
    expect((error as ContentUnavailableError).retryable).to.equal(false);
    expect((error as ContentUnavailableError).details).to.equal("token required");
  });

  it("accepts only http(s) base URLs", function () {
    expect(() => createHttpStore({ baseUrl: "ftp://example.com" })).to.throw(TypeError);
    expect(() => createHttpStore({ baseUrl: "not a url" })).to.throw(TypeError);
  });
});
