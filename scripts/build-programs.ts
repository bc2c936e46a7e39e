// `npm run build:programs`: compiles the AssemblyScript sample programs in sdk/programs/ into
// build/programs/<name>.wasm (gitignored; never check binaries in). Pass names to build only
// those. Always recompiles; `loadSampleProgram` compiles on demand when a build is stale.
import { relative } from "node:path";

import { loadSampleProgram, SAMPLE_PROGRAMS, type SampleProgramName } from "../sdk/src/programs/index.ts";

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(SAMPLE_PROGRAMS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown program(s): ${unknown.join(", ")}; known: ${SAMPLE_PROGRAMS.join(", ")}`);
  process.exit(1);
}
const names = (requested.length > 0 ? requested : [...SAMPLE_PROGRAMS]) as SampleProgramName[];

for (const name of names) {
  const started = performance.now();
  const { path, wasm, programHash } = await loadSampleProgram(name, { force: true });
  const ms = Math.round(performance.now() - started);
  console.log(`${name.padEnd(11)} ${String(wasm.length).padStart(6)} bytes  ${programHash}  ${relative(process.cwd(), path)}  (${ms} ms)`);
}
