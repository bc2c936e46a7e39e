import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";
import type { Hex } from "viem";

import { ContentHashMismatchError, ContentNotFoundError, ContentUnavailableError, InvalidContentHashError } from "./errors.ts";
import { hashContentAsync } from "./hash-async.ts";
import { isContentHash, normalizeContentHash } from "./hash.ts";
import { createIpfsGatewayHandler, IPFS_PREFIX } from "./ipfs-gateway.ts";
import { DEFAULT_MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES_HEADER } from "./limits.ts";
import type { ContentStore } from "./types.ts";
import { httpContentUri } from "./uri.ts";

/** Handles one extra route; it owns the response (status, headers, body). */
export type ContentRouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export type CreateContentServerParameters = {
  /** Where content is read from (and uploads are written to). */
  store: ContentStore;
  /** Interface to bind (default `127.0.0.1`: loopback only). */
  host?: string;
  /** Port to bind (default 0: any free port; `start()` returns the URL). */
  port?: number;
  /** Accept `PUT /content/<hash>` (default false: uploads get 403). */
  allowUploads?: boolean;
  /** Largest upload accepted (default 64 MiB); bigger bodies get 413. */
  maxUploadBytes?: number;
  /** Extra routes by exact path (query ignored), e.g. `{ "/health": (req, res) => res.end("ok") }`. */
  routes?: Record<string, ContentRouteHandler>;
  /** Called with unexpected failures (those answered with a 5xx), e.g. to log them. */
  onError?: (error: unknown, request: IncomingMessage) => void;
};

export type ContentServer = {
  /** Starts listening; resolves to the bound base URL, e.g. `http://127.0.0.1:41234`. */
  start(): Promise<string>;
  /**
   * Stops accepting connections, closes idle keep-alive sockets at once, lets requests in
   * flight finish for up to `graceMs` (default 1000) and then closes every socket.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** The bound base URL, once started. */
  readonly url: string | undefined;
  /** The URI of `hash` on this server (after `start`). */
  uriFor(hash: Hex): string;
  /** The underlying `node:http` server. */
  readonly server: Server;
};

const CONTENT_PREFIX = "/content/";
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * A small HTTP server for content addressed by hash, over any `ContentStore`:
 * - `GET`/`HEAD /content/<hash>`: 200 with the bytes (`application/octet-stream`,
 *   `ETag: "<hash>"`, immutable caching; `If-None-Match` gives 304), 404 if unknown, 400 if the
 *   hash is malformed. Bytes are served only after the store verified them: a corrupted blob
 *   gives 500, never wrong data. A store with `stream` (the local store) verifies content once,
 *   when it enters the store, and is served from disk without hashing it again; hashing, when
 *   needed, runs in a worker thread, so serving never blocks the event loop.
 * - `PUT /content/<hash>` when `allowUploads`: stores the body if it hashes to `<hash>` (201, or
 *   200 if already present), 400 if it does not, 413 past `maxUploadBytes`, 403 when uploads
 *   are disabled.
 * - `/ipfs/<cid>` when the store records CIDs (the local store): the trustless-gateway subset,
 *   `?format=raw` and `?format=car`, and `PUT` to record a CID (`createIpfsGatewayHandler`).
 * - any path in `routes`, handled by its function (the provider daemon adds `/health`, `/metrics`).
 *
 * @example
 * const server = createContentServer({
 *   store: createLocalStore({ dir: "./outputs" }),
 *   port: 8080,
 *   routes: { "/health": (_req, res) => res.end("ok") },
 * })
 * const url = await server.start() // "http://127.0.0.1:8080"
 * // … later
 * await server.close()
 */
export function createContentServer(parameters: CreateContentServerParameters): ContentServer {
  const {
    store,
    host = "127.0.0.1",
    port = 0,
    allowUploads = false,
    maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES,
    routes = {},
    onError,
  } = parameters;
  let url: string | undefined;
  const ipfsGateway = createIpfsGatewayHandler({ store, allowUploads, sendText });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      onError?.(error, request);
      if (!response.headersSent) sendText(response, 500, "Internal server error");
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?", 1)[0];
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route) return route(request, response);
    if (path.startsWith(IPFS_PREFIX) && store.hashOfCid) return ipfsGateway(request, response, path);
    if (!path.startsWith(CONTENT_PREFIX)) return sendText(response, 404, "Not found", { close: hasBody(request) });

    const raw = path.slice(CONTENT_PREFIX.length);
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD" && method !== "PUT") {
      response.setHeader("allow", allowUploads ? "GET, HEAD, PUT" : "GET, HEAD");
      return sendText(response, 405, "Method not allowed", { close: hasBody(request) });
    }
    if (!isContentHash(raw)) {
      return sendText(response, 400, "Malformed content hash: expected 0x followed by 64 hex digits", {
        close: hasBody(request),
      });
    }
    const hash = normalizeContentHash(raw);
    try {
      if (method === "PUT") return await upload(request, response, hash);
      return await download(request, response, hash, method === "HEAD");
    } catch (error) {
      if (error instanceof ContentNotFoundError) return sendText(response, 404, "Content not found");
      if (error instanceof InvalidContentHashError) return sendText(response, 400, error.shortMessage);
      onError?.(error, request);
      if (error instanceof ContentHashMismatchError) {
        return sendText(response, 500, "Stored content failed verification");
      }
      if (error instanceof ContentUnavailableError && error.retryable) {
        return sendText(response, 503, "Content temporarily unavailable");
      }
      return sendText(response, 500, "Internal server error");
    }
  }

  async function download(request: IncomingMessage, response: ServerResponse, hash: Hex, headOnly: boolean) {
    const etag = `"${hash}"`;
    if (etagMatches(request.headers["if-none-match"], etag) && (await store.has(hash))) {
      response.writeHead(304, { etag, "cache-control": IMMUTABLE });
      return void response.end();
    }
    const headers = {
      "content-type": "application/octet-stream",
      etag,
      "cache-control": IMMUTABLE,
      "x-content-type-options": "nosniff",
    };
    // HEAD needs only the size.
    if (headOnly && store.size) {
      response.writeHead(200, { ...headers, "content-length": await store.size(hash) });
      return void response.end();
    }
    // A store that streams (the local store) serves verified content from disk, never hashing
    // or holding it on the event loop; any other store's `get` verifies the bytes first.
    if (store.stream) {
      const { size, stream } = await store.stream(hash);
      response.writeHead(200, { ...headers, "content-length": size });
      if (headOnly) {
        stream.destroy();
        return void response.end();
      }
      await new Promise<void>((resolve) => {
        pipeline(stream, response, (error) => {
          // Headers are out: a failure mid-body can only cut the connection (the length tells).
          if (error && !response.destroyed) response.destroy();
          resolve();
        });
      });
      return;
    }
    const bytes = await store.get(hash);
    response.writeHead(200, { ...headers, "content-length": bytes.byteLength });
    response.end(headOnly ? undefined : bytes);
  }

  async function upload(request: IncomingMessage, response: ServerResponse, hash: Hex) {
    if (!allowUploads) return sendText(response, 403, "Uploads are disabled on this server", { close: true });
    const tooLarge = () => {
      response.setHeader(MAX_UPLOAD_BYTES_HEADER, maxUploadBytes);
      sendText(response, 413, `Upload exceeds the ${maxUploadBytes}-byte limit`, { close: true });
    };
    const declared = Number(request.headers["content-length"]);
    if (Number.isSafeInteger(declared) && declared > maxUploadBytes) return tooLarge();

    const body = await readRequestBody(request, maxUploadBytes);
    if (body === "too-large") return tooLarge();
    if (body === "aborted") return;
    const { hash: actual } = await hashContentAsync(body);
    if (actual !== hash) {
      return sendText(response, 400, `Body hashes to ${actual}, not to ${hash}`);
    }
    const existed = await store.has(hash);
    // Written even when present: a local store's atomic rewrite repairs a corrupted blob.
    await store.put(body);
    response.writeHead(existed ? 200 : 201, {
      "content-type": "application/json",
      etag: `"${hash}"`,
      location: `${CONTENT_PREFIX}${hash}`,
    });
    response.end(JSON.stringify({ hash }));
  }

  return {
    server,

    get url() {
      return url;
    },

    uriFor(hash) {
      if (!url) throw new Error("The content server has not been started");
      return httpContentUri(url, hash);
    },

    start() {
      if (server.listening) return Promise.reject(new Error("The content server is already started"));
      return new Promise<string>((resolve, reject) => {
        const onListenError = (error: Error) => reject(error);
        server.once("error", onListenError);
        server.listen(port, host, () => {
          server.off("error", onListenError);
          const address = server.address() as AddressInfo;
          const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
          url = `http://${hostname}:${address.port}`;
          resolve(url);
        });
      });
    },

    close({ graceMs = 1000 } = {}) {
      return new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((error) => {
          clearTimeout(force);
          url = undefined;
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

/** Reads a request body up to `maxBytes`; stops reading (without buffering more) past it. */
function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Uint8Array | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (result: Uint8Array | "too-large" | "aborted") => {
      request.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        request.pause();
        return finish("too-large");
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const body = Buffer.concat(chunks, total);
      finish(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    };
    const onAbort = () => finish("aborted");
    const onClose = () => {
      if (!request.complete) finish("aborted");
    };
    request.on("data", onData).on("end", onEnd).on("error", onAbort).on("close", onClose);
  });
}

/** Short plain-text reply; `close` ends the connection (used when a request body is left unread). */
function sendText(response: ServerResponse, status: number, text: string, { close = false } = {}): void {
  const body = `${text}\n`;
  response.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...(close ? { connection: "close" } : {}),
  });
  response.end(body);
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers["content-length"] !== undefined || request.headers["transfer-encoding"] !== undefined;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const value = tag.trim().replace(/^W\//, "");
    return value === "*" || value === etag;
  });
}
