import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { HashworkError } from "../errors/base.ts";

/** The sample programs under `sdk/programs/<name>/index.ts`. */
export const SAMPLE_PROGRAMS = ["mandelbrot", "montecarlo", "csvstats"] as const;
export type SampleProgramName = (typeof SAMPLE_PROGRAMS)[number];

/** Folder holding the AssemblyScript sources (`<name>/index.ts` and the shared `lib/`). */
export const PROGRAMS_DIR = fileURLToPath(new URL("../../programs/", import.meta.url));

/**
 * Compiler flags for every sample program. `stub` runtime: a bump allocator without a garbage
 * collector (the programs allocate little, and a run is short-lived). Changing these changes
 * every program hash.
 */
export const ASC_FLAGS = ["--optimizeLevel", "3", "--shrinkLevel", "0", "--runtime", "stub", "--noColors"] as const;

/**
 * AssemblyScript failed to compile a program. `details` holds the compiler's diagnostics.
 *
 * @example
 * if (e instanceof ProgramCompileError) console.error(e.details)
 */
export class ProgramCompileError extends HashworkError {
  override name = "ProgramCompileError";
  readonly program: string;
  constructor({ program, diagnostics, cause }: { program: string; diagnostics: string; cause?: unknown }) {
    super(`AssemblyScript could not compile "${program}"`, { details: diagnostics, cause });
    this.program = program;
  }
}

export type CompileProgramParameters = {
  /** Entry file relative to `baseDir`, e.g. "mandelbrot/index.ts". */
  entry: string;
  /** Folder the entry (and its relative imports) are resolved against. Default: `PROGRAMS_DIR`. */
  baseDir?: string;
  /** Extra asc flags after {@link ASC_FLAGS}. */
  flags?: readonly string[];
};

/**
 * Compiles an AssemblyScript program to wasm in memory with the `assemblyscript` JS API
 * (`asc.main`), nothing written to disk.
 *
 * @example
 * const wasm = await compileProgram({ entry: "montecarlo/index.ts" })
 */
export async function compileProgram({ entry, baseDir = PROGRAMS_DIR, flags = [] }: CompileProgramParameters): Promise<Uint8Array> {
  // Loaded on first use: importing the compiler costs seconds, and most callers only read the
  // already-built programs.
  const { default: asc } = await import("assemblyscript/asc");
  let binary: Uint8Array | undefined;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([entry, "--baseDir", baseDir, "--outFile", "program.wasm", ...ASC_FLAGS, ...flags], {
    stdout: asc.createMemoryStream(),
    stderr,
    writeFile(name, contents) {
      if (name.endsWith(".wasm") && typeof contents !== "string") binary = contents;
    },
  });
  if (error || !binary) {
    throw new ProgramCompileError({ program: entry, diagnostics: stderr.toString() || String(error), cause: error });
  }
  return binary;
}

/** Newest modification time (ms) of the `.ts` files under `dir`, recursively. */
export async function newestSourceTime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSourceTime(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}
