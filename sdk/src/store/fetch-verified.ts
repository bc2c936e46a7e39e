import { fileURLToPath } from "node:url";
import type { Hex } from "viem";

import {
  ContentTooLargeError,
  UnsupportedUriError,
  type ContentHashMismatchError,
  type ContentNotFoundError,
  type ContentUnavailableError,
  type ContentUriRefusedError,
  type InvalidContentHashError,
  type InvalidIpfsDagError,
  type IpfsBlockMismatchError,
} from "./errors.ts";
import { createAddressPolicy, type NetworkAccessOptions } from "./address-policy.ts";
import { verifyContentAsync } from "./hash-async.ts";
import { normalizeContentHash } from "./hash.ts";
import { httpGetVerified } from "./http-get.ts";
import { createIpfsResolver } from "./ipfs-fetch.ts";
import { DEFAULT_MAX_CONTENT_BYTES } from "./limits.ts";
import { readContentFile } from "./read-file.ts";

/**
 * Fetches the raw bytes behind a URI of a scheme `fetchVerified` does not know (e.g. `ipfs:`).
 * It need not verify: `fetchVerified` checks the size and the hash of whatever it returns.
 */
export type ContentResolver = (uri: URL, options: { maxBytes: number; signal?: AbortSignal; hash?: Hex }) => Promise<Uint8Array>;

export type FetchVerifiedParameters = NetworkAccessOptions & {
  /** Largest content accepted (default 64 MiB). */
  maxBytes?: number;
  /** Time allowed for an HTTP fetch, body included (default 30 s). */
  timeoutMs?: number;
  /** Cancels the fetch when aborted. */
  signal?: AbortSignal;
  /**
   * The fetch implementation for `http(s):` URIs (default: `node:http(s)` connecting to the
   * vetted address only). A custom fetch is called once per hop with `redirect: "manual"` after
   * the hop's host was vetted, but cannot be pinned to the vetted address: it resolves names
   * itself.
   */
  fetch?: typeof globalThis.fetch;
  /** Redirects followed (default 5); each target is vetted like the first URL. */
  maxRedirects?: number;
  /**
   * Read `file:` URIs (default false: they throw `UnsupportedUriError`). URIs come from job
   * posts and results, written by strangers: allow this only for a provider on this machine.
   */
  allowFileUris?: boolean;
  /** Extra schemes by protocol with its colon, e.g. `{ "ipfs:": resolveIpfs }`. */
  resolvers?: Record<string, ContentResolver>;
  /**
   * Trustless IPFS gateways for `ipfs://<CIDv1>` URIs, tried in order (`createIpfsResolver`:
   * every block checked against its CID, then the bytes against the hash). Without them (and
   * without an `"ipfs:"` resolver) `ipfs:` URIs throw `UnsupportedUriError`.
   */
  ipfsGateways?: readonly string[];
};

export type FetchVerifiedReturnType = Uint8Array;

export type FetchVerifiedErrorType =
  | ContentHashMismatchError
  | ContentNotFoundError
  | ContentTooLargeError
  | ContentUnavailableError
  | ContentUriRefusedError
  | InvalidContentHashError
  | InvalidIpfsDagError
  | IpfsBlockMismatchError
  | UnsupportedUriError;

/**
 * Resolves a content URI from a job (the program or input URI in `JobPosted`, or an output URI a
 * provider published) and returns the bytes only if they hash to `expectedHash`.
 * `http(s)://…` GETs the URL (streamed under `maxBytes`, with a timeout) from public addresses
 * only unless `allowHosts` / `allowPrivateNetworks` say otherwise: the host (and every redirect
 * target) is resolved first, refused with `ContentUriRefusedError` when any of its addresses is
 * loopback, private, link-local, unique-local, CGNAT, multicast or reserved, and the connection
 * is pinned to the vetted address. `file://…` reads the file only with `allowFileUris`;
 * `ipfs://<CIDv1>` goes to `ipfsGateways` (each block verified against its CID); other schemes
 * go to `resolvers` or throw `UnsupportedUriError`. A mismatch throws
 * `ContentHashMismatchError` and the bytes are dropped. Large content is hashed in a worker
 * thread, never on the event loop.
 *
 * @example
 * const { programUri, programHash } = jobPosted.args
 * const program = await fetchVerified(programUri, programHash, { maxBytes: 8 * 1024 * 1024 })
 * // local development: a content server on 127.0.0.1
 * const dev = await fetchVerified(uri, hash, { allowHosts: ["127.0.0.1", "localhost"] })
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
    const addressPolicy = createAddressPolicy(parameters);
    return httpGetVerified(url.href, hash, { ...parameters, maxBytes, addressPolicy });
  }
  if (url.protocol === "file:" && parameters.allowFileUris !== true) {
    throw new UnsupportedUriError({
      uri,
      scheme: url.protocol,
      details: "file: URIs are read only with allowFileUris (daemon config: fetch.allowFileUris).",
    });
  }
  if (url.protocol === "file:") {
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      // e.g. a remote host (file://server/share/…), which is not a local file.
      throw new UnsupportedUriError({ uri, scheme: url.protocol });
    }
    return readContentFile(path, hash, { source: uri, maxBytes, signal: parameters.signal });
  }
  let resolver = parameters.resolvers && Object.hasOwn(parameters.resolvers, url.protocol) ? parameters.resolvers[url.protocol] : undefined;
  if (!resolver && url.protocol === "ipfs:" && parameters.ipfsGateways?.length) {
    resolver = createIpfsResolver({ ...parameters, gateways: parameters.ipfsGateways });
  }
  if (!resolver && url.protocol === "ipfs:") {
    throw new UnsupportedUriError({
      uri,
      scheme: url.protocol,
      details: "No IPFS gateway is configured (ipfsGateways; daemon config: content.ipfsGateways).",
    });
  }
  if (!resolver) throw new UnsupportedUriError({ uri, scheme: url.protocol });
  const bytes = await resolver(url, { maxBytes, signal: parameters.signal, hash });
  if (bytes.byteLength > maxBytes) throw new ContentTooLargeError({ maxBytes, size: bytes.byteLength, source: uri });
  return verifyContentAsync(bytes, hash, uri);
}
