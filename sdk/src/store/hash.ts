import { keccak256, type Hex } from "viem";

import { ContentHashMismatchError, InvalidContentHashError } from "./errors.ts";

const CONTENT_HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * The address of some content: `keccak256(bytes)`, 0x-prefixed lowercase hex.
 *
 * @example
 * const hash = hashContent(new TextEncoder().encode("hello"))
 */
export function hashContent(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

/**
 * Whether `value` is shaped like a content hash (0x + 64 hex digits, any case).
 *
 * @example
 * isContentHash("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8") // true
 */
export function isContentHash(value: unknown): value is Hex {
  return typeof value === "string" && CONTENT_HASH.test(value);
}

/**
 * Checks that `value` is a content hash and returns its canonical (lowercase) form; throws
 * `InvalidContentHashError` otherwise. Stores call this before touching a path or a URL, so a
 * hash can never smuggle `../` or a query string in.
 *
 * @example
 * const hash = normalizeContentHash(params.hash) // "0x1c8a…" or throws
 */
export function normalizeContentHash(value: string): Hex {
  if (!isContentHash(value)) throw new InvalidContentHashError({ value: String(value) });
  return value.toLowerCase() as Hex;
}

/**
 * Returns `bytes` if they hash to `expectedHash`, otherwise throws `ContentHashMismatchError`
 * naming `source`. The only way content leaves a store.
 *
 * @example
 * const program = verifyContent(await readFile(path), job.programHash, path)
 */
export function verifyContent(bytes: Uint8Array, expectedHash: Hex, source: string): Uint8Array {
  const expected = normalizeContentHash(expectedHash);
  const actual = hashContent(bytes);
  if (actual !== expected) throw new ContentHashMismatchError({ expectedHash: expected, actualHash: actual, source });
  return bytes;
}
