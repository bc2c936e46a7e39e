import { open } from "node:fs/promises";
import type { Hex } from "viem";

import { ContentNotFoundError, ContentTooLargeError, ContentUnavailableError } from "./errors.ts";
import { verifyContentAsync } from "./hash-async.ts";

/** Error codes after which reading the same file again may work. */
const TRANSIENT_FS_CODES = new Set(["EAGAIN", "EBUSY", "EIO", "EMFILE", "ENFILE", "ENOMEM", "ETIMEDOUT"]);

export type ReadContentFileOptions = {
  /** Where the bytes come from, for error messages (e.g. the file URI). */
  source: string;
  maxBytes?: number;
  signal?: AbortSignal;
};

/**
 * Reads the file at `path` and returns its bytes once they hash to `hash`. Throws
 * `ContentNotFoundError` when the file is missing, `ContentTooLargeError` past `maxBytes`
 * (checked before reading), `ContentHashMismatchError` when the bytes were altered and
 * `ContentUnavailableError` for other I/O failures and for anything but a regular file. Large
 * files are hashed in a worker thread (the event loop is never blocked by the hash).
 *
 * @example
 * const bytes = await readContentFile("/data/0x1c8a…", hash, { source: uri, maxBytes: 1 << 20 })
 */
export async function readContentFile(path: string, hash: Hex, options: ReadContentFileOptions): Promise<Uint8Array> {
  const { source, maxBytes, signal } = options;
  let bytes: Uint8Array;
  try {
    signal?.throwIfAborted();
    const handle = await open(path, "r");
    try {
      const stats = await handle.stat();
      // A device or FIFO (file:///dev/zero) could stream forever or block: content is a regular file.
      if (!stats.isFile()) {
        throw new ContentUnavailableError({ source, retryable: false, details: "Not a regular file" });
      }
      const size = stats.size;
      if (maxBytes !== undefined && size > maxBytes) throw new ContentTooLargeError({ maxBytes, size, source });
      const buffer = await handle.readFile({ signal });
      bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw toContentError(error, hash, source);
  }
  if (maxBytes !== undefined && bytes.byteLength > maxBytes) {
    throw new ContentTooLargeError({ maxBytes, size: bytes.byteLength, source });
  }
  return verifyContentAsync(bytes, hash, source, { transfer: true });
}

/** Maps a file-system error to the store's typed errors (typed errors pass through). */
export function toContentError(error: unknown, hash: Hex, source: string): Error {
  if (error instanceof ContentTooLargeError || error instanceof ContentUnavailableError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return new ContentNotFoundError({ hash, source, cause: error });
  if (error instanceof Error && error.name === "AbortError") {
    return new ContentUnavailableError({ source, retryable: true, details: "The read was aborted", cause: error });
  }
  return new ContentUnavailableError({
    source,
    retryable: code !== undefined && TRANSIENT_FS_CODES.has(code),
    cause: error,
  });
}
