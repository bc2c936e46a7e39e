// Worker thread for `hash-async.ts`: keccak256 of bytes or of a file, off the main thread.
import { readFile } from "node:fs/promises";
import { parentPort } from "node:worker_threads";

import { keccak256 } from "viem";

export type HashRequest = { id: number; bytes?: Uint8Array; path?: string; maxBytes?: number };
export type HashResponse =
  | { id: number; hash: `0x${string}`; bytes?: Uint8Array; size: number }
  | { id: number; error: { message: string; code?: string } };

parentPort!.on("message", async (request: HashRequest) => {
  try {
    if (request.bytes) {
      // The bytes travel back with the hash (transferred, not copied).
      parentPort!.postMessage(
        { id: request.id, hash: keccak256(request.bytes), bytes: request.bytes, size: request.bytes.byteLength } satisfies HashResponse,
        [request.bytes.buffer as ArrayBuffer],
      );
    } else {
      const bytes = await readFile(request.path!);
      parentPort!.postMessage({ id: request.id, hash: keccak256(bytes), size: bytes.byteLength } satisfies HashResponse);
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: request.id, error: { message: e?.message ?? String(error), code: e?.code } } satisfies HashResponse);
  }
});
