// `npm run build:programs`: compiles the AssemblyScript sample programs in sdk/programs/ into
// build/programs/<name>.wasm, and the real workloads (C and Rust, sdk/programs/workloads/) into
// build/programs/workloads/ (both gitignored; never check binaries in). Pass names to build only
// those. The AssemblyScript programs are always recompiled; a workload is compiled when no build
// of its current sources is cached (`--force`: always). `loadSampleProgram` and `loadWorkload`
// also compile on demand.
import { relative } from "node:path";

import { loadSampleProgram, SAMPLE_PROGRAMS, type SampleProgramName } from "../sdk/src/programs/index.ts";
import { loadWorkload, WORKLOAD_NAMES, type WorkloadName } from "../testkit/workloads.ts";

const force = process.argv.includes("--force");
const requested = process.argv.slice(2).filter((a) => a !== "--force");
const known = [...SAMPLE_PROGRAMS, ...WORKLOAD_NAMES] as string[];
const unknown = requested.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  console.error(`unknown program(s): ${unknown.join(", ")}; known: ${known.join(", ")}`);
  process.exit(1);
}
const names = requested.length > 0 ? requested : known;

for (const name of names) {
  const started = performance.now();
  const isWorkload = (WORKLOAD_NAMES as string[]).includes(name);
  const built = isWorkload
    ? await loadWorkload(name as WorkloadName, { force })
    : await loadSampleProgram(name as SampleProgramName, { force: true });
  const ms = Math.round(performance.now() - started);
  const how = "toolchain" in built ? `${built.toolchain}, ${built.compiled ? "built" : "cached"}` : "asc";
  console.log(
    `${name.padEnd(11)} ${String(built.wasm.length).padStart(7)} bytes  ${built.programHash}  ${relative(process.cwd(), built.path)}  (${how}, ${ms} ms)`,
  );
}
