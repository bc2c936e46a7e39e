import type { Hex } from "viem";

import { createAddressPolicy, type NetworkAccessOptions } from "./address-policy.ts";
import { ContentNotFoundError, ContentUnavailableError, UnsupportedUriError } from "./errors.ts";
import type { ContentResolver } from "./fetch-verified.ts";
import { readCarBlocks } from "./ipfs-car.ts";
import { RAW_CODEC, parseIpfsUri } from "./ipfs-cid.ts";
import { readUnixfsFile, verifyIpfsBlock } from "./ipfs-dag.ts";
import { httpGetCapped } from "./http-get.ts";
import { DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS } from "./limits.ts";

/** Media type of one raw block (trustless gateway `?format=raw`). */
export const IPLD_RAW = "application/vnd.ipld.raw";
/** Media type of a CARv1 archive (trustless gateway `?format=car`). */
export const IPLD_CAR = "application/vnd.ipld.car";

/**
 * A CAR carries each block's CID and a length prefix besides the file's bytes, and the DAG's
 * inner nodes. With 1 MiB leaves that is well under 1%; the allowance (1/8 of the file, plus
 * 64 KiB) also admits DAGs of other importers with leaves down to about 1 KiB.
 */
const carAllowance = (maxBytes: number) => maxBytes + Math.ceil(maxBytes / 8) + 64 * 1024;

export type CreateIpfsResolverParameters = NetworkAccessOptions & {
  /**
   * Trustless gateways tried in order, e.g. `["http://127.0.0.1:8080", "https://trustless-gateway.link"]`:
   * base URLs under which `/ipfs/<cid>?format=raw|car` is answered. The operator chose them, so
   * their own hosts are reached even when private; their redirects are vetted like any URI.
   */
  gateways: readonly string[];
  /** Time allowed per gateway request, body included (default 30 s). */
  timeoutMs?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
};

/**
 * A `ContentResolver` for `ipfs://<CIDv1>` job URIs, for `fetchVerified`'s `resolvers`
 * (`{ "ipfs:": createIpfsResolver({ gateways }) }`). Nothing from a gateway is trusted: a raw CID
 * is fetched as one block (`?format=raw`) and hashed against the CID; a dag-pb (UnixFS) CID as a
 * CAR (`?format=car`), every block hashed against its CID as it is read, and the file assembled
 * from the root under the size cap (`readUnixfsFile`). `fetchVerified` then checks the bytes
 * against the job's keccak256. A gateway that fails — unreachable, 404, a wrong block, a broken
 * DAG — is skipped for the next; when all fail, the error thrown is the first retryable
 * unavailability if any gateway was merely unavailable (another try may succeed), else the last
 * gateway's error.
 *
 * @example
 * const program = await fetchVerified("ipfs://bafkrei…", programHash, {
 *   resolvers: { "ipfs:": createIpfsResolver({ gateways: ["http://127.0.0.1:8080"] }) },
 * })
 */
export function createIpfsResolver(parameters: CreateIpfsResolverParameters): ContentResolver & { gateways: readonly string[] } {
  const gateways = parameters.gateways.map(trimGateway);
  const gatewayHosts = gateways.map((g) => new URL(g).hostname.replace(/^\[(.*)\]$/, "$1"));
  const addressPolicy = createAddressPolicy({
    allowPrivateNetworks: parameters.allowPrivateNetworks,
    allowHosts: [...(parameters.allowHosts ?? []), ...gatewayHosts],
  });
  const timeoutMs = parameters.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const maxRedirects = parameters.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  async function fromGateway(
    gateway: string,
    uri: URL,
    { maxBytes, signal, hash }: { maxBytes: number; signal?: AbortSignal; hash?: Hex },
  ) {
    const cid = parseIpfsUri(uri);
    const raw = cid.code === RAW_CODEC;
    const url = `${gateway}/ipfs/${cid}?format=${raw ? "raw" : "car"}`;
    const notFound = () => new ContentNotFoundError({ hash: hash ?? `0x${"0".repeat(64)}`, source: url });
    const common = { timeoutMs, maxRedirects, signal, addressPolicy, notFound };
    if (raw) {
      const block = await httpGetCapped(url, { ...common, accept: IPLD_RAW, maxBytes });
      verifyIpfsBlock(cid, block, gateway);
      return block;
    }
    const car = await httpGetCapped(url, { ...common, accept: IPLD_CAR, maxBytes: carAllowance(maxBytes) });
    const blocks = await readCarBlocks(car, cid, gateway);
    return readUnixfsFile(cid, blocks, { maxBytes, source: gateway });
  }

  const resolver: ContentResolver = async (uri, options) => {
    parseIpfsUri(uri); // a bad CID is the URI's fault, whatever the gateways say
    if (gateways.length === 0) {
      throw new UnsupportedUriError({
        uri: uri.href,
        scheme: "ipfs:",
        details: "No IPFS gateway is configured (daemon config: content.ipfsGateways).",
      });
    }
    let unavailable: ContentUnavailableError | undefined;
    let last: unknown;
    for (const gateway of gateways) {
      if (options.signal?.aborted) break;
      try {
        return await fromGateway(gateway, uri, options);
      } catch (error) {
        last = error;
        if (!unavailable && error instanceof ContentUnavailableError && error.retryable) unavailable = error;
      }
    }
    throw unavailable ?? last ?? new ContentUnavailableError({ source: uri.href, retryable: true, details: "The request was aborted" });
  };
  return Object.assign(resolver, { gateways });
}

/** A gateway base URL without trailing slashes; http(s), no query or fragment. */
function trimGateway(gateway: string): string {
  const url = URL.canParse(gateway) ? new URL(gateway) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    throw new TypeError(`An IPFS gateway is an http(s) base URL without query or fragment, got "${gateway}"`);
  }
  return url.href.replace(/\/+$/, "");
}
