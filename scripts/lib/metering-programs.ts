// The programs `npm run bench:metering` measures, one bench case each: every sample program of
// the SDK's registry (`SAMPLE_PROGRAMS`, ABI v1), each with a sizeable input; the ABI v2
// programs built from C/C++ sources in the test kit; and every workload of the test kit's
// workload registry (`testkit/workloads.ts`: SQLite, ray tracer, digit classifier, with their own
// `sampleInput`), when the checkout has it. A sample program added to the SDK registry without an
// input here fails the bench with a one-line error naming it, so none is skipped.
import { existsSync } from "node:fs";

import { type EncodeBundleParameters, encodeBundle } from "../../sdk/src/executor/index.ts";
import { SAMPLE_PROGRAMS, encodeMandelbrotInput, encodeMonteCarloInput, loadSampleProgram } from "../../sdk/src/programs/index.ts";
import { compileProgram } from "../../sdk/src/cli/hashwork.ts";
import { CXX_WORDS, C_SORT } from "../../testkit/wasi-programs.ts";

export type MeteringProgram = {
  name: string;
  abi: 1 | 2;
  wasm: Uint8Array;
  /** The job input: raw bytes (v1) or an encoded bundle (v2). */
  input: Uint8Array;
  /** What the input is, for the report. */
  describe: Record<string, unknown>;
};

/** A deterministic CSV: `rows` rows, a label and three numeric columns. */
export function benchCsv(rows = 100_000): Uint8Array {
  const lines = ["label,x,y,z"];
  for (let i = 0; i < rows; i++) lines.push(`row${i},${i % 97}.${i % 10},${(i * 7919) % 1000},-${i % 13}e-2`);
  return new TextEncoder().encode(lines.join("\n"));
}

/** Deterministic text of `count` words drawn from a small vocabulary (a seeded LCG). */
function benchWords(count = 200_000): Uint8Array {
  const vocabulary = Array.from({ length: 2000 }, (_, i) => `w${(i * 2654435761) % 100003}`);
  let s = 1;
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    words.push(vocabulary[s % vocabulary.length]!);
  }
  return new TextEncoder().encode(words.join(" "));
}

/** Bench inputs of the ABI v1 sample programs, by registry name. */
const V1_INPUTS: Record<string, () => { input: Uint8Array; describe: Record<string, unknown> }> = {
  mandelbrot: () => ({
    input: encodeMandelbrotInput({
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
    }),
    describe: { width: 512, height: 512, maxIterations: 500 },
  }),
  montecarlo: () => ({ input: encodeMonteCarloInput({ seed: 1n, samples: 20_000_000n }), describe: { samples: 20_000_000 } }),
  csvstats: () => ({ input: benchCsv(), describe: { rows: 100_000, columns: 4 } }),
};

/** ABI v2 programs: C/C++ sources compiled with `hashwork program build`'s toolchain (@yowasp/clang). */
const V2_PROGRAMS: {
  name: string;
  file: string;
  source: string;
  bundle: () => EncodeBundleParameters;
  describe: Record<string, unknown>;
}[] = [
  { name: "c-sort", file: "sort.c", source: C_SORT, bundle: () => ({ args: ["1000000"] }), describe: { integers: 1_000_000 } },
  {
    name: "cxx-words",
    file: "words.cpp",
    source: CXX_WORDS,
    bundle: () => ({ stdin: benchWords() }),
    describe: { words: 200_000, distinct: 2000, reads: "stdin, one getchar per byte" },
  },
];

/** What the bench uses of the workload registry (`testkit/workloads.ts`). */
type WorkloadRegistry = {
  WORKLOAD_NAMES: readonly string[];
  WORKLOADS: Record<string, { sampleInput(): { input: Uint8Array } }>;
  loadWorkload(name: string): Promise<{ wasm: Uint8Array; toolchain: string }>;
};

/** The workload registry, or undefined in a checkout without one (a computed specifier: tsc need not resolve it). */
async function workloadRegistry(): Promise<WorkloadRegistry | undefined> {
  const url = new URL("../../testkit/workloads.ts", import.meta.url);
  return existsSync(url) ? ((await import(url.href)) as WorkloadRegistry) : undefined;
}

/** Every program the bench measures, v1 first, in registry order. */
export async function meteringPrograms(): Promise<MeteringProgram[]> {
  const programs: MeteringProgram[] = [];
  for (const name of SAMPLE_PROGRAMS) {
    const make = V1_INPUTS[name];
    if (!make) throw new Error(`bench:metering: no bench input for sample program "${name}" (add one in scripts/lib/metering-programs.ts)`);
    programs.push({ name, abi: 1, wasm: (await loadSampleProgram(name)).wasm, ...make() });
  }
  for (const p of V2_PROGRAMS) {
    const wasm = await compileProgram({ file: p.file, source: new TextEncoder().encode(p.source) });
    programs.push({ name: p.name, abi: 2, wasm, input: encodeBundle(p.bundle()), describe: p.describe });
  }
  const workloads = await workloadRegistry();
  for (const name of workloads?.WORKLOAD_NAMES ?? []) {
    const { wasm, toolchain } = await workloads!.loadWorkload(name);
    const { input } = workloads!.WORKLOADS[name]!.sampleInput();
    programs.push({ name, abi: 2, wasm, input, describe: { workload: name, toolchain, sampleInput: "testkit/workloads.ts" } });
  }
  return programs;
}
