import { fileURLToPath } from "node:url";
import type { Hex } from "viem";

import {
  ContentTooLargeError,
  UnsupportedUriError,
  type ContentHashMismatchError,
  type ContentNotFoundError,
  type ContentUnavailableError,
  type InvalidContentHashError,
} from "./errors.ts";
import { normalizeContentHash, verifyContent } from "./hash.ts";
import { httpGetVerified } from "./http-get.ts";
import { DEFAULT_MAX_CONTENT_BYTES } from "./limits.ts";
import { readContentFile } from "./read-file.ts";

/**
 * Fetches the raw bytes behind a URI of a scheme `fetchVerified` does not know (e.g. `ipfs:`).
 * It need not verify: `fetchVerified` checks the size and the hash of whatever it returns.
 */
export type ContentResolver = (uri: URL, options: { maxBytes: number; signal?: AbortSignal }) => Promise<Uint8Array>;

export type FetchVerifiedParameters = {
  /** Largest content accepted (default 64 MiB). */
  maxBytes?: number;
  /** Time allowed for an HTTP fetch, body included (default 30 s). */
  timeoutMs?: number;
  /** Cancels the fetch when aborted. */
  signal?: AbortSignal;
  /** The fetch implementation for `http(s):` URIs (default: the global `fetch`). */
  fetch?: typeof globalThis.fetch;
  /**
   * Resolve `file:` URIs (default true). A daemon fetching URIs posted by strangers may set
   * false: then `file:` URIs throw `UnsupportedUriError` instead of reading local files.
   */
  allowFileUris?: boolean;
  /** Extra schemes by protocol with its colon, e.g. `{ "ipfs:": resolveIpfs }`. */
  resolvers?: Record<string, ContentResolver>;
};

export type FetchVerifiedReturnType = Uint8Array;

export type FetchVerifiedErrorType =
  | ContentHashMismatchError
  | ContentNotFoundError
  | ContentTooLargeError
  | ContentUnavailableError
  | InvalidContentHashError
  | UnsupportedUriError;

/**
 * Resolves a content URI from a job (the program or input URI in `JobPosted`, or an output URI a
 * provider published) and returns the bytes only if they hash to `expectedHash`.
 * `file://…` reads the file, `http(s)://…` GETs the URL (streamed under `maxBytes`, with a
 * timeout); other schemes go to `resolvers` or throw `UnsupportedUriError`. A mismatch throws
 * `ContentHashMismatchError` and the bytes are dropped.
 *
 * @example
 * const { programUri, programHash } = jobPosted.args
 * const program = await fetchVerified(programUri, programHash, { maxBytes: 8 * 1024 * 1024 })
 */
export async function fetchVerified(
  uri: string,
  expectedHash: Hex,
  parameters: FetchVerifiedParameters = {},
): Promise<FetchVerifiedReturnType> {
  const hash = normalizeContentHash(expectedHash);
  const maxBytes = parameters.maxBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  const url = URL.canParse(uri) ? new URL(uri) : undefined;
  if (!url) throw new UnsupportedUriError({ uri });

  if (url.protocol === "http:" || url.protocol === "https:") {
    return httpGetVerified(url.href, hash, { ...parameters, maxBytes });
  }
  if (url.protocol === "file:" && parameters.allowFileUris !== false) {
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      // e.g. a remote host (file://server/share/…), which is not a local file.
      throw new UnsupportedUriError({ uri, scheme: url.protocol });
    }
    return readContentFile(path, hash, { source: uri, maxBytes, signal: parameters.signal });
  }
  const resolver = parameters.resolvers && Object.hasOwn(parameters.resolvers, url.protocol)
    ? parameters.resolvers[url.protocol]
    : undefined;
  if (!resolver) throw new UnsupportedUriError({ uri, scheme: url.protocol });
  const bytes = await resolver(url, { maxBytes, signal: parameters.signal });
  if (bytes.byteLength > maxBytes) throw new ContentTooLargeError({ maxBytes, size: bytes.byteLength, source: uri });
  return verifyContent(bytes, hash, uri);
}
