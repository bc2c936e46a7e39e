import { Worker } from "node:worker_threads";

import type { Hex } from "viem";

import { ContentHashMismatchError } from "./errors.ts";
import { hashContent, normalizeContentHash } from "./hash.ts";
import type { HashRequest, HashResponse } from "./hash-worker.ts";
import { siblingModuleUrl } from "../module-url.ts";

/**
 * Content at most this large is hashed inline (JS keccak runs at roughly 20–40 MB/s: 256 KiB
 * takes well under 10 ms); larger content is hashed in a worker thread, so the event loop of a
 * daemon (which also polls the chain, sends transactions and serves content) never waits for it.
 */
export const INLINE_HASH_BYTES = 256 * 1024;

const WORKER_URL = siblingModuleUrl("hash-worker", import.meta.url);
/** An idle worker is ended after this long (it is also `unref`'d: it never keeps a process alive). */
const IDLE_MS = 10_000;

let worker: Worker | undefined;
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;
const pending = new Map<number, { resolve: (r: Extract<HashResponse, { hash: Hex }>) => void; reject: (e: Error) => void }>();
let calls = 0;

/** How many times content was hashed through this module (inline or in the worker); for tests. */
export function hashCallCount(): number {
  return calls;
}

function getWorker(): Worker {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  if (worker) return worker;
  const w = new Worker(WORKER_URL);
  w.unref();
  w.on("message", (response: HashResponse) => {
    const entry = pending.get(response.id);
    if (!entry) return;
    pending.delete(response.id);
    if ("error" in response) entry.reject(Object.assign(new Error(response.error.message), { code: response.error.code }));
    else entry.resolve(response);
    if (pending.size === 0) scheduleIdle();
  });
  const fail = (error: Error) => {
    if (worker === w) worker = undefined;
    for (const [id, entry] of pending) {
      pending.delete(id);
      entry.reject(error);
    }
  };
  w.on("error", fail);
  w.on("exit", (code) => fail(new Error(`hash worker exited with code ${code}`)));
  worker = w;
  return w;
}

function scheduleIdle() {
  idleTimer = setTimeout(() => {
    const w = worker;
    worker = undefined;
    void w?.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

function request(message: Omit<HashRequest, "id">, transfer: ArrayBuffer[] = []) {
  const id = nextId++;
  const w = getWorker();
  return new Promise<Extract<HashResponse, { hash: Hex }>>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ ...message, id }, transfer);
  });
}

/**
 * `keccak256(bytes)` without blocking the event loop: inline for small content, in a worker
 * thread otherwise (a copy travels there; the caller's bytes are left as they are). With
 * `transfer`, the caller gives its buffer away instead and must use the returned `bytes`
 * (the same content, a different object).
 *
 * @example
 * const { hash } = await hashContentAsync(bytes)
 */
export async function hashContentAsync(bytes: Uint8Array, { transfer = false } = {}): Promise<{ hash: Hex; bytes: Uint8Array }> {
  calls++;
  if (bytes.byteLength <= INLINE_HASH_BYTES) return { hash: hashContent(bytes), bytes };
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const own = transfer && whole ? bytes : bytes.slice();
  const response = await request({ bytes: own }, [own.buffer as ArrayBuffer]);
  return { hash: response.hash.toLowerCase() as Hex, bytes: own === bytes ? response.bytes! : bytes };
}

/**
 * `keccak256` of the file at `path`, read and hashed in a worker thread. Rejects with the file
 * system's error (`code` set, e.g. `ENOENT`).
 */
export async function hashFileAsync(path: string): Promise<{ hash: Hex; size: number }> {
  calls++;
  const response = await request({ path });
  return { hash: response.hash.toLowerCase() as Hex, size: response.size };
}

/**
 * `verifyContent` without blocking the event loop: resolves to the bytes (the same object
 * unless `transfer`, see `hashContentAsync`) when they hash to `expectedHash`, else rejects with
 * `ContentHashMismatchError` naming `source`.
 */
export async function verifyContentAsync(
  bytes: Uint8Array,
  expectedHash: Hex,
  source: string,
  { transfer = false } = {},
): Promise<Uint8Array> {
  const expected = normalizeContentHash(expectedHash);
  const { hash, bytes: same } = await hashContentAsync(bytes, { transfer });
  if (hash !== expected) throw new ContentHashMismatchError({ expectedHash: expected, actualHash: hash, source });
  return same;
}
