import type { Hex } from "viem";

import { ContentNotFoundError, ContentTooLargeError, ContentUnavailableError, ContentUploadRefusedError } from "./errors.ts";
import { hashContentAsync } from "./hash-async.ts";
import { normalizeContentHash } from "./hash.ts";
import { parseJobCid } from "./ipfs-cid.ts";
import {
  discardBody,
  httpGetVerified,
  httpRequest,
  readErrorText,
  statusError,
  withRequestSignal,
  type HttpRequestOptions,
} from "./http-get.ts";
import { DEFAULT_MAX_CONTENT_BYTES, MAX_UPLOAD_BYTES_HEADER } from "./limits.ts";
import type { ContentStore, GetContentOptions } from "./types.ts";
import { httpContentUri, trimBaseUrl } from "./uri.ts";

export type CreateHttpStoreParameters = {
  /** The content server's base URL; content lives at `${baseUrl}/content/<hash>`. */
  baseUrl: string;
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Time allowed for each request, body included (default 30 s). */
  timeoutMs?: number;
  /** Largest body `get` accepts, checked while streaming (default 64 MiB). */
  maxBytes?: number;
};

export type HttpStore = ContentStore & {
  /** The server's base URL without a trailing slash. */
  readonly baseUrl: string;
  size(hash: Hex): Promise<number>;
  uriFor(hash: Hex): string;
  recordCid(cid: string, hash: Hex): Promise<void>;
};

/**
 * A client for a Hashwork content server (`createContentServer`, or a provider daemon's
 * output server). `get` streams `GET /content/<hash>` under a size cap and a timeout and
 * verifies the bytes; `has`/`size` use `HEAD`; `put` uploads with `PUT /content/<hash>`, which
 * only servers started with `allowUploads` accept (`ContentUploadRefusedError` otherwise);
 * `recordCid` asks the server to answer `/ipfs/<cid>` for content it holds (`PUT /ipfs/<cid>`).
 *
 * @example
 * const store = createHttpStore({ baseUrl: "http://127.0.0.1:8080", timeoutMs: 10_000 })
 * const output = await store.get(job.outputHash) // verified, or throws
 */
export function createHttpStore(parameters: CreateHttpStoreParameters): HttpStore {
  const baseUrl = trimBaseUrl(parameters.baseUrl);
  const maxBytes = parameters.maxBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  const requestOptions: HttpRequestOptions = { fetch: parameters.fetch, timeoutMs: parameters.timeoutMs };

  async function head(hash: Hex): Promise<Response | undefined> {
    const url = httpContentUri(baseUrl, hash);
    return withRequestSignal(url, requestOptions, async (signal) => {
      const response = await httpRequest(url, { method: "HEAD", signal }, requestOptions);
      await discardBody(response);
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw await statusError(response, url);
      return response;
    });
  }

  return {
    baseUrl,

    async put(bytes) {
      const { hash } = await hashContentAsync(bytes);
      const url = httpContentUri(baseUrl, hash);
      return withRequestSignal(url, requestOptions, async (signal) => {
        const response = await httpRequest(
          url,
          {
            method: "PUT",
            body: bytes,
            headers: { "content-type": "application/octet-stream" },
            signal,
          },
          requestOptions,
        );
        if (response.ok) {
          await discardBody(response);
          return { hash, uri: url };
        }
        if (response.status === 413) {
          const limit = Number(response.headers.get(MAX_UPLOAD_BYTES_HEADER));
          await discardBody(response);
          throw new ContentTooLargeError({
            maxBytes: Number.isSafeInteger(limit) ? limit : bytes.byteLength - 1,
            size: bytes.byteLength,
            source: url,
          });
        }
        if (response.status === 400 || response.status === 403 || response.status === 405) {
          throw new ContentUploadRefusedError({ status: response.status, source: url, reason: await readErrorText(response) });
        }
        throw await statusError(response, url);
      });
    },

    async recordCid(cid, hash) {
      // The server rebuilds the DAG of its copy and checks the CID before recording it.
      const url = `${baseUrl}/ipfs/${parseJobCid(cid, `ipfs://${cid}`)}`;
      return withRequestSignal(url, requestOptions, async (signal) => {
        const response = await httpRequest(url, { method: "PUT", body: normalizeContentHash(hash), signal }, requestOptions);
        if (response.ok) return void (await discardBody(response));
        if (response.status === 400 || response.status === 403 || response.status === 404 || response.status === 405) {
          throw new ContentUploadRefusedError({ status: response.status, source: url, reason: await readErrorText(response) });
        }
        throw await statusError(response, url);
      });
    },

    async get(hash, options: GetContentOptions = {}) {
      const canonical = normalizeContentHash(hash);
      return httpGetVerified(httpContentUri(baseUrl, canonical), canonical, {
        ...requestOptions,
        maxBytes: options.maxBytes ?? maxBytes,
        signal: options.signal,
      });
    },

    async has(hash) {
      return (await head(hash)) !== undefined;
    },

    async size(hash) {
      const response = await head(hash);
      const url = httpContentUri(baseUrl, hash);
      if (!response) throw new ContentNotFoundError({ hash: normalizeContentHash(hash), source: url });
      const length = Number(response.headers.get("content-length") ?? NaN);
      if (!Number.isSafeInteger(length) || length < 0) {
        throw new ContentUnavailableError({ source: url, retryable: false, details: "HEAD reply has no Content-Length" });
      }
      return length;
    },

    uriFor(hash) {
      return httpContentUri(baseUrl, hash);
    },
  };
}
