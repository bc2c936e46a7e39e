import { mkdirSync, readdirSync } from "node:fs";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

import { keccak256, type Hex } from "viem";

import { instrumentationKey, type ExecutionLimits } from "../executor/abi.ts";
import type { Instrumenter } from "../executor/instrumenter.ts";

/** binaryen's version: its output is part of what metering means, so a new binaryen never reads an old file. */
const BINARYEN_VERSION = (createRequire(import.meta.url)("binaryen/package.json") as { version: string }).version;

/** keccak256 of the instrumented bytes, ahead of them in each file: a torn or altered file is never run. */
const CHECK_BYTES = 32;

/**
 * Instrumented programs kept on disk (`<dataDir>/instrumented/`), keyed by program hash, the
 * instrumentation key (program ABI and metering versions, the limits baked in) and binaryen's
 * version, in front of `inner` (the binaryen process). A daemon restarting after a crash or an
 * upgrade of nothing that meters gets its programs back without binaryen: the instrumentation
 * process is not even started (`warm` does nothing while the folder holds a module), so the
 * first claims do not wait for it to boot. Refusals are not kept (the module cache keeps them for
 * the process's life). Each file starts with the keccak256 of the instrumented bytes; one that does
 * not match is deleted and the program instrumented again.
 *
 * @example
 * const cache = createModuleCache({ instrumenter: createInstrumentedStore({ dir: join(dataDir, "instrumented") }) })
 */
export function createInstrumentedStore({ dir, inner }: { dir: string; inner: Instrumenter }): Instrumenter & { readonly hits: number } {
  mkdirSync(dir, { recursive: true });
  let hits = 0;
  const pathOf = (wasm: Uint8Array, limits: ExecutionLimits) =>
    join(dir, `${keccak256(wasm)}.${instrumentationKey(limits).replace(/[^\w.=-]/g, "_")}.binaryen-${BINARYEN_VERSION}.wasm`);

  async function read(path: string): Promise<Uint8Array | undefined> {
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch {
      return undefined;
    }
    const bytes = new Uint8Array(file.subarray(CHECK_BYTES));
    if (file.length > CHECK_BYTES && keccak256(bytes) === (`0x${file.subarray(0, CHECK_BYTES).toString("hex")}` as Hex)) return bytes;
    await unlink(path).catch(() => {});
    return undefined;
  }

  return {
    async instrument(wasm, limits) {
      const path = pathOf(wasm, limits);
      const kept = await read(path);
      if (kept) {
        hits++;
        return kept;
      }
      const bytes = await inner.instrument(wasm, limits);
      // Best effort: a file that cannot be written only costs binaryen again after a restart.
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, Buffer.concat([Buffer.from(keccak256(bytes).slice(2), "hex"), bytes]))
        .then(() => rename(temp, path))
        .catch(() => unlink(temp).catch(() => {}));
      return bytes;
    },
    warm() {
      if (!readdirSync(dir).some((f) => f.endsWith(".wasm"))) inner.warm();
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
