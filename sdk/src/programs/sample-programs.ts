import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { keccak256, type Hex } from "viem";

import { HashworkError } from "../errors/base.ts";
import { siblingModuleUrl } from "../module-url.ts";
import { PROGRAMS_DIR, SAMPLE_PROGRAMS, compileProgram, newestSourceTime, type SampleProgramName } from "./compile.ts";

/**
 * The built package (`dist/programs/*.js`) ships the sample programs compiled, in
 * `dist/programs/wasm/<name>.wasm` (`sdk/scripts/build.mjs`): loading one there reads the file,
 * with no compiler and no staleness check. Undefined when running from the sources.
 */
const SHIPPED_DIR = import.meta.url.endsWith(".js") ? fileURLToPath(new URL("./wasm/", import.meta.url)) : undefined;

/**
 * Where compiled sample programs go: `build/programs/<name>.wasm` (gitignored) in the repository;
 * in the built package, the folder of the shipped, precompiled programs.
 */
export const PROGRAMS_BUILD_DIR = SHIPPED_DIR ?? fileURLToPath(new URL("../../../build/programs/", import.meta.url));

/** The file that defines how programs are compiled: a change to it makes every build stale. */
const COMPILE_MODULE = fileURLToPath(siblingModuleUrl("compile", import.meta.url));

/**
 * `name` is not one of {@link SAMPLE_PROGRAMS}.
 *
 * @example
 * if (e instanceof UnknownSampleProgramError) console.error(e.shortMessage)
 */
export class UnknownSampleProgramError extends HashworkError {
  override name = "UnknownSampleProgramError";
  constructor({ program }: { program: string }) {
    super(`Unknown sample program "${program}"`, { metaMessages: [`known: ${SAMPLE_PROGRAMS.join(", ")}`] });
  }
}

export type LoadSampleProgramParameters = {
  /** Output folder; default {@link PROGRAMS_BUILD_DIR}. */
  buildDir?: string;
  /** Compile even if the built file is up to date. */
  force?: boolean;
};

export type LoadSampleProgramReturnType = {
  name: SampleProgramName;
  wasm: Uint8Array;
  /** keccak256 of the wasm bytes: the program hash a job names. */
  programHash: Hex;
  /** Path of the built file. */
  path: string;
  /** Whether this call compiled the program (false: the built file was up to date). */
  compiled: boolean;
};

const inFlight = new Map<string, Promise<LoadSampleProgramReturnType>>();

/**
 * The wasm of a sample program, compiled from `sdk/programs/<name>/` when
 * `build/programs/<name>.wasm` is missing or older than any of its sources (the program's
 * folder, the shared `lib/`, or the compile settings). Binaries are never checked in; this makes
 * a fresh clone work without a separate build step. The file is replaced atomically, so
 * concurrent processes never read a half-written module.
 *
 * From the built package (`@hashwork/sdk/programs`) the default is the shipped, precompiled
 * program; `force` or another `buildDir` compiles, which needs the optional `assemblyscript`.
 *
 * @example
 * const { wasm, programHash } = await loadSampleProgram("mandelbrot")
 */
export function loadSampleProgram(
  name: SampleProgramName,
  { buildDir = PROGRAMS_BUILD_DIR, force = false }: LoadSampleProgramParameters = {},
): Promise<LoadSampleProgramReturnType> {
  if (!(SAMPLE_PROGRAMS as readonly string[]).includes(name)) return Promise.reject(new UnknownSampleProgramError({ program: name }));
  const key = `${buildDir}\0${name}\0${force}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = load(name, buildDir, force).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function load(name: SampleProgramName, buildDir: string, force: boolean): Promise<LoadSampleProgramReturnType> {
  const path = join(buildDir, `${name}.wasm`);
  if (!force && buildDir === SHIPPED_DIR) {
    const wasm = new Uint8Array(await readFile(path));
    return { name, wasm, programHash: keccak256(wasm), path, compiled: false };
  }
  const sourcesTime = Math.max(
    await newestSourceTime(join(PROGRAMS_DIR, name)),
    await newestSourceTime(join(PROGRAMS_DIR, "lib")),
    (await stat(COMPILE_MODULE)).mtimeMs,
  );
  if (!force) {
    const built = await stat(path).catch(() => undefined);
    if (built && built.mtimeMs >= sourcesTime) {
      const wasm = new Uint8Array(await readFile(path));
      return { name, wasm, programHash: keccak256(wasm), path, compiled: false };
    }
  }
  const wasm = await compileProgram({ entry: `${name}/index.ts` });
  await mkdir(buildDir, { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, wasm);
  await rename(temp, path);
  return { name, wasm, programHash: keccak256(wasm), path, compiled: true };
}
