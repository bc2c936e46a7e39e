import type { Hex } from "viem";

/** Per-call limits for reading content. */
export type GetContentOptions = {
  /** Refuse content larger than this many bytes (`ContentTooLargeError`). */
  maxBytes?: number;
  /** Abandon the read when this signal aborts (`ContentUnavailableError`). */
  signal?: AbortSignal;
};

/**
 * Content-addressed storage for programs, inputs and outputs. Content is addressed by
 * `keccak256(bytes)`; every `get` verifies the bytes against the hash before returning them
 * and throws `ContentHashMismatchError` otherwise (never returns unverified data).
 */
export interface ContentStore {
  /** Stores the bytes and returns their hash and a URI another party can fetch them from. */
  put(bytes: Uint8Array): Promise<{ hash: Hex; uri: string }>;
  /** Returns the bytes whose keccak256 is `hash`; throws `ContentNotFoundError` if absent. */
  get(hash: Hex, options?: GetContentOptions): Promise<Uint8Array>;
  /** Whether the store holds content with this hash. */
  has(hash: Hex): Promise<boolean>;
  /** Size in bytes of the stored content (unverified); throws `ContentNotFoundError` if absent. */
  size?(hash: Hex): Promise<number>;
  /** The canonical URI of `hash` in this store (whether or not it is stored yet). */
  uriFor?(hash: Hex): string;
}
