import type { Hex } from "viem";

import { fetchVerified } from "../../store/fetch-verified.ts";
import type { LocalStore } from "../../store/local.ts";
import type { DaemonConfig } from "../config.ts";

/**
 * A job's program or input: from the local store when already there (verified when it entered
 * the store; re-verified, off the main thread, only if the file changed), else from its URI under
 * the daemon's fetch policy (`fetch.*`: public addresses only unless `allowHosts` /
 * `allowPrivateNetworks`, `file:` only with `allowFileUris`, `ipfs:` from `content.ipfsGateways`
 * with every block checked against its CID), verified against its hash
 * (`fetchVerified`) and kept. A refused URI, a mismatch, an unsupported URI or an oversized blob
 * throws the store's typed error.
 */
export async function fetchContent(
  store: LocalStore,
  config: DaemonConfig,
  { uri, hash, signal }: { uri: string; hash: Hex; signal?: AbortSignal },
): Promise<Uint8Array> {
  if (await store.has(hash)) return store.get(hash, { maxBytes: config.fetch.maxBytes, signal });
  const bytes = await fetchVerified(uri, hash, {
    allowFileUris: config.fetch.allowFileUris,
    allowPrivateNetworks: config.fetch.allowPrivateNetworks,
    allowHosts: config.fetch.allowHosts,
    maxBytes: config.fetch.maxBytes,
    maxRedirects: config.fetch.maxRedirects,
    timeoutMs: config.fetch.timeoutMs,
    ipfsGateways: config.content.ipfsGateways,
    signal,
  });
  // Verified against `hash` just now (`fetchVerified`): not hashed again.
  await store.put(bytes, { hash });
  return bytes;
}
