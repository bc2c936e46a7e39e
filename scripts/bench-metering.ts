// `npm run bench:metering`: what fuel metering costs. Runs a sample program on one input,
// instrumented (fuel + stack metering, memory cap, NaN canonicalization) and as the plain
// compiled module, in the same thread, alternating, after warm-up runs; reports the medians and
// their ratio. The headline is mandelbrot (the brief's benchmark); montecarlo and csvstats are
// measured the same way for context, and so is an ABI v2 (WASI) C program, c-sort. Merges the figures into reports/bench.json under
// "metering" (other keys are kept).
import { readFile, writeFile } from "node:fs/promises";

import { keccak256 } from "viem";
import { createRequire } from "node:module";

import {
  createWasiHost,
  DEFAULT_LIMITS,
  decodeBundle,
  encodeBundle,
  ExecutionStatus,
  instrumentProgram,
  runInstrumented,
  Wasm,
  type WasmMemory,
  type WasmModule,
} from "../sdk/src/executor/index.ts";
import { encodeMandelbrotInput, encodeMonteCarloInput, loadSampleProgram, type SampleProgramName } from "../sdk/src/programs/index.ts";
import { compileProgram } from "../sdk/src/cli/hashwork.ts";
import { C_SORT } from "../testkit/wasi-programs.ts";

const WARMUP = 3;
const RUNS = 9;
const TARGET = 1.5;
const REPORT = new URL("../reports/bench.json", import.meta.url);

const mandelbrotTile = {
  imageWidth: 512,
  imageHeight: 512,
  tileX: 0,
  tileY: 0,
  tileWidth: 512,
  tileHeight: 512,
  maxIterations: 500,
  reMin: -2.2,
  imMin: -1.5,
  reMax: 0.8,
  imMax: 1.5,
};

/** A deterministic CSV: 100 000 rows, a label and three numeric columns. */
function benchCsv(): Uint8Array {
  const lines = ["label,x,y,z"];
  for (let i = 0; i < 100_000; i++) lines.push(`row${i},${i % 97}.${i % 10},${(i * 7919) % 1000},-${i % 13}e-2`);
  return new TextEncoder().encode(lines.join("\n"));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const value = f();
  return [value, performance.now() - t];
}

/** The unmetered baseline: the program's own module with plain host functions. */
function runPlainV1(module: WasmModule, input: Uint8Array): Uint8Array {
  let memory: WasmMemory | undefined;
  const chunks: Uint8Array[] = [];
  const instance = new Wasm.Instance(module, {
    hashwork: {
      input_size: () => input.length,
      input_read: (ptr: number, offset: number, len: number) =>
        new Uint8Array(memory!.buffer).set(input.subarray(offset, offset + len), ptr),
      output_write: (ptr: number, len: number) => chunks.push(new Uint8Array(memory!.buffer).slice(ptr, ptr + len)),
    },
    env: {
      abort: () => {
        throw new Error("abort");
      },
    },
  });
  memory = instance.exports.memory as WasmMemory;
  (instance.exports.run as () => void)();
  return Buffer.concat(chunks);
}

/** The unmetered baseline of an ABI v2 program: its own module with the same WASI host, fuel not counted. */
function runPlainWasi(module: WasmModule, input: Uint8Array): Uint8Array {
  let memory: WasmMemory | undefined;
  const host = createWasiHost({
    bundle: decodeBundle(input),
    inputHash: keccak256(input),
    jobId: 0n,
    maxOutputBytes: DEFAULT_LIMITS.maxOutputBytes,
    charge: () => {},
    memory: () => memory!,
  });
  const instance = new Wasm.Instance(module, { wasi_snapshot_preview1: host.imports });
  memory = instance.exports.memory as WasmMemory;
  (instance.exports._start as () => void)();
  return host.stdout();
}

async function measure(name: SampleProgramName | "c-sort", input: Uint8Array, source?: { wasm: Uint8Array }) {
  const { wasm, programHash } = source
    ? { wasm: source.wasm, programHash: keccak256(source.wasm) }
    : await loadSampleProgram(name as SampleProgramName);
  const runPlain = source ? runPlainWasi : runPlainV1;
  const [{ wasm: instrumented }, instrumentMs] = time(() => instrumentProgram({ wasm, limits: DEFAULT_LIMITS }));
  const metered = () => new Wasm.Module(instrumented);
  const plain = () => new Wasm.Module(wasm);
  const runMetered = (module: WasmModule) =>
    runInstrumented({ module, input, fuelLimit: 1n << 62n, maxOutputBytes: DEFAULT_LIMITS.maxOutputBytes });

  // Cold: first calls of fresh modules (V8 starts wasm in its baseline compiler). Whichever runs
  // first in a process is slower, so measure metered-plain-plain-metered and average.
  const [result, cold1] = time(() => runMetered(metered()));
  const [plainOutput, coldPlain1] = time(() => runPlain(plain(), input));
  const coldPlain2 = time(() => runPlain(plain(), input))[1];
  const cold2 = time(() => runMetered(metered()))[1];
  if (result.status !== ExecutionStatus.Ok) throw new Error(`${name}: metered run ended with status ${result.status}`);
  if (!Buffer.from(result.output).equals(plainOutput)) throw new Error(`${name}: metered and unmetered outputs differ`);

  const meteredModule = metered();
  const plainModule = plain();
  for (let i = 0; i < WARMUP; i++) {
    runPlain(plainModule, input);
    runMetered(meteredModule);
  }
  const meteredMs: number[] = [];
  const unmeteredMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so drift in machine load hits both alike.
    if (i % 2 === 0) {
      unmeteredMs.push(time(() => runPlain(plainModule, input))[1]);
      meteredMs.push(time(() => runMetered(meteredModule))[1]);
    } else {
      meteredMs.push(time(() => runMetered(meteredModule))[1]);
      unmeteredMs.push(time(() => runPlain(plainModule, input))[1]);
    }
  }
  const m = median(meteredMs);
  const u = median(unmeteredMs);
  return {
    program: name,
    programHash,
    fuelUsed: result.fuelUsed.toString(),
    meteredMs: round(m),
    unmeteredMs: round(u),
    overhead: round(m / u, 3),
    coldMeteredMs: round((cold1 + cold2) / 2),
    coldUnmeteredMs: round((coldPlain1 + coldPlain2) / 2),
    fuelPerMs: Math.round(Number(result.fuelUsed) / m),
    instrumentMs: round(instrumentMs),
    wasmBytes: wasm.length,
    instrumentedBytes: instrumented.length,
    samplesMs: { metered: meteredMs.map((x) => round(x)), unmetered: unmeteredMs.map((x) => round(x)) },
  };
}

const mandelbrot = await measure("mandelbrot", encodeMandelbrotInput(mandelbrotTile));
const montecarlo = await measure("montecarlo", encodeMonteCarloInput({ seed: 1n, samples: 20_000_000n }));
const csvstats = await measure("csvstats", benchCsv());
// ABI v2: a C program (qsort of 1 M integers) built with @yowasp/clang, the same WASI host in both runs.
const cSortWasm = await compileProgram({ file: "sort.c", source: new TextEncoder().encode(C_SORT) });
const cSort = await measure("c-sort", encodeBundle({ args: ["1000000"] }), { wasm: cSortWasm });

const require = createRequire(import.meta.url);
const metering = {
  ...mandelbrot,
  input: { width: mandelbrotTile.imageWidth, height: mandelbrotTile.imageHeight, maxIterations: mandelbrotTile.maxIterations },
  runs: RUNS,
  warmupRuns: WARMUP,
  target: TARGET,
  meetsTarget: mandelbrot.overhead <= TARGET,
  otherPrograms: {
    montecarlo: { ...montecarlo, input: { samples: 20_000_000 } },
    csvstats: { ...csvstats, input: { rows: 100_000, columns: 4 } },
    "c-sort": { ...cSort, abi: 2, input: { integers: 1_000_000 }, toolchain: "@yowasp/clang 22.0.0-git20542-10 -O2" },
  },
  method: "median of alternating same-thread runs after warm-up; unmetered = the same compiled module without instrumentation, in plain V8",
  node: process.version,
  binaryen: (require("binaryen/package.json") as { version: string }).version,
  measuredAt: new Date().toISOString(),
};

let report: Record<string, unknown> = {};
try {
  report = JSON.parse(await readFile(REPORT, "utf8"));
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
report.metering = metering;
await writeFile(REPORT, `${JSON.stringify(report, null, 2)}\n`);

for (const r of [mandelbrot, montecarlo, csvstats, cSort]) {
  console.log(
    `${r.program.padEnd(10)} metered ${String(r.meteredMs).padStart(7)} ms  unmetered ${String(r.unmeteredMs).padStart(7)} ms` +
      `  overhead ${r.overhead.toFixed(3)}×  (cold ${r.coldMeteredMs} / ${r.coldUnmeteredMs} ms, ${r.fuelUsed} fuel)`,
  );
}
console.log(
  `mandelbrot overhead ${mandelbrot.overhead}× — target ≤ ${TARGET}: ${metering.meetsTarget ? "met" : "NOT met"} → reports/bench.json`,
);
