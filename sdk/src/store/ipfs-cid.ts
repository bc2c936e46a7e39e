import { CID } from "multiformats/cid";

import { UnsupportedUriError } from "./errors.ts";

/** Multicodec of a raw block (the bytes themselves). */
export const RAW_CODEC = 0x55;
/** Multicodec of a dag-pb block (a UnixFS node). */
export const DAG_PB_CODEC = 0x70;
/** Multihash code of sha2-256, the only hash accepted in a job's CID. */
export const SHA2_256_CODE = 0x12;

/**
 * Chunk size of the layout: IPIP-499's `unixfs-v1-2025` profile (1 MiB raw leaves, a balanced
 * DAG of at most 1024 links per node, CIDv1). Content up to one chunk is a single raw block
 * (`bafkrei…`), larger content a dag-pb root (`bafybei…`). Kubo (`ipfs add
 * --profile=unixfs-v1-2025`), Helia and the JS importer give the same CIDs for the same bytes.
 */
export const IPFS_CHUNK_BYTES = 1024 * 1024;

/** One block of a DAG: its CID and its bytes. */
export type IpfsBlock = { cid: CID; bytes: Uint8Array };

/** Content as a UnixFS DAG: the root CID and every block, leaves first, the root last. */
export type IpfsDag = { cid: CID; size: number; blocks: IpfsBlock[] };

/**
 * Builds the UnixFS DAG of `content` in the `unixfs-v1-2025` layout (with `ipfs-unixfs-importer`,
 * the reference JS importer) and returns its root CID and blocks. `content` may be a stream (a
 * file read from disk), so large content is hashed chunk by chunk between reads.
 *
 * @example
 * const { cid } = await buildIpfsDag(new TextEncoder().encode("hello world"))
 * cid.toString() // "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 */
export async function buildIpfsDag(content: Uint8Array | AsyncIterable<Uint8Array>): Promise<IpfsDag> {
  const blocks: IpfsBlock[] = [];
  const blockstore = {
    put(cid: CID, bytes: Uint8Array) {
      blocks.push({ cid, bytes });
      return cid;
    },
  };
  // Loaded on first use: the importer takes ~0.4 s to load, which every CLI command would pay.
  const { importer } = await import("ipfs-unixfs-importer");
  let root: { cid: CID; size: bigint } | undefined;
  // One file, no directory: the importer yields exactly one entry, the file's root.
  for await (const entry of importer([{ content }], blockstore, { profile: "unixfs-v1-2025" })) root = entry;
  if (!root) throw new Error("The importer produced no root");
  // A block repeated in the content (identical chunks) is kept once.
  const seen = new Set<string>();
  const unique = blocks.filter(({ cid }) => !seen.has(cid.toString()) && seen.add(cid.toString()));
  return { cid: root.cid, size: Number(root.size), blocks: unique };
}

/**
 * The CIDv1 (base32) of `content` in the `unixfs-v1-2025` layout: the name `ipfs://<cid>`
 * fetches it by.
 *
 * @example
 * await computeCid(new TextEncoder().encode("hello world"))
 * // "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 */
export async function computeCid(content: Uint8Array | AsyncIterable<Uint8Array>): Promise<string> {
  return (await buildIpfsDag(content)).cid.toString();
}

/**
 * `ipfs://<cid>` for a CID (string or `CID`).
 *
 * @example
 * ipfsUri("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")
 * // "ipfs://bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 */
export function ipfsUri(cid: CID | string): string {
  return `ipfs://${parseJobCid(cid.toString(), String(cid)).toString()}`;
}

/**
 * The CID named by an `ipfs://<cid>` URI, checked to be one a job may name: CIDv1, sha2-256,
 * raw or dag-pb, no path. Throws `UnsupportedUriError` with the reason otherwise.
 *
 * @example
 * parseIpfsUri("ipfs://bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e").code // 0x55 (raw)
 */
export function parseIpfsUri(uri: string | URL): CID {
  const text = uri.toString();
  const url = typeof uri === "string" ? (URL.canParse(uri) ? new URL(uri) : undefined) : uri;
  if (url?.protocol !== "ipfs:") throw new UnsupportedUriError({ uri: text, details: "An IPFS URI is ipfs://<CIDv1>." });
  if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash || url.username || url.port) {
    throw new UnsupportedUriError({
      uri: text,
      scheme: "ipfs:",
      details: "An ipfs:// job URI names one file: ipfs://<CIDv1>, no path, query or fragment.",
    });
  }
  return parseJobCid(url.hostname, text);
}

/** `text` as a CID a job may name (see `parseIpfsUri`). */
export function parseJobCid(text: string, uri: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new UnsupportedUriError({ uri, scheme: "ipfs:", details: `"${text}" is not a CID.` });
  }
  if (cid.version !== 1) {
    // Base58 CIDv0 is case-sensitive, and URL hosts get lower-cased: only CIDv1 survives a URI.
    throw new UnsupportedUriError({ uri, scheme: "ipfs:", details: `Use the CIDv1 form (${cid.toV1().toString()}).` });
  }
  if (cid.multihash.code !== SHA2_256_CODE) {
    throw new UnsupportedUriError({
      uri,
      scheme: "ipfs:",
      details: `Only sha2-256 CIDs are fetched (multihash 0x${cid.multihash.code.toString(16)}).`,
    });
  }
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) {
    throw new UnsupportedUriError({
      uri,
      scheme: "ipfs:",
      details: `Only raw and dag-pb (UnixFS file) CIDs are fetched (codec 0x${cid.code.toString(16)}).`,
    });
  }
  return cid;
}
