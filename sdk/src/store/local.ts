import { randomUUID } from "node:crypto";
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Hex } from "viem";

import { ContentNotFoundError, ContentUnavailableError } from "./errors.ts";
import { hashContent, normalizeContentHash } from "./hash.ts";
import { readContentFile, toContentError } from "./read-file.ts";
import type { ContentStore, GetContentOptions } from "./types.ts";
import { localContentUri } from "./uri.ts";

export type CreateLocalStoreParameters = {
  /** Directory holding one file per content hash; created on the first `put`. */
  dir: string;
};

export type LocalStore = ContentStore & {
  /** The store's directory, as an absolute path. */
  readonly dir: string;
  size(hash: Hex): Promise<number>;
  uriFor(hash: Hex): string;
};

/**
 * A content store in a local directory: each blob is a file named by its hash
 * (`<dir>/0x<64 hex>`), written atomically (temporary file, fsync, rename) so a crash never
 * leaves a half-written blob under a hash. `uri` is the file's `file://` URL. Every `get`
 * re-hashes the file, so a byte altered on disk is reported as `ContentHashMismatchError`.
 *
 * @example
 * const store = createLocalStore({ dir: "/var/lib/hashwork/content" })
 * const { hash, uri } = await store.put(wasmBytes) // uri: "file:///var/lib/hashwork/content/0x…"
 * const same = await store.get(hash)
 */
export function createLocalStore({ dir }: CreateLocalStoreParameters): LocalStore {
  const root = resolve(dir);
  const pathOf = (hash: Hex) => join(root, normalizeContentHash(hash));

  return {
    dir: root,

    async put(bytes) {
      const hash = hashContent(bytes);
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
      } catch (error) {
        await unlink(temp).catch(() => {});
        const mapped = toContentError(error, hash, localContentUri(root, hash));
        throw mapped instanceof ContentNotFoundError
          ? new ContentUnavailableError({ source: localContentUri(root, hash), retryable: false, cause: error })
          : mapped;
      }
      return { hash, uri: localContentUri(root, hash) };
    },

    async get(hash, options: GetContentOptions = {}) {
      return readContentFile(pathOf(hash), hash, { source: localContentUri(root, hash), ...options });
    },

    async has(hash) {
      try {
        return (await stat(pathOf(hash))).isFile();
      } catch (error) {
        const mapped = toContentError(error, hash, localContentUri(root, hash));
        if (mapped instanceof ContentNotFoundError) return false;
        throw mapped;
      }
    },

    async size(hash) {
      try {
        return (await stat(pathOf(hash))).size;
      } catch (error) {
        throw toContentError(error, hash, localContentUri(root, hash));
      }
    },

    uriFor(hash) {
      return localContentUri(root, hash);
    },
  };
}
