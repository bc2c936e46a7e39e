import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { keccak256, type Hex } from "viem";

import { instrumentationKey, type ExecutionLimits } from "../executor/abi.ts";
import type { Instrumenter } from "../executor/instrumenter.ts";

/** binaryen's version: its output is part of what metering means, so a new binaryen never reads an old file. */
const BINARYEN_VERSION = (createRequire(import.meta.url)("binaryen/package.json") as { version: string }).version;

/**
 * A fingerprint of the instrumenter's own code: every module of `executor/` (tests aside), where
 * validation, metering, NaN canonicalisation and the stack guard live. A fix there that forgets to
 * bump `METERING_VERSION` still never reads a module the old code made.
 */
const INSTRUMENTER_CODE = fingerprint(fileURLToPath(new URL("../executor/", import.meta.url)));

/** The end of every file name this code writes (and reads): older files are stale. */
const SUFFIX = `.binaryen-${BINARYEN_VERSION}.code-${INSTRUMENTER_CODE}.wasm`;

/** keccak256 of the instrumented bytes, ahead of them in each file: a torn file is never run. */
const CHECK_BYTES = 32;

/** What the folder may hold by default: far more than the programs a provider runs in a day. */
export const INSTRUMENTED_STORE_MAX_BYTES = 256 * 1024 * 1024;

function fingerprint(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.includes(".test."))
    .sort()) {
    hash
      .update(`${name}\0`)
      .update(readFileSync(join(dir, name)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Instrumented programs kept on disk (`<dataDir>/instrumented/`), keyed by program hash, the
 * instrumentation key (program ABI and metering versions, the limits baked in), binaryen's
 * version and a fingerprint of the instrumenter's code, in front of `inner` (the binaryen
 * process). A daemon restarting after a crash gets its programs back without binaryen: the
 * instrumentation process is not even started (`warm` does nothing while the folder holds a
 * current module), so the first claims do not wait for it to boot. At start, files of another
 * key (an upgrade) and temporary files a kill left are deleted; past `maxBytes` the least recently
 * used modules go. Refusals are not kept (the module cache keeps them for the process's life).
 * Each file starts with the keccak256 of the instrumented bytes; one that does not match (a torn
 * write) is deleted and the program instrumented again. The check is not an authentication: the
 * folder is as trusted as the daemon's key file.
 *
 * @example
 * const cache = createModuleCache({ instrumenter: createInstrumentedStore({ dir: join(dataDir, "instrumented"), inner }) })
 */
export function createInstrumentedStore({
  dir,
  inner,
  maxBytes = INSTRUMENTED_STORE_MAX_BYTES,
}: {
  dir: string;
  inner: Instrumenter;
  maxBytes?: number;
}): Instrumenter & { readonly hits: number } {
  mkdirSync(dir, { recursive: true });
  let hits = 0;
  // Current files by least recent use first, with their sizes.
  const kept = new Map<string, number>();
  let total = 0;
  for (const { name, size } of readdirSync(dir)
    .map((name) => ({ name, ...statSync(join(dir, name), { throwIfNoEntry: false }) }))
    .filter((f) => f.size !== undefined)
    .sort((a, b) => (a.mtimeMs ?? 0) - (b.mtimeMs ?? 0))) {
    if (name.endsWith(SUFFIX)) {
      kept.set(join(dir, name), size!);
      total += size!;
    } else unlinkQuietly(join(dir, name));
  }
  evict();

  function unlinkQuietly(path: string) {
    try {
      unlinkSync(path);
    } catch {
      // Gone already, or not ours to delete: either way it is never read.
    }
  }
  function forget(path: string) {
    total -= kept.get(path) ?? 0;
    kept.delete(path);
  }
  function evict() {
    for (const path of kept.keys()) {
      if (total <= maxBytes) return;
      forget(path);
      unlinkQuietly(path);
    }
  }

  const pathOf = (wasm: Uint8Array, limits: ExecutionLimits) =>
    join(dir, `${keccak256(wasm)}.${instrumentationKey(limits).replace(/[^\w.=-]/g, "_")}${SUFFIX}`);

  async function read(path: string): Promise<Uint8Array | undefined> {
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch {
      forget(path);
      return undefined;
    }
    const bytes = new Uint8Array(file.subarray(CHECK_BYTES));
    if (file.length > CHECK_BYTES && keccak256(bytes) === (`0x${file.subarray(0, CHECK_BYTES).toString("hex")}` as Hex)) {
      // Most recently used now.
      kept.delete(path);
      kept.set(path, file.length);
      return bytes;
    }
    forget(path);
    await unlink(path).catch(() => {});
    return undefined;
  }

  return {
    async instrument(wasm, limits) {
      const path = pathOf(wasm, limits);
      const found = await read(path);
      if (found) {
        hits++;
        return found;
      }
      const bytes = await inner.instrument(wasm, limits);
      // Best effort: a file that cannot be written only costs binaryen again after a restart.
      const temp = `${path}.${process.pid}.tmp`;
      const file = Buffer.concat([Buffer.from(keccak256(bytes).slice(2), "hex"), bytes]);
      await writeFile(temp, file)
        .then(() => rename(temp, path))
        .then(() => {
          forget(path);
          kept.set(path, file.length);
          total += file.length;
          evict();
        })
        .catch(() => unlink(temp).catch(() => {}));
      return bytes;
    },
    warm() {
      if (kept.size === 0) inner.warm();
    },
    close: () => inner.close(),
    get lastRun() {
      return inner.lastRun;
    },
    get hits() {
      return hits;
    },
  };
}
