import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Hex } from "viem";

import { ContentHashMismatchError, ContentNotFoundError, ContentTooLargeError, ContentUnavailableError } from "./errors.ts";
import { hashContentAsync, hashFileAsync, verifyContentAsync } from "./hash-async.ts";
import { isContentHash, normalizeContentHash } from "./hash.ts";
import { parseJobCid } from "./ipfs-cid.ts";
import { toContentError } from "./read-file.ts";
import type { ContentStore, ContentStream, GetContentOptions } from "./types.ts";
import { localContentUri } from "./uri.ts";

export type CreateLocalStoreParameters = {
  /** Directory holding one file per content hash; created on the first `put`. */
  dir: string;
};

export type PruneLocalStoreParameters = {
  /** Blobs last written before this time (ms since the epoch) are deleted… */
  olderThan: number;
  /** …unless their hash is in here (content an open job still needs). */
  keep?: ReadonlySet<string>;
  /** Only these hashes are considered (e.g. outputs of finalized jobs); temporary files are left alone then. */
  only?: ReadonlySet<string>;
};

export type LocalStore = ContentStore & {
  /** The store's directory, as an absolute path. */
  readonly dir: string;
  size(hash: Hex): Promise<number>;
  uriFor(hash: Hex): string;
  stream(hash: Hex, options?: GetContentOptions): Promise<ContentStream>;
  recordCid(cid: string, hash: Hex): Promise<void>;
  hashOfCid(cid: string): Promise<Hex | undefined>;
  /**
   * Deletes blobs written before `olderThan` whose hash is not in `keep` (and temporary files
   * left by a crash); returns how many blobs and bytes went.
   */
  prune(parameters: PruneLocalStoreParameters): Promise<{ removed: number; bytes: number }>;
};

/** What a blob's file looked like when its bytes were last verified. */
type Verified = { size: number; mtimeMs: number; ino: number };

const sameFile = (a: Verified | undefined, b: { size: number; mtimeMs: number; ino: number }) =>
  a !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/** Temporary files older than this are leftovers of a crash. */
const STALE_TEMP_MS = 60 * 60_000;

/**
 * A content store in a local directory: each blob is a file named by its hash
 * (`<dir>/0x<64 hex>`), written atomically (temporary file, fsync, rename) so a crash never
 * leaves a half-written blob under a hash. `uri` is the file's `file://` URL.
 *
 * Content is verified when it enters the store (`put` hashes it) and the file's identity (size,
 * mtime, inode) is recorded as verified; `get` and `stream` return a recorded file without
 * hashing it again, and re-verify a file that changed on disk or that this process has not seen
 * yet (a byte altered on disk is reported as `ContentHashMismatchError`). Hashing large content
 * runs in a worker thread, so the event loop never waits for it; `stream` serves from disk.
 * IPFS CIDs recorded with `recordCid` are kept as `<dir>/ipfs/<cid>` (the content hash inside),
 * so a content server over the directory answers `/ipfs/<cid>`; `prune` leaves them alone.
 *
 * @example
 * const store = createLocalStore({ dir: "/var/lib/hashwork/content" })
 * const { hash, uri } = await store.put(wasmBytes) // uri: "file:///var/lib/hashwork/content/0x…"
 * const same = await store.get(hash)
 */
export function createLocalStore({ dir }: CreateLocalStoreParameters): LocalStore {
  const root = resolve(dir);
  /** Recorded IPFS CIDs: `<dir>/ipfs/<cid>` holds the content hash the CID names. */
  const cidDir = join(root, "ipfs");
  const pathOf = (hash: Hex) => join(root, normalizeContentHash(hash));
  const sourceOf = (hash: Hex) => localContentUri(root, hash);
  const verified = new Map<Hex, Verified>();
  /** Verifications of files on disk in flight, one per hash (parallel readers share it). */
  const verifying = new Map<Hex, Promise<void>>();

  const identity = (s: { size: number; mtimeMs: number; ino: number }): Verified => ({ size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });

  /** Hashes the file (in the worker) and records it, or throws `ContentHashMismatchError`. */
  function verifyFile(hash: Hex): Promise<void> {
    let running = verifying.get(hash);
    if (!running) {
      running = (async () => {
        const before = await stat(pathOf(hash));
        const { hash: actual } = await hashFileAsync(pathOf(hash));
        if (actual !== hash) {
          verified.delete(hash);
          throw new ContentHashMismatchError({ expectedHash: hash, actualHash: actual, source: sourceOf(hash) });
        }
        const after = await stat(pathOf(hash));
        // Changed while being hashed: leave it unrecorded (the next read verifies it again).
        if (sameFile(identity(before), after)) verified.set(hash, identity(after));
      })().finally(() => verifying.delete(hash));
      verifying.set(hash, running);
    }
    return running;
  }

  /** Opens a blob for reading: a regular file, within `maxBytes`. */
  async function openBlob(hash: Hex, options: GetContentOptions): Promise<{ handle: FileHandle; info: Verified }> {
    options.signal?.throwIfAborted();
    const handle = await open(pathOf(hash), "r");
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ContentUnavailableError({ source: sourceOf(hash), retryable: false, details: "Not a regular file" });
      if (options.maxBytes !== undefined && stats.size > options.maxBytes) {
        throw new ContentTooLargeError({ maxBytes: options.maxBytes, size: stats.size, source: sourceOf(hash) });
      }
      return { handle, info: identity(stats) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  return {
    dir: root,

    async put(bytes, options) {
      const hash = options?.hash ? normalizeContentHash(options.hash) : (await hashContentAsync(bytes)).hash;
      const target = pathOf(hash);
      // Dot-prefixed, so a temporary file never looks like a hash.
      const temp = join(root, `.${hash}.${process.pid}.${randomUUID()}.tmp`);
      try {
        await mkdir(root, { recursive: true });
        const handle = await open(temp, "wx");
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, target);
        verified.set(hash, identity(await stat(target)));
      } catch (error) {
        await unlink(temp).catch(() => {});
        const mapped = toContentError(error, hash, sourceOf(hash));
        throw mapped instanceof ContentNotFoundError
          ? new ContentUnavailableError({ source: sourceOf(hash), retryable: false, cause: error })
          : mapped;
      }
      return { hash, uri: sourceOf(hash) };
    },

    async get(hash, options: GetContentOptions = {}) {
      const canonical = normalizeContentHash(hash);
      const source = sourceOf(canonical);
      try {
        const { handle, info } = await openBlob(canonical, options);
        let bytes: Uint8Array;
        try {
          const buffer = await handle.readFile({ signal: options.signal });
          bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
        } finally {
          await handle.close();
        }
        if (sameFile(verified.get(canonical), info) && bytes.byteLength === info.size) return bytes;
        bytes = await verifyContentAsync(bytes, canonical, source, { transfer: true });
        verified.set(canonical, info);
        return bytes;
      } catch (error) {
        if (error instanceof ContentHashMismatchError) {
          verified.delete(canonical);
          throw error;
        }
        throw toContentError(error, canonical, source);
      }
    },

    async stream(hash, options: GetContentOptions = {}) {
      const canonical = normalizeContentHash(hash);
      const source = sourceOf(canonical);
      try {
        for (let attempt = 0; ; attempt++) {
          const { handle, info } = await openBlob(canonical, options);
          if (sameFile(verified.get(canonical), info)) {
            return { size: info.size, stream: handle.createReadStream({ autoClose: true, signal: options.signal }) };
          }
          await handle.close();
          // Not verified in this process yet, or changed on disk since: hash it (off the main thread).
          if (attempt > 0) throw new ContentUnavailableError({ source, retryable: true, details: "The file keeps changing" });
          await verifyFile(canonical);
        }
      } catch (error) {
        if (error instanceof ContentHashMismatchError) throw error;
        throw toContentError(error, canonical, source);
      }
    },

    async has(hash) {
      try {
        return (await stat(pathOf(hash))).isFile();
      } catch (error) {
        const mapped = toContentError(error, hash, sourceOf(hash));
        if (mapped instanceof ContentNotFoundError) return false;
        throw mapped;
      }
    },

    async size(hash) {
      try {
        return (await stat(pathOf(hash))).size;
      } catch (error) {
        throw toContentError(error, hash, sourceOf(hash));
      }
    },

    uriFor(hash) {
      return sourceOf(hash);
    },

    async recordCid(cid, hash) {
      const name = parseJobCid(cid, `ipfs://${cid}`).toString();
      const temp = join(cidDir, `.${name}.${process.pid}.${randomUUID()}.tmp`);
      await mkdir(cidDir, { recursive: true });
      await writeFile(temp, normalizeContentHash(hash));
      await rename(temp, join(cidDir, name));
    },

    async hashOfCid(cid) {
      let name: string;
      try {
        name = parseJobCid(cid, `ipfs://${cid}`).toString();
      } catch {
        return undefined;
      }
      // Only the canonical form has a file: another spelling of the CID is another path.
      if (name !== cid) return undefined;
      const text = await readFile(join(cidDir, name), "utf8").catch(() => undefined);
      return text !== undefined && isContentHash(text.trim()) ? normalizeContentHash(text.trim()) : undefined;
    },

    async prune({ olderThan, keep = new Set(), only }) {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return { removed: 0, bytes: 0 };
        throw error;
      }
      let removed = 0;
      let bytes = 0;
      for (const name of names) {
        const blob = isContentHash(name);
        const temp = !only && name.startsWith(".") && name.endsWith(".tmp");
        if (!blob && !temp) continue;
        const hash = name.toLowerCase() as Hex;
        if (only && !only.has(hash)) continue;
        if (blob && (keep.has(hash) || verifying.has(hash))) continue;
        const path = join(root, name);
        try {
          const s = await stat(path);
          if (!s.isFile() || s.mtimeMs >= (temp ? Math.min(olderThan, Date.now() - STALE_TEMP_MS) : olderThan)) continue;
          await unlink(path);
          if (blob) {
            verified.delete(hash);
            removed++;
            bytes += s.size;
          }
        } catch {
          // Gone already, or not ours to delete: the next prune looks again.
        }
      }
      return { removed, bytes };
    },
  };
}
