import type { Hex } from "viem";

/** Per-call limits for reading content. */
export type GetContentOptions = {
  /** Refuse content larger than this many bytes (`ContentTooLargeError`). */
  maxBytes?: number;
  /** Abandon the read when this signal aborts (`ContentUnavailableError`). */
  signal?: AbortSignal;
};

/** Stored content as a stream (see `ContentStore.stream`). */
export type ContentStream = {
  /** The content's size in bytes. */
  size: number;
  /** The bytes, read from where they are kept. */
  stream: import("node:stream").Readable;
};

/**
 * Content-addressed storage for programs, inputs and outputs. Content is addressed by
 * `keccak256(bytes)`; every `get` verifies the bytes against the hash before returning them
 * and throws `ContentHashMismatchError` otherwise (never returns unverified data).
 */
export interface ContentStore {
  /**
   * Stores the bytes and returns their hash and a URI another party can fetch them from.
   * `options.hash`: the bytes' keccak256 as the caller just computed or verified it (a store may
   * then skip hashing them again; a wrong one is the caller's bug, as with `module-cache`).
   */
  put(bytes: Uint8Array, options?: { hash?: Hex }): Promise<{ hash: Hex; uri: string }>;
  /** Returns the bytes whose keccak256 is `hash`; throws `ContentNotFoundError` if absent. */
  get(hash: Hex, options?: GetContentOptions): Promise<Uint8Array>;
  /** Whether the store holds content with this hash. */
  has(hash: Hex): Promise<boolean>;
  /** Size in bytes of the stored content (unverified); throws `ContentNotFoundError` if absent. */
  size?(hash: Hex): Promise<number>;
  /**
   * The content as a stream, for serving large blobs without holding or hashing them on the
   * event loop: only content the store has verified (when it entered the store, or again after
   * it changed) is streamed; `ContentHashMismatchError` otherwise.
   */
  stream?(hash: Hex, options?: GetContentOptions): Promise<ContentStream>;
  /** The canonical URI of `hash` in this store (whether or not it is stored yet). */
  uriFor?(hash: Hex): string;
  /**
   * Records that the IPFS CID `cid` (CIDv1, `unixfs-v1-2025` layout: `computeCid`) names the
   * stored content `hash`, so a content server over this store answers `/ipfs/<cid>`. The
   * caller vouches for the pair; the content server checks it before serving.
   */
  recordCid?(cid: string, hash: Hex): Promise<void>;
  /** The content hash a recorded CID names, or undefined. */
  hashOfCid?(cid: string): Promise<Hex | undefined>;
}
