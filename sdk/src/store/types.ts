import type { Hex } from "viem";

/**
 * Content-addressed storage for programs, inputs and outputs. Content is addressed by
 * `keccak256(bytes)`; every `get` verifies the bytes against the hash before returning them
 * and throws `ContentHashMismatchError` otherwise (never returns unverified data).
 */
export interface ContentStore {
  /** Stores the bytes and returns their hash and a URI another party can fetch them from. */
  put(bytes: Uint8Array): Promise<{ hash: Hex; uri: string }>;
  /** Returns the bytes whose keccak256 is `hash`; throws `ContentNotFoundError` if absent. */
  get(hash: Hex): Promise<Uint8Array>;
  /** Whether the store holds content with this hash. */
  has(hash: Hex): Promise<boolean>;
}
