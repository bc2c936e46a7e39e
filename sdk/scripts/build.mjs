#!/usr/bin/env node
// Builds the @hashwork/sdk package into sdk/dist/ (`npm run build` here, `npm run build:sdk` at
// the repository root, and `prepack`, so `npm pack` / `npm publish` always ship a fresh build):
//
//   1. `tsc -p tsconfig.build.json`: JavaScript and `.d.ts` for src/ (tests and the test harness
//      left out); the `.ts` import specifiers become `.js`.
//   2. the sample programs compiled with AssemblyScript into dist/programs/wasm/<name>.wasm, which
//      `loadSampleProgram` reads in the built package (users need no compiler).
//
// Plain JavaScript, so it runs on any Node the package supports. TypeScript and AssemblyScript
// are the repository's devDependencies (resolved from the root node_modules).
import { spawnSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SDK = fileURLToPath(new URL("../", import.meta.url));
const DIST = join(SDK, "dist");
const require = createRequire(import.meta.url);

await rm(DIST, { recursive: true, force: true });

const started = performance.now();
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(SDK, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.error(`sdk build: tsc failed (${tsc.status ?? tsc.signal})`);
  process.exit(1);
}

const { SAMPLE_PROGRAMS, compileProgram } = await import(pathToFileURL(join(DIST, "programs", "compile.js")).href);
const wasmDir = join(DIST, "programs", "wasm");
await mkdir(wasmDir, { recursive: true });
for (const name of SAMPLE_PROGRAMS) {
  const wasm = await compileProgram({ entry: `${name}/index.ts` });
  await writeFile(join(wasmDir, `${name}.wasm`), wasm);
}
console.log(
  `sdk build: ${relative(process.cwd(), DIST) || "."} (${SAMPLE_PROGRAMS.length} sample programs) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
