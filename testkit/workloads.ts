// The real workloads (issue 16) as sample programs: SQLite, a ray tracer (C) and a digit classifier
// (Rust), built from the sources in sdk/programs/workloads/ on demand and cached by source hash in
// build/programs/workloads/ (gitignored; no binaries are checked in), plus the inputs the demo, the
// tests and the benches give them. `WORKLOADS` is the registry: a bench that iterates it gets every
// workload with a representative input (`sampleInput`).
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { keccak256, toHex, type Hex } from "viem";

import { compileProgram, YOWASP_CLANG, type Language, type Toolchain } from "../sdk/src/cli/program-toolchain.ts";
import { encodeBundle } from "../sdk/src/executor/wasi-bundle.ts";
import { digitSamples, encodeDigitBatch, encodeDigitModel, trainDigitModel } from "./workloads/digits-model.ts";

export * from "./workloads/digits-model.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const SOURCES = join(REPO, "sdk/programs/workloads");
/** Where built workloads are cached: `<name>.<toolchain>.<first 16 hex digits of the source hash>.wasm`. */
export const WORKLOADS_BUILD_DIR = join(REPO, "build/programs/workloads");
/** The file that defines how programs are compiled: part of every cache key. */
const TOOLCHAIN_MODULE = join(REPO, "sdk/src/cli/program-toolchain.ts");

/** The SQLite amalgamation shipped in the `better-sqlite3` tarball (a devDependency whose install script is denied). */
export function sqliteAmalgamationDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json")), "deps/sqlite3");
}

export type WorkloadName = "sqlite" | "raytrace" | "digits";

export type WorkloadSpec = {
  language: Language;
  /** The source file under sdk/programs/workloads/. */
  entry: string;
  /** Compiler flags after the toolchain's defaults. */
  flags: readonly string[];
  /** Files the source includes, by name, and where they are. */
  includes?: () => Record<string, string>;
  /** What it computes, in a few words. */
  summary: string;
  /** A representative job input (a bundle) and the fuel it needs with margin: for benches and smoke runs. */
  sampleInput: () => { input: Uint8Array; fuelLimit: bigint };
};

/** The workload registry. */
export const WORKLOADS: Record<WorkloadName, WorkloadSpec> = {
  sqlite: {
    language: "c",
    entry: "sqlite/sqlquery.c",
    // -Oz: the smallest code (the engine must fit the 512 KiB code cap); no name section.
    flags: ["-Oz", "-Wl,--strip-all"],
    includes: () => ({ "sqlite3.c": join(sqliteAmalgamationDir(), "sqlite3.c"), "sqlite3.h": join(sqliteAmalgamationDir(), "sqlite3.h") }),
    summary: "the SQLite engine: a CSV loaded into a table, then one SQL query",
    sampleInput: () => ({ input: sqliteBundle(salesCsv(20_000)), fuelLimit: 4_000_000_000n }),
  },
  raytrace: {
    language: "c",
    entry: "raytrace/raytrace.c",
    flags: ["-O2", "-Wl,--strip-all"],
    summary: "a Whitted ray tracer rendering one tile of a scene",
    sampleInput: () => ({
      input: raytraceBundle({ width: 320, height: 240, x: 0, y: 0, tileWidth: 160, tileHeight: 120 }),
      fuelLimit: 2_000_000_000n,
    }),
  },
  digits: {
    language: "rust",
    entry: "digits/digits.rs",
    flags: [],
    summary: "a 64-32-10 perceptron classifying a batch of 8x8 digit images",
    sampleInput: () => ({ input: digitsBundle(digitSamples(2000, 99)), fuelLimit: 1_000_000_000n }),
  },
};
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];

/**
 * The C toolchain used unless asked: `HASHWORK_C_TOOLCHAIN` (yowasp|debian) when set, else
 * Debian's clang when it and wasi-libc are installed (SQLite builds several times faster natively
 * than with clang running as wasm), else `@yowasp/clang` from npm.
 */
export function defaultCToolchain(): Toolchain {
  const env = process.env.HASHWORK_C_TOOLCHAIN;
  if (env === "yowasp" || env === "debian") return env;
  return existsSync("/usr/bin/clang") && existsSync("/usr/lib/wasm32-wasi/libc.a") ? "debian" : "yowasp";
}

export type LoadWorkloadReturnType = {
  name: WorkloadName;
  wasm: Uint8Array;
  programHash: Hex;
  path: string;
  /** "debian" or "yowasp" for C, "rustc" for Rust. */
  toolchain: string;
  /** Whether this call compiled it (false: cached), and how long that took. */
  compiled: boolean;
  buildMs: number;
};

const inFlight = new Map<string, Promise<LoadWorkloadReturnType>>();

/**
 * The wasm of a workload, compiled when no build of its current sources (source, included
 * files, flags, toolchain and the toolchain module) is cached; the file is written atomically.
 *
 * @example
 * const { wasm } = await loadWorkload("raytrace")
 */
export function loadWorkload(
  name: WorkloadName,
  options: { toolchain?: Toolchain; force?: boolean } = {},
): Promise<LoadWorkloadReturnType> {
  const spec = WORKLOADS[name];
  if (!spec) return Promise.reject(new Error(`unknown workload "${name}"; known: ${WORKLOAD_NAMES.join(", ")}`));
  const toolchain = spec.language === "rust" ? "rustc" : (options.toolchain ?? defaultCToolchain());
  const key = `${name}\0${toolchain}\0${options.force ?? false}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = build(name, spec, toolchain, options.force ?? false).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function build(name: WorkloadName, spec: WorkloadSpec, toolchain: string, force: boolean): Promise<LoadWorkloadReturnType> {
  const source = new Uint8Array(await readFile(join(SOURCES, spec.entry)));
  const includes: Record<string, Uint8Array> = {};
  for (const [file, path] of Object.entries(spec.includes?.() ?? {})) includes[file] = new Uint8Array(await readFile(path));
  const parts = [
    toHex(JSON.stringify({ name, toolchain, yowasp: toolchain === "yowasp" ? YOWASP_CLANG : undefined, flags: spec.flags })),
    keccak256(await readFile(TOOLCHAIN_MODULE)),
    keccak256(source),
    ...Object.entries(includes).map(([file, bytes]) => keccak256(toHex(`${file}:${keccak256(bytes)}`))),
  ];
  const sourceHash = keccak256(`0x${parts.map((p) => p.slice(2)).join("")}`);
  const path = join(WORKLOADS_BUILD_DIR, `${name}.${toolchain}.${sourceHash.slice(2, 18)}.wasm`);
  if (!force && existsSync(path)) {
    const wasm = new Uint8Array(await readFile(path));
    return { name, wasm, programHash: keccak256(wasm), path, toolchain, compiled: false, buildMs: 0 };
  }
  const started = performance.now();
  const wasm = await compileProgram({
    file: spec.entry.split("/").pop()!,
    source,
    toolchain: toolchain === "rustc" ? undefined : (toolchain as Toolchain),
    flags: spec.flags,
    includes,
  });
  const buildMs = Math.round(performance.now() - started);
  await mkdir(WORKLOADS_BUILD_DIR, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, wasm);
  await rename(temp, path);
  return { name, wasm, programHash: keccak256(wasm), path, toolchain, compiled: true, buildMs };
}

// ---- inputs ----

/** The aggregate query the demo, tests and bench run over {@link salesCsv}. */
export const SALES_QUERY =
  "SELECT region, count(*) AS orders, sum(qty) AS units, round(sum(qty * price), 2) AS revenue, round(avg(price), 4) AS avg_price " +
  "FROM t GROUP BY region ORDER BY revenue DESC";

/** A generated sales table (`id,region,product,qty,price`), the same for the same `rows` and `seed`. */
export function salesCsv(rows: number, seed = 7): string {
  const regions = ["north", "south", "east", "west", "central"];
  let state = seed >>> 0;
  const next = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const lines = ["id,region,product,qty,price"];
  for (let i = 0; i < rows; i++) lines.push(`${i},${regions[next(5)]},p${next(50)},${1 + next(19)},${(100 + next(9900)) / 100}`);
  return `${lines.join("\n")}\n`;
}

/** The bundle of a `sqlite` job: the CSV as `sales.csv`, and the query. */
export function sqliteBundle(csv: string, query = SALES_QUERY): Uint8Array {
  return encodeBundle({ argv0: "sqlquery", args: ["sales.csv", query], files: [["sales.csv", new TextEncoder().encode(csv)]] });
}

export type RaytraceTile = { width: number; height: number; x: number; y: number; tileWidth: number; tileHeight: number; samples?: number };

/** The bundle of a `raytrace` job: one tile of the image. */
export function raytraceBundle(t: RaytraceTile): Uint8Array {
  const args = [t.width, t.height, t.x, t.y, t.tileWidth, t.tileHeight, t.samples ?? 2].map(String);
  return encodeBundle({ argv0: "raytrace", args });
}

/** An image cut into tiles of at most `tile` × `tile` pixels, row by row: one job each. */
export function raytraceTiles(width: number, height: number, tile: number, samples = 2): RaytraceTile[] {
  const tiles: RaytraceTile[] = [];
  for (let y = 0; y < height; y += tile)
    for (let x = 0; x < width; x += tile)
      tiles.push({ width, height, x, y, tileWidth: Math.min(tile, width - x), tileHeight: Math.min(tile, height - y), samples });
  return tiles;
}

let model: Uint8Array | undefined;
/** The bundle of a `digits` job: the trained model (trained once per process) and the batch. */
export function digitsBundle(samples: Parameters<typeof encodeDigitBatch>[0]): Uint8Array {
  model ??= encodeDigitModel(trainDigitModel());
  return encodeBundle({
    argv0: "digits",
    args: ["model.bin", "batch.bin"],
    files: [
      ["model.bin", model],
      ["batch.bin", encodeDigitBatch(samples)],
    ],
  });
}
