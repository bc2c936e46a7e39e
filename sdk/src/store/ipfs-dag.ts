import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import { equals as digestEquals } from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";

import { ContentTooLargeError, InvalidIpfsDagError, IpfsBlockMismatchError } from "./errors.ts";
import { DAG_PB_CODEC, RAW_CODEC, SHA2_256_CODE } from "./ipfs-cid.ts";

/**
 * Deepest UnixFS file DAG accepted. A balanced `unixfs-v1-2025` DAG of 1 TiB is 3 levels deep;
 * the cap keeps a hostile chain of one-link nodes from recursing without end.
 */
export const MAX_IPFS_DAG_DEPTH = 16;

/**
 * The most nodes one file may visit (links to the same block count each time). Without it a few
 * kilobytes of nodes linking one child many times over make a walk of F^depth steps that no
 * timeout can stop (it runs after the reply arrived): 131,072 visits take well under a second,
 * and cover 64 MiB in 1 KiB leaves, far finer than any importer's chunks.
 */
export const MAX_IPFS_DAG_NODES = 1 << 17;

/**
 * Whether `bytes` hash to `cid` (sha2-256 only). Throws `IpfsBlockMismatchError` otherwise.
 *
 * @example
 * verifyIpfsBlock(cid, bytes, "http://127.0.0.1:8080")
 */
export function verifyIpfsBlock(cid: CID, bytes: Uint8Array, source: string): void {
  if (cid.multihash.code !== SHA2_256_CODE) throw new IpfsBlockMismatchError({ cid: cid.toString(), source });
  const digest = sha256.digest(bytes);
  // `sha256.digest` is synchronous in Node (node:crypto).
  if (digest instanceof Promise || !digestEquals(digest, cid.multihash)) throw new IpfsBlockMismatchError({ cid: cid.toString(), source });
}

export type ReadUnixfsFileOptions = {
  /** Largest file accepted: assembly stops as soon as the output passes it. */
  maxBytes: number;
  /** Where the blocks came from (for errors). */
  source: string;
};

/**
 * The bytes of the UnixFS file whose root is `root`, from `blocks` (CID string → bytes, each
 * already checked against its CID by `verifyIpfsBlock`). A raw root is the file itself; a dag-pb
 * root must be a UnixFS `file` node whose children (raw leaves or `file` nodes, in link order)
 * make up the rest. Every node's declared sizes must match what its children hold, the output is
 * capped at `maxBytes` while it is assembled (a DAG linking one leaf a thousand times cannot
 * inflate past it), and depth is capped at `MAX_IPFS_DAG_DEPTH`. Throws `InvalidIpfsDagError`
 * (missing block, not a file, sizes wrong, too deep) or `ContentTooLargeError`.
 *
 * @example
 * const file = readUnixfsFile(cid, blocks, { maxBytes: 64 * 1024 * 1024, source: gateway })
 */
export function readUnixfsFile(
  root: CID,
  blocks: ReadonlyMap<string, Uint8Array>,
  { maxBytes, source }: ReadUnixfsFileOptions,
): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const invalid = (cid: CID, reason: string) => new InvalidIpfsDagError({ cid: root.toString(), source, reason: `${cid}: ${reason}` });
  const emit = (bytes: Uint8Array) => {
    total += bytes.byteLength;
    if (total > maxBytes) throw new ContentTooLargeError({ maxBytes, size: total, source: `ipfs://${root} from ${source}` });
    if (bytes.byteLength > 0) parts.push(bytes);
  };

  let visits = 0;
  const decoded = new Map<string, { node: dagPb.PBNode; unixfs: UnixFS }>();

  /** Appends the file bytes under `cid`; returns how many it appended. */
  function walk(cid: CID, depth: number): number {
    if (depth > MAX_IPFS_DAG_DEPTH) throw invalid(cid, `deeper than ${MAX_IPFS_DAG_DEPTH} levels`);
    if (++visits > MAX_IPFS_DAG_NODES) throw invalid(root, `visits more than ${MAX_IPFS_DAG_NODES} nodes`);
    const bytes = blocks.get(cid.toString());
    if (!bytes) throw invalid(cid, "block missing from the gateway's reply");
    if (cid.code === RAW_CODEC) {
      emit(bytes);
      return bytes.byteLength;
    }
    if (cid.code !== DAG_PB_CODEC) throw invalid(cid, `codec 0x${cid.code.toString(16)} is not raw or dag-pb`);
    const { node, unixfs } = decode(cid, bytes);
    if (unixfs.type !== "file" && unixfs.type !== "raw") throw invalid(cid, `a UnixFS ${unixfs.type}, not a file`);
    if (node.Links.length > 0 && unixfs.blockSizes.length !== node.Links.length) {
      throw invalid(cid, `${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`);
    }
    let size = 0;
    if (unixfs.data) {
      emit(unixfs.data);
      size += unixfs.data.byteLength;
    }
    node.Links.forEach((link, i) => {
      // An importer never links an empty chunk; a zero-size link only multiplies the walk.
      if (unixfs.blockSizes[i] === 0n) throw invalid(cid, `link ${i} declares 0 bytes`);
      const got = walk(link.Hash, depth + 1);
      if (BigInt(got) !== unixfs.blockSizes[i])
        throw invalid(cid, `link ${i} holds ${got} bytes, not the ${unixfs.blockSizes[i]} declared`);
      size += got;
    });
    return size;
  }

  /** Each block decoded once, however often it is linked. */
  function decode(cid: CID, bytes: Uint8Array): { node: dagPb.PBNode; unixfs: UnixFS } {
    const key = cid.toString();
    let entry = decoded.get(key);
    if (!entry) {
      try {
        const node = dagPb.decode(bytes);
        if (!node.Data) throw new Error("no UnixFS data");
        entry = { node, unixfs: UnixFS.unmarshal(node.Data) };
      } catch (error) {
        throw invalid(cid, `not a UnixFS node (${error instanceof Error ? error.message : String(error)})`);
      }
      decoded.set(key, entry);
    }
    return entry;
  }

  walk(root, 0);
  if (parts.length === 1) return parts[0];
  const file = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    file.set(part, offset);
    offset += part.byteLength;
  }
  return file;
}
