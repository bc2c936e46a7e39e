import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Hex } from "viem";

import { normalizeContentHash } from "./hash.ts";
import type { ContentStore } from "./types.ts";

/**
 * The `file://` URI of `hash` in a local directory store rooted at `dir` (the file is named by
 * the hash). Relative directories resolve against the working directory.
 *
 * @example
 * localContentUri("/var/lib/hashwork/content", hash)
 * // "file:///var/lib/hashwork/content/0x1c8a…"
 */
export function localContentUri(dir: string, hash: Hex): string {
  return pathToFileURL(resolve(dir, normalizeContentHash(hash))).href;
}

/**
 * The URI of `hash` on a content server: `${baseUrl}/content/<hash>`. `baseUrl` may carry a
 * path prefix (`https://provider.example/hashwork`); a trailing slash is ignored.
 *
 * @example
 * httpContentUri("http://127.0.0.1:8080", hash) // "http://127.0.0.1:8080/content/0x1c8a…"
 */
export function httpContentUri(baseUrl: string, hash: Hex): string {
  return `${trimBaseUrl(baseUrl)}/content/${normalizeContentHash(hash)}`;
}

/**
 * The canonical URI of `hash` in `store`, the URI a requester posts in `JobPosted` or a provider
 * publishes for an output. Works for any store that implements `uriFor`.
 *
 * @example
 * const uri = contentUri(createLocalStore({ dir }), hash)
 */
export function contentUri(store: ContentStore, hash: Hex): string {
  if (!store.uriFor) throw new TypeError("This content store does not publish URIs (no uriFor)");
  return store.uriFor(hash);
}

/** `baseUrl` without trailing slashes, validated as an http(s) URL. */
export function trimBaseUrl(baseUrl: string): string {
  const parsed = new URL(baseUrl);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`A content server URL must be http(s): ${baseUrl}`);
  }
  if (parsed.search || parsed.hash) throw new TypeError(`A content server URL takes no query or fragment: ${baseUrl}`);
  return parsed.href.replace(/\/+$/, "");
}
