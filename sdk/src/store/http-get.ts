import * as http from "node:http";
import * as https from "node:https";
import type { LookupFunction } from "node:net";
import { pipeline, Readable } from "node:stream";
import * as zlib from "node:zlib";

import type { Hex } from "viem";

import { HashworkError } from "../errors/base.ts";
import { pinnedLookup, type AddressPolicy } from "./address-policy.ts";
import { ContentNotFoundError, ContentTooLargeError, ContentUnavailableError, UnsupportedUriError } from "./errors.ts";
import { verifyContentAsync } from "./hash-async.ts";
import { DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_MAX_CONTENT_BYTES, DEFAULT_MAX_REDIRECTS } from "./limits.ts";

export type HttpRequestOptions = {
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Time allowed for the whole request, body included (default 30 s). */
  timeoutMs?: number;
  /** Cancels the request when aborted. */
  signal?: AbortSignal;
};

export type HttpGetVerifiedOptions = HttpRequestOptions & {
  /** Largest body accepted, checked while streaming (default 64 MiB). */
  maxBytes?: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
  /**
   * Vets the host of the URL and of every redirect target (`createAddressPolicy`) and pins the
   * connection to the vetted address. Without it, any host is reached (an operator's own
   * content server).
   */
  addressPolicy?: AddressPolicy;
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url` and returns the body once it hashes to `hash`. The body is streamed and abandoned
 * as soon as it passes `maxBytes`, and hashed off the main thread when large. Redirects are
 * followed by hand (at most `maxRedirects`, http(s) only, each target vetted by `addressPolicy`).
 * Throws `ContentNotFoundError` (404), `ContentTooLargeError`, `ContentHashMismatchError`,
 * `ContentUriRefusedError` (the policy refused a host), `UnsupportedUriError` (a redirect to
 * another scheme), or `ContentUnavailableError` (network failure, timeout, other statuses,
 * too many redirects).
 *
 * @example
 * const program = await httpGetVerified("http://127.0.0.1:8080/content/0x1c8a…", hash, { timeoutMs: 5_000 })
 */
export async function httpGetVerified(url: string, hash: Hex, options: HttpGetVerifiedOptions = {}): Promise<Uint8Array> {
  const bytes = await httpGetCapped(url, { ...options, notFound: () => new ContentNotFoundError({ hash, source: url }) });
  return verifyContentAsync(bytes, hash, url, { transfer: true });
}

export type HttpGetCappedOptions = HttpGetVerifiedOptions & {
  /** The `Accept` header (default `*\/*`). */
  accept?: string;
  /** The error a 404 becomes. */
  notFound: () => Error;
};

/**
 * `httpGetVerified` without the keccak256 check, for bytes verified another way (IPFS blocks
 * against their CIDs): the same size cap, timeout, redirect vetting and pinning, and typed errors.
 *
 * @example
 * const car = await httpGetCapped(`${gateway}/ipfs/${cid}?format=car`, { accept: "application/vnd.ipld.car", notFound })
 */
export async function httpGetCapped(url: string, options: HttpGetCappedOptions): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  return withRequestSignal(url, options, async (signal) => {
    const response = await getFollowingRedirects(url, signal, options);
    if (response.status === 404) {
      await discardBody(response);
      throw options.notFound();
    }
    if (response.status !== 200) throw await statusError(response, url);
    return readBodyCapped(response, maxBytes, url);
  });
}

/** GET `url`, following up to `maxRedirects` redirects, each hop vetted by the address policy. */
async function getFollowingRedirects(
  url: string,
  signal: AbortSignal,
  options: HttpGetVerifiedOptions & { accept?: string },
): Promise<Response> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const visited = new Set<string>();
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    // The system resolver cannot be cancelled: the request's signal (timeout) still ends the wait.
    const pinned =
      options.addressPolicy && !options.addressPolicy.open
        ? await untilAborted(options.addressPolicy.vet(current, current.href), signal)
        : undefined;
    const response = options.fetch
      ? await options.fetch(current.href, { method: "GET", signal, redirect: "manual", headers: { accept: options.accept ?? "*/*" } })
      : await nodeGet(current, signal, pinned && pinnedLookup(pinned), options.accept);
    if (!REDIRECT_STATUSES.has(response.status)) return response;
    const location = response.headers.get("location");
    await discardBody(response);
    if (!location) {
      throw new ContentUnavailableError({ source: url, status: response.status, retryable: false, details: "Redirect without a Location" });
    }
    visited.add(current.href);
    const next = URL.canParse(location, current.href) ? new URL(location, current) : undefined;
    if (!next) throw new UnsupportedUriError({ uri: location, details: `redirected to from ${current.href}` });
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new UnsupportedUriError({
        uri: next.href,
        scheme: next.protocol,
        details: `Redirected to from ${current.href}; only http(s) redirects are followed.`,
      });
    }
    if (visited.has(next.href)) {
      throw new ContentUnavailableError({ source: url, retryable: false, details: `Redirect loop (back to ${next.href})` });
    }
    if (hop >= maxRedirects) {
      throw new ContentUnavailableError({ source: url, retryable: false, details: `More than ${maxRedirects} redirects` });
    }
    current = next;
  }
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * One GET with `node:http(s)` (no redirects, no keep-alive), connecting through `lookup` when
 * given (the vetted, pinned address), as a web `Response`. A compressed body (gzip, deflate,
 * br) is decoded while it streams, so size caps apply to the decoded bytes.
 */
function nodeGet(url: URL, signal: AbortSignal, lookup: LookupFunction | undefined, accept = "*/*"): Promise<Response> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const request = client.request(
      url,
      { method: "GET", signal, agent: false, headers: { accept, "accept-encoding": "identity" }, ...(lookup ? { lookup } : {}) },
      (incoming) => {
        try {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value]) {
              try {
                headers.append(name, v);
              } catch {
                // A header value fetch would refuse carries nothing we need.
              }
            }
          }
          const status = incoming.statusCode ?? 0;
          const encoding = (incoming.headers["content-encoding"] ?? "identity").trim().toLowerCase();
          const decoder =
            encoding === "gzip" || encoding === "x-gzip"
              ? zlib.createGunzip()
              : encoding === "deflate"
                ? zlib.createInflate()
                : encoding === "br"
                  ? zlib.createBrotliDecompress()
                  : undefined;
          let body: Readable = incoming;
          if (decoder) body = pipeline(incoming, decoder, () => {});
          const empty = status === 204 || status === 205 || status === 304 || status < 200;
          if (empty) incoming.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(body) as ReadableStream<Uint8Array>), {
              status: status < 200 || status > 599 ? 502 : status,
              statusText: incoming.statusMessage ?? "",
              headers,
            }),
          );
        } catch (error) {
          incoming.destroy();
          reject(error);
        }
      },
    );
    request.on("error", reject);
    request.end();
  });
}

/**
 * Runs `run` with a signal that aborts after `timeoutMs` or when the caller's signal aborts,
 * and turns an abort or network failure anywhere inside (headers or body) into
 * `ContentUnavailableError`.
 */
export async function withRequestSignal<T>(url: string, options: HttpRequestOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    return await run(signal);
  } catch (error) {
    if (error instanceof HashworkError) throw error;
    if (timeout.aborted) {
      throw new ContentUnavailableError({
        source: url,
        retryable: true,
        details: `No complete reply within ${timeoutMs} ms`,
        cause: error,
        timedOut: true,
      });
    }
    if (options.signal?.aborted) {
      throw new ContentUnavailableError({ source: url, retryable: true, details: "The request was aborted", cause: error });
    }
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    throw new ContentUnavailableError({ source: url, retryable: true, details: reason, cause: error });
  }
}

/** `fetch` with the options' implementation. */
export function httpRequest(url: string, init: RequestInit, options: HttpRequestOptions): Promise<Response> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return fetchImpl(url, init);
}

/**
 * Reads a response body, failing with `ContentTooLargeError` as soon as it (or its declared
 * `Content-Length`) passes `maxBytes`; the rest of the body is cancelled, never buffered.
 */
export async function readBodyCapped(response: Response, maxBytes: number, source: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  // A compressed body's length says nothing about the decoded size, so only trust identity.
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (!encoded && Number.isSafeInteger(declared) && declared > maxBytes) {
    await discardBody(response);
    throw new ContentTooLargeError({ maxBytes, size: declared, source });
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ContentTooLargeError({ maxBytes, size: total, source });
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The typed error for an unexpected status (the server's short text reply becomes `details`). */
export async function statusError(response: Response, source: string): Promise<ContentUnavailableError> {
  const status = response.status;
  const retryable = status >= 500 || status === 408 || status === 425 || status === 429;
  const text = await readErrorText(response);
  return new ContentUnavailableError({
    source,
    status,
    retryable,
    details: text || `HTTP ${status} ${response.statusText}`.trim(),
  });
}

/** Up to 1 KiB of an error reply's body, as text (never throws). */
export async function readErrorText(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < 1024) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    await reader.cancel().catch(() => {});
  } catch {
    // A reply we cannot read adds nothing to the error.
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, 1024));
  return text.trim();
}

/** Releases a response's connection without reading its body. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
