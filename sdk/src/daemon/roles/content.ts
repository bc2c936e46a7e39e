import type { Hex } from "viem";

import { fetchVerified } from "../../store/fetch-verified.ts";
import type { LocalStore } from "../../store/local.ts";
import type { DaemonConfig } from "../config.ts";

/**
 * A job's program or input: from the local store when already fetched (verified again on read),
 * else from its URI, verified against its hash (`fetchVerified`) and kept. A mismatch, an
 * unsupported URI or an oversized blob throws the store's typed error.
 */
export async function fetchContent(
  store: LocalStore,
  config: DaemonConfig,
  { uri, hash, signal }: { uri: string; hash: Hex; signal?: AbortSignal },
): Promise<Uint8Array> {
  if (await store.has(hash)) return store.get(hash, { maxBytes: config.fetch.maxBytes });
  const bytes = await fetchVerified(uri, hash, {
    allowFileUris: config.fetch.allowFileUris,
    maxBytes: config.fetch.maxBytes,
    timeoutMs: config.fetch.timeoutMs,
    signal,
  });
  await store.put(bytes);
  return bytes;
}
