import type { Hex } from "viem";

export type ContentMemo = {
  /**
   * The bytes of `hash`: the memo's copy, the load of `hash` from `source` already under way, or
   * `load()`'s (kept when it succeeds and fits). Loads are shared per hash and source, never
   * across sources: a bad or slow URI for a hash must not fail a job that names a good one. A
   * failed load is not kept: the next call loads again.
   */
  get(hash: Hex, source: string, load: () => Promise<Uint8Array>): Promise<Uint8Array>;
  /** Bytes held now. */
  readonly bytes: number;
  clear(): void;
};

/**
 * Verified job content (programs, inputs) kept in memory by hash, least recently used first out,
 * at most `maxBytes` in all and `maxEntryBytes` per blob. A provider reads a job's program and
 * input when it prepares the job and again when it runs it, and many jobs share one program:
 * without the memo every job read its program from the store twice (a `stat` and a file read
 * each) and the first jobs prepared at once all downloaded the same program. Only bytes already
 * verified against their hash go in (what `fetchContent` returns).
 *
 * @example
 * const memo = createContentMemo({ maxBytes: 64 << 20 })
 * const wasm = await memo.get(hash, uri, () => fetchContent(store, config, { uri, hash }))
 */
export function createContentMemo({ maxBytes, maxEntryBytes = maxBytes / 8 }: { maxBytes: number; maxEntryBytes?: number }): ContentMemo {
  const held = new Map<string, Uint8Array>();
  const loading = new Map<string, Promise<Uint8Array>>();
  let bytes = 0;

  function keep(key: string, value: Uint8Array) {
    if (value.byteLength > maxEntryBytes || held.has(key)) return;
    held.set(key, value);
    bytes += value.byteLength;
    for (const [k, v] of held) {
      if (bytes <= maxBytes) break;
      held.delete(k);
      bytes -= v.byteLength;
    }
  }

  return {
    get(hash, source, load) {
      const key = hash.toLowerCase();
      const value = held.get(key);
      if (value) {
        held.delete(key); // re-insert: most recently used last
        held.set(key, value);
        return Promise.resolve(value);
      }
      const loadKey = `${key}@${source}`;
      let pending = loading.get(loadKey);
      if (!pending) {
        pending = load().then(
          (loaded) => {
            loading.delete(loadKey);
            keep(key, loaded);
            return loaded;
          },
          (error: unknown) => {
            loading.delete(loadKey);
            throw error;
          },
        );
        loading.set(loadKey, pending);
      }
      return pending;
    },
    get bytes() {
      return bytes;
    },
    clear() {
      held.clear();
      bytes = 0;
    },
  };
}
