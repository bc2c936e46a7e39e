import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { keccak256 } from "viem";

import { ContentUnavailableError } from "./errors.ts";
import { MAX_UPLOAD_BYTES_HEADER } from "./limits.ts";
import { createLocalStore, type LocalStore } from "./local.ts";
import { createContentServer, type ContentServer, type CreateContentServerParameters } from "./server.ts";
import { makeTempDir, testBytes } from "../../../testkit/store.ts";

/** Sends a body with chunked transfer encoding (no Content-Length), as a stream would. */
function putChunked(url: string, chunks: Uint8Array[]): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "PUT", headers: { "transfer-encoding": "chunked" } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    // The server may close the connection after answering 413 before every chunk is sent.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("createContentServer", function () {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let store: LocalStore;
  let servers: ContentServer[];

  async function start(options: Partial<CreateContentServerParameters> = {}): Promise<string> {
    const server = createContentServer({ store, ...options });
    servers.push(server);
    return server.start();
  }

  beforeEach(async function () {
    temp = await makeTempDir();
    store = createLocalStore({ dir: temp.path });
    servers = [];
  });

  afterEach(async function () {
    await Promise.all(servers.map((server) => server.close()));
    await temp.remove();
  });

  it("binds 127.0.0.1 on a free port by default and serves content with immutable headers", async function () {
    const bytes = testBytes(5000);
    const { hash } = await store.put(bytes);
    const url = await start();
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).to.not.equal("http://127.0.0.1:0");

    const response = await fetch(`${url}/content/${hash}`);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("application/octet-stream");
    expect(response.headers.get("content-length")).to.equal("5000");
    expect(response.headers.get("etag")).to.equal(`"${hash}"`);
    expect(response.headers.get("cache-control")).to.contain("immutable");
    expect(new Uint8Array(await response.arrayBuffer())).to.deep.equal(bytes);
  });

  it("answers HEAD with the size and no body, and If-None-Match with 304", async function () {
    const { hash } = await store.put(testBytes(321));
    const url = await start();

    const head = await fetch(`${url}/content/${hash}`, { method: "HEAD" });
    expect(head.status).to.equal(200);
    expect(head.headers.get("content-length")).to.equal("321");
    expect((await head.arrayBuffer()).byteLength).to.equal(0);

    const cached = await fetch(`${url}/content/${hash}`, { headers: { "if-none-match": `"${hash}"` } });
    expect(cached.status).to.equal(304);
    const other = await fetch(`${url}/content/${hash}`, { headers: { "if-none-match": `"0xother"` } });
    expect(other.status).to.equal(200);
    await other.arrayBuffer();
  });

  it("answers 404 for unknown content and paths, 400 for a malformed hash, 405 for other methods", async function () {
    const url = await start();
    const unknown = keccak256(new TextEncoder().encode("nobody stored this"));
    expect((await fetch(`${url}/content/${unknown}`)).status).to.equal(404);
    expect((await fetch(`${url}/content/${unknown}`, { method: "HEAD" })).status).to.equal(404);
    expect((await fetch(`${url}/elsewhere`)).status).to.equal(404);
    for (const bad of ["0x1234", "hello", `0x${"z".repeat(64)}`, `${unknown}/extra`, ""]) {
      const response = await fetch(`${url}/content/${bad}`);
      expect(response.status, bad).to.equal(400);
      expect(await response.text()).to.contain("Malformed content hash");
    }
    const del = await fetch(`${url}/content/${unknown}`, { method: "DELETE" });
    expect(del.status).to.equal(405);
    expect(del.headers.get("allow")).to.equal("GET, HEAD");
  });

  it("refuses uploads unless they are enabled", async function () {
    const url = await start();
    const bytes = testBytes(100);
    const response = await fetch(`${url}/content/${keccak256(bytes)}`, { method: "PUT", body: bytes });
    expect(response.status).to.equal(403);
    expect(await store.has(keccak256(bytes))).to.equal(false);
  });

  it("stores an upload whose body hashes to the path (201, then 200 when repeated)", async function () {
    const url = await start({ allowUploads: true });
    const bytes = testBytes(2000, 2);
    const hash = keccak256(bytes);
    const first = await fetch(`${url}/content/${hash}`, { method: "PUT", body: bytes });
    expect(first.status).to.equal(201);
    expect(await first.json()).to.deep.equal({ hash });
    expect(await store.get(hash)).to.deep.equal(bytes);
    const again = await fetch(`${url}/content/${hash}`, { method: "PUT", body: bytes });
    expect(again.status).to.equal(200);
    await again.arrayBuffer();
  });

  it("refuses an upload whose body does not hash to the path", async function () {
    const url = await start({ allowUploads: true });
    const claimed = keccak256(testBytes(10, 1));
    const response = await fetch(`${url}/content/${claimed}`, { method: "PUT", body: testBytes(10, 2) });
    expect(response.status).to.equal(400);
    expect(await response.text()).to.contain(keccak256(testBytes(10, 2)));
    expect(await store.has(claimed)).to.equal(false);
    expect(await store.has(keccak256(testBytes(10, 2)))).to.equal(false);
  });

  it("caps uploads by declared length and while streaming (413)", async function () {
    const url = await start({ allowUploads: true, maxUploadBytes: 1024 });
    const big = testBytes(1025);
    const declared = await fetch(`${url}/content/${keccak256(big)}`, { method: "PUT", body: big });
    expect(declared.status).to.equal(413);
    expect(declared.headers.get(MAX_UPLOAD_BYTES_HEADER)).to.equal("1024");

    const chunks = [testBytes(600, 1), testBytes(600, 2)];
    const streamed = await putChunked(`${url}/content/${keccak256(Buffer.concat(chunks))}`, chunks);
    expect(streamed.status).to.equal(413);
    expect(await store.has(keccak256(Buffer.concat(chunks)))).to.equal(false);

    const fits = testBytes(1024);
    const ok = await putChunked(`${url}/content/${keccak256(fits)}`, [fits.subarray(0, 500), fits.subarray(500)]);
    expect(ok.status).to.equal(201);
    expect(await store.get(keccak256(fits))).to.deep.equal(fits);
  });

  it("never serves a blob that fails verification in its store", async function () {
    const bytes = testBytes(700, 8);
    const { hash } = await store.put(bytes);
    await writeFile(join(temp.path, hash), Buffer.concat([bytes, Buffer.from([0])]));
    const errors: unknown[] = [];
    const url = await start({ onError: (error) => errors.push(error) });
    const response = await fetch(`${url}/content/${hash}`);
    expect(response.status).to.equal(500);
    expect(await response.text()).to.equal("Stored content failed verification\n");
    expect(errors).to.have.length(1);
  });

  it("serves extra routes and reports their failures as 500", async function () {
    const errors: unknown[] = [];
    const url = await start({
      routes: {
        "/health": (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: true }));
        },
        "/broken": async () => {
          throw new ContentUnavailableError({ source: "test", retryable: false });
        },
      },
      onError: (error) => errors.push(error),
    });
    const health = await fetch(`${url}/health?verbose=1`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ ok: true });
    const broken = await fetch(`${url}/broken`);
    expect(broken.status).to.equal(500);
    await broken.arrayBuffer();
    expect(errors).to.have.length(1);
    expect((await fetch(`${url}/toString`)).status).to.equal(404);
  });

  it("closes idle keep-alive sockets at once and cuts stuck requests after the grace period", async function () {
    const { hash } = await store.put(testBytes(10));
    const server = createContentServer({ store, routes: { "/hang": () => {} } });
    const url = await server.start();

    const agent = new Agent({ keepAlive: true });
    const socketClosed = new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${url}/content/${hash}`, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          expect(res.statusCode).to.equal(200);
          // The socket now sits idle in the agent's pool.
          req.socket!.once("close", () => resolve());
        });
      });
      req.on("error", reject);
      req.end();
    });
    const hung = new Promise<string>((resolve) => {
      const req = httpRequest(`${url}/hang`, (res) => res.resume());
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    await server.close({ graceMs: 100 });
    expect(Date.now() - started).to.be.lessThan(2000);
    await socketClosed;
    expect(await hung).to.equal("ECONNRESET");
    expect(server.url).to.equal(undefined);
    const refused = await fetch(`${url}/content/${hash}`).catch((error: Error) => error);
    expect(refused).to.be.instanceOf(Error);
    agent.destroy();
  });
});
