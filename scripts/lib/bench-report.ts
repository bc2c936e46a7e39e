/**
 * What the benches that merge into `reports/bench.json` share: reading and rewriting that file
 * around one section (`updateBenchReport`), the statistics they report (`median`, `round`, `time`)
 * and the unmetered WASI baseline they compare metered runs with (`runPlainWasi`).
 */
import { readFile, writeFile } from "node:fs/promises";

import { keccak256 } from "viem";

import { createWasiHost, DEFAULT_LIMITS, decodeBundle, Wasm, type WasmMemory, type WasmModule } from "../../sdk/src/executor/index.ts";

export const BENCH_REPORT = new URL("../../reports/bench.json", import.meta.url);

/**
 * Reads `reports/bench.json` (empty when missing), lets `update` change its sections in place,
 * and writes it back as two-space JSON with a final newline; other sections are kept as they were.
 */
export async function updateBenchReport(update: (report: Record<string, unknown>) => void): Promise<void> {
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(await readFile(BENCH_REPORT, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  update(report);
  await writeFile(BENCH_REPORT, `${JSON.stringify(report, null, 2)}\n`);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
export const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** `f`'s value and how long it took, in ms. */
export function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const value = f();
  return [value, performance.now() - t];
}

/** Wraps every host function so the time spent inside them is summed into `clock.ms`. */
export function timed<T extends Record<string, unknown>>(functions: T, clock: { ms: number }): T {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(functions)) {
    out[name] = (...args: unknown[]) => {
      const t = performance.now();
      try {
        return (f as (...a: unknown[]) => unknown)(...args);
      } finally {
        clock.ms += performance.now() - t;
      }
    };
  }
  return out as T;
}

/**
 * The unmetered baseline of an ABI v2 program: its own module with the same WASI host, fuel not
 * counted (host time summed into `clock` when given). Returns its stdout.
 */
export function runPlainWasi(module: WasmModule, input: Uint8Array, clock?: { ms: number }): Uint8Array {
  let memory: WasmMemory | undefined;
  const host = createWasiHost({
    bundle: decodeBundle(input),
    inputHash: keccak256(input),
    jobId: 0n,
    maxOutputBytes: DEFAULT_LIMITS.maxOutputBytes,
    charge: () => {},
    memory: () => memory!,
  });
  const instance = new Wasm.Instance(module, { wasi_snapshot_preview1: clock ? timed(host.imports, clock) : host.imports });
  memory = instance.exports.memory as WasmMemory;
  try {
    (instance.exports._start as () => void)();
  } catch (error) {
    // C's exit(0) after main ends _start through proc_exit, which throws the host's stop.
    if ((error as { reason?: string; code?: number }).reason !== "exit" || (error as { code: number }).code !== 0) throw error;
  }
  return host.stdout();
}
