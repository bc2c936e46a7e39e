// `npm run bench:metering` (chained after scripts/bench-metering.ts): SQLite's throughput under
// Hashwork. The real engine compiled to WASI (the `sqlite` workload, testkit/workloads.ts) loads a
// generated CSV into a table and runs one aggregate query; measured metered (instrumented, as a
// provider runs it), unmetered (the same module and WASI host, no instrumentation) and natively
// (Node's built-in `node:sqlite` doing the same work: parse the CSV, insert in one transaction,
// query; better-sqlite3's native addon is not built here: its install script is denied and it would
// target Node 20's ABI). Rows/s and ratios, medians of alternating runs after a warm-up; merged
// into reports/bench.json under metering.sqlite (run after bench-metering, which rewrites "metering").
import { DatabaseSync } from "node:sqlite";

import { DEFAULT_LIMITS, ExecutionStatus, instrumentProgram, runInstrumented, Wasm, type WasmModule } from "../sdk/src/executor/index.ts";
import { loadWorkload, SALES_QUERY, salesCsv, sqliteBundle } from "../testkit/workloads.ts";
import { median, round, runPlainWasi, time, updateBenchReport } from "./lib/bench-report.ts";

const ROWS = Number(process.env.BENCH_SQLITE_ROWS ?? 100_000);
const RUNS = 5;

/** The unmetered run: the program's own module with the same WASI host, fuel not counted. */
const runPlain = (module: WasmModule, input: Uint8Array): string => new TextDecoder().decode(runPlainWasi(module, input));

/** The same work natively: parse the CSV (the program's typing: integer, real, else text), insert, query; the rows as CSV. */
function runNative(csv: string): string {
  const db = new DatabaseSync(":memory:");
  const [header, ...lines] = csv.trimEnd().split("\n");
  const columns = header!.split(",");
  db.exec(`CREATE TABLE t(${columns.map((c) => `"${c}"`).join(",")})`);
  const insert = db.prepare(`INSERT INTO t VALUES(${columns.map(() => "?").join(",")})`);
  db.exec("BEGIN");
  for (const line of lines) insert.run(...line.split(",").map((f) => (f !== "" && Number.isFinite(Number(f)) ? Number(f) : f)));
  db.exec("COMMIT");
  const rows = db.prepare(SALES_QUERY).all() as Record<string, unknown>[];
  db.close();
  return rows.map((r) => Object.values(r).join(",")).join("\n");
}

const { wasm, programHash, toolchain } = await loadWorkload("sqlite");
const csv = salesCsv(ROWS);
const input = sqliteBundle(csv);
const [{ wasm: instrumented }, instrumentMs] = time(() => instrumentProgram({ wasm, limits: DEFAULT_LIMITS }));
const meteredModule = new Wasm.Module(instrumented);
const plainModule = new Wasm.Module(wasm);
const runMetered = () =>
  runInstrumented({ module: meteredModule, input, fuelLimit: 1n << 62n, maxOutputBytes: DEFAULT_LIMITS.maxOutputBytes });

const first = runMetered();
if (first.status !== ExecutionStatus.Ok) throw new Error(`sqlite: metered run ended with status ${first.status}`);
const meteredText = new TextDecoder().decode(first.output);
if (runPlain(plainModule, input) !== meteredText) throw new Error("sqlite: metered and unmetered outputs differ");
// Same answer as native SQLite (the header line aside; numbers compared as numbers).
const asNumbers = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => l.split(",").map((f, i) => (i === 0 ? f : Number(f))));
if (JSON.stringify(asNumbers(meteredText).slice(1)) !== JSON.stringify(asNumbers(runNative(csv))))
  throw new Error("sqlite: native SQLite answers differently");

const samples = { metered: [] as number[], unmetered: [] as number[], native: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  // Rotate the order, so drift in machine load hits all three alike.
  const steps: [keyof typeof samples, () => unknown][] = [
    ["metered", runMetered],
    ["unmetered", () => runPlain(plainModule, input)],
    ["native", () => runNative(csv)],
  ];
  for (let k = 0; k < 3; k++) {
    const [name, run] = steps[(i + k) % 3]!;
    samples[name].push(time(run)[1]);
  }
}
const ms = { metered: median(samples.metered), unmetered: median(samples.unmetered), native: median(samples.native) };
const rowsPerSecond = (m: number) => Math.round((ROWS / m) * 1000);
const sqlite = {
  rows: ROWS,
  query: SALES_QUERY,
  rowsPerSecond: { metered: rowsPerSecond(ms.metered), unmetered: rowsPerSecond(ms.unmetered), native: rowsPerSecond(ms.native) },
  ms: { metered: round(ms.metered), unmetered: round(ms.unmetered), native: round(ms.native) },
  meteredVsUnmetered: round(ms.metered / ms.unmetered, 3),
  meteredVsNative: round(ms.metered / ms.native, 3),
  unmeteredVsNative: round(ms.unmetered / ms.native, 3),
  fuelUsed: first.fuelUsed.toString(),
  fuelPerRow: Math.round(Number(first.fuelUsed) / ROWS),
  instrumentMs: round(instrumentMs),
  programHash,
  wasmBytes: wasm.length,
  toolchain,
  native: `node:sqlite (SQLite ${(new DatabaseSync(":memory:").prepare("SELECT sqlite_version() AS v").get() as { v: string }).v}, Node ${process.version})`,
  engine: "SQLite 3.53.2 from better-sqlite3 12.11.1's amalgamation, -Oz",
  method: `median of ${RUNS} rotated same-thread runs after one warm-up each; every run parses the CSV, inserts the rows in one transaction and runs the query`,
  samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => round(x))])),
  measuredAt: new Date().toISOString(),
};

await updateBenchReport((report) => {
  report.metering = { ...((report.metering as object | undefined) ?? {}), sqlite };
});
console.log(
  `sqlite (${ROWS} rows): metered ${sqlite.rowsPerSecond.metered} rows/s, unmetered ${sqlite.rowsPerSecond.unmetered}, native ${sqlite.rowsPerSecond.native}` +
    ` — metered/unmetered ${sqlite.meteredVsUnmetered}×, metered/native ${sqlite.meteredVsNative}× → reports/bench.json (metering.sqlite)`,
);
