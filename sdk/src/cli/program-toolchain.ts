/**
 * Builds ordinary programs into ABI v2 (WASI preview 1) modules: C and C++ with `@yowasp/clang`
 * (clang and lld running as WebAssembly, installed from npm; Debian's `clang` with `wasi-libc`
 * when asked for or when the npm package is absent), Rust with Debian's `rustc` and its
 * `wasm32-wasi` standard library. Each failure is one line naming what to install.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, extname, join } from "node:path";

import { CliError } from "./errors.ts";

export type Language = "c" | "c++" | "rust";
export type Toolchain = "yowasp" | "debian";

const EXTENSIONS: Record<string, Language> = { ".c": "c", ".cc": "c++", ".cpp": "c++", ".cxx": "c++", ".rs": "rust" };

/** The pinned npm toolchain for C and C++ (also in package.json and TOOLCHAIN.md). */
export const YOWASP_CLANG = "@yowasp/clang@22.0.0-git20542-10";
const DEBIAN_C = "apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32";
const DEBIAN_RUST = "apt-get install -y rustc libstd-rust-dev-wasm32";
/** The sysroot Debian's `wasi-libc` installs (headers and libc under `/usr/include|lib/wasm32-wasi`). */
const DEBIAN_SYSROOT = "/usr";

/** C/C++ flags shared by both toolchains: optimized, no exceptions (a WASI program cannot unwind). */
const C_FLAGS = ["-O2"];
const CXX_FLAGS = ["-O2", "-fno-exceptions"];

/** The language of a source file, by its extension. */
export function languageOf(file: string): Language {
  const language = EXTENSIONS[extname(file).toLowerCase()];
  if (!language) throw new CliError(`${file}: unknown source type; expected .c, .cc, .cpp, .cxx or .rs`);
  return language;
}

export type CompileProgramParameters = {
  /** The source file's path (its name and extension are used). */
  file: string;
  source: Uint8Array;
  /** C/C++ only; default: yowasp when installed, else debian. */
  toolchain?: Toolchain;
  /** Extra compiler flags after the defaults (e.g. `-Oz`: the last `-O` wins). */
  flags?: readonly string[];
  /** Other files the source includes, by name, placed beside it (e.g. `sqlite3.c`). */
  includes?: Readonly<Record<string, Uint8Array>>;
  /** Rust only: the rustc to run; default Debian's `/usr/bin/rustc`, else `rustc` on PATH. */
  rustc?: string;
};

/**
 * Compiles one source file into a WASI command module.
 *
 * @example
 * const wasm = await compileProgram({ file: "hello.c", source: await readFile("hello.c") })
 */
export async function compileProgram({
  file,
  source,
  toolchain,
  flags = [],
  includes = {},
  rustc,
}: CompileProgramParameters): Promise<Uint8Array> {
  const language = languageOf(file);
  const extra = { flags, includes, rustc };
  if (language === "rust") return compileRust(file, source, extra);
  const chosen = toolchain ?? ((await loadYowasp()) ? "yowasp" : "debian");
  return chosen === "yowasp" ? compileYowasp(file, source, language, extra) : compileDebianC(file, source, language, extra);
}

type Extra = { flags: readonly string[]; includes: Readonly<Record<string, Uint8Array>>; rustc?: string };

type RunClang = (
  args: string[],
  files: Record<string, Uint8Array | string>,
  options: object,
) => Promise<Record<string, unknown> | undefined>;

async function loadYowasp(): Promise<RunClang | undefined> {
  try {
    const module = (await import("@yowasp/clang")) as unknown as { runClang: RunClang };
    return module.runClang;
  } catch {
    return undefined;
  }
}

async function compileYowasp(file: string, source: Uint8Array, language: "c" | "c++", extra: Extra): Promise<Uint8Array> {
  const runClang = await loadYowasp();
  if (!runClang)
    throw new CliError(`C/C++ needs ${YOWASP_CLANG} (npm install --save-dev ${YOWASP_CLANG}) or --toolchain debian (${DEBIAN_C})`);
  const name = basename(file);
  let diagnostics = "";
  const collect = (bytes: Uint8Array | null) => {
    if (bytes) diagnostics += new TextDecoder().decode(bytes);
  };
  try {
    await runClang(null as unknown as string[], {}, { fetchProgress: () => {} }); // load its resources quietly (the first pass ignores fetchProgress)
    const files = await runClang(
      [language === "c" ? "clang" : "clang++", ...(language === "c" ? C_FLAGS : CXX_FLAGS), ...extra.flags, name, "-o", "program.wasm"],
      { ...extra.includes, [name]: source },
      { stdout: collect, stderr: collect, fetchProgress: () => {} },
    );
    const wasm = files?.["program.wasm"];
    if (!(wasm instanceof Uint8Array)) throw new CliError(`${file}: clang produced no module${firstError(diagnostics)}`);
    return wasm;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${file}: compilation failed${firstError(diagnostics) || `: ${(error as Error).message}`}`);
  }
}

async function compileDebianC(file: string, source: Uint8Array, language: "c" | "c++", extra: Extra): Promise<Uint8Array> {
  const compiler = language === "c" ? "clang" : "clang++";
  const flags = ["--target=wasm32-wasi", `--sysroot=${DEBIAN_SYSROOT}`, ...(language === "c" ? C_FLAGS : CXX_FLAGS), ...extra.flags];
  return compileInTempDir(
    file,
    source,
    extra.includes,
    compiler,
    (src, out) => [...flags, src, "-o", out],
    `C/C++ with --toolchain debian needs: ${DEBIAN_C}`,
  );
}

async function compileRust(file: string, source: Uint8Array, extra: Extra): Promise<Uint8Array> {
  // Debian's rustc (not a rustup one, which has no wasm32-wasi std offline).
  const rustc = extra.rustc ?? (existsSync("/usr/bin/rustc") ? "/usr/bin/rustc" : "rustc");
  return compileInTempDir(
    file,
    source,
    extra.includes,
    rustc,
    // strip=symbols: without it std's debug info makes a hello world 5 MB to upload and fetch.
    (src, out) => [
      "--edition",
      "2021",
      "--target",
      "wasm32-wasi",
      "-C",
      "opt-level=2",
      "-C",
      "strip=symbols",
      ...extra.flags,
      src,
      "-o",
      out,
    ],
    `Rust needs Debian's rustc with the wasm32-wasi standard library: ${DEBIAN_RUST}`,
  );
}

async function compileInTempDir(
  file: string,
  source: Uint8Array,
  includes: Readonly<Record<string, Uint8Array>>,
  command: string,
  args: (src: string, out: string) => string[],
  install: string,
): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), "hashwork-build-"));
  try {
    const src = join(dir, basename(file));
    const out = join(dir, "program.wasm");
    for (const [name, bytes] of Object.entries(includes)) await writeFile(join(dir, basename(name)), bytes);
    await writeFile(src, source);
    const result = await new Promise<{ code: number | string | null; stderr: string }>((resolve) => {
      execFile(command, args(src, out), { maxBuffer: 16 << 20, env: toolchainEnv() }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as NodeJS.ErrnoException).code ?? 1) : 0, stderr }),
      );
    });
    if (result.code === "ENOENT") throw new CliError(`${command} not found. ${install}`);
    if (
      /can.t find crate for `std`|target may not be installed|could not find specification for target|unable to find library -lc|wasi-libc|stdio\.h' file not found|cannot open crt1/.test(
        result.stderr,
      )
    ) {
      throw new CliError(`${command} has no wasm32-wasi libraries. ${install}`);
    }
    if (result.code !== 0) throw new CliError(`${file}: compilation failed${firstError(result.stderr)}`);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The environment for a compiler: PATH without `node_modules/.bin` folders. clang's wasm driver
 * runs any `wasm-opt` it finds on PATH after linking, and under `npm run` that is binaryen's npm
 * one: the same build would give other bytes (another program hash) inside and outside npm
 * scripts, and take a minute longer for SQLite.
 */
function toolchainEnv(): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !/node_modules[\\/]\.bin$/.test(dir))
    .join(delimiter);
  return { ...process.env, PATH: path };
}

/** `: <the first error line>` of a compiler's diagnostics, or "". */
function firstError(diagnostics: string): string {
  const lines = diagnostics
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const line = lines.find((l) => /error/i.test(l)) ?? lines[0];
  return line ? `: ${line}` : "";
}
