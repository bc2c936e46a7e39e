/**
 * `hashwork program build` and `hashwork program run`: turn an ordinary C, C++ or Rust source file
 * into a checked ABI v2 (WASI) module, and run a program locally with the executor the daemon
 * uses, so a requester can test and price a job (status, exit code, fuel, result hash) before
 * posting it.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { keccak256 } from "viem";

// Direct imports, not ../executor/index.ts: that one loads binaryen, which every CLI start would pay for.
import { DEFAULT_LIMITS, MAX_FUEL_LIMIT } from "../executor/abi.ts";
import { createInstrumenter } from "../executor/instrumenter.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { programAbi } from "../executor/validate.ts";
import { executeProgram } from "../executor/execute-program.ts";
import { Wasm, type WasmModule } from "../executor/webassembly.ts";
import { UsageError, type Command } from "./args.ts";
import { CliError } from "./errors.ts";
import { bundleFromOptions, bundleOptions, hasBundleOptions } from "./bundle-options.ts";
import { readInputFile } from "./files.ts";
import { formatFields, printJson, sanitizeForTerminal } from "./output.ts";
import { outDirOption, writeOutFiles } from "./out-files.ts";
import { decodeOutput } from "../executor/wasi-out.ts";
import { compileProgram, languageOf, type Toolchain } from "./program-toolchain.ts";
import { resolveJobId } from "./job-ref.ts";
import { parseInteger, stringOption } from "./values.ts";

/** Fuel of a local run unless `--fuel` says otherwise: ten billion (seconds of work). */
export const DEFAULT_RUN_FUEL = 10_000_000_000n;

const STATUS_NAMES = Object.fromEntries(Object.entries(ExecutionStatus).map(([name, value]) => [value, name])) as Record<number, string>;

/** `hashwork program build FILE -o OUT.wasm`. */
export const programBuild: Command = {
  path: ["program", "build"],
  summary: "Compile a C, C++ or Rust file into a checked ABI v2 (WASI) program",
  args: [{ name: "FILE", description: "the source: .c, .cc/.cpp/.cxx or .rs" }],
  options: {
    output: { type: "string", short: "o", required: true, placeholder: "OUT.wasm", description: "where to write the module" },
    toolchain: {
      type: "string",
      placeholder: "yowasp|debian",
      description: "C/C++ compiler: @yowasp/clang from npm (default when installed) or Debian's clang + wasi-libc",
    },
    json: { type: "boolean", description: "print { output, bytes, programHash, abi } as JSON" },
  },
  notes: `Examples:
  hashwork program build wc.c -o wc.wasm
  hashwork program build render.rs -o render.wasm      # needs: apt-get install -y rustc libstd-rust-dev-wasm32
The module is checked as the executor would (imports, features, limits) before it is written.`,
  async run(options, args) {
    const file = args.FILE!;
    const out = stringOption(options.output)!;
    const toolchain = stringOption(options.toolchain);
    if (toolchain !== undefined && toolchain !== "yowasp" && toolchain !== "debian")
      throw new UsageError(`--toolchain must be yowasp or debian, got "${toolchain}"`);
    languageOf(file);
    const source = await readInputFile(file, "FILE");
    const wasm = await compileProgram({ file, source, toolchain: toolchain as Toolchain | undefined });
    const abi = await checkProgram(wasm, file);
    if (abi !== 2) throw new CliError(`${file}: the module does not import WASI, so it is not an ABI v2 program (does it have a main?)`);
    await writeFile(out, wasm);
    const programHash = keccak256(wasm);
    if (options.json === true) printJson({ output: out, bytes: wasm.length, programHash, abi });
    else
      process.stderr.write(
        `${formatFields([
          ["built", out],
          ["bytes", String(wasm.length)],
          ["ABI", "v2 (WASI preview 1)"],
          ["program hash", programHash],
        ])}\n`,
      );
    return 0;
  },
};

/** Validates and instruments `wasm` as a provider would; returns its ABI version. */
async function checkProgram(wasm: Uint8Array, label: string): Promise<1 | 2> {
  const instrumenter = createInstrumenter();
  try {
    await instrumenter.instrument(wasm, DEFAULT_LIMITS);
  } catch (error) {
    const e = error as { shortMessage?: string; message: string };
    throw new CliError(`${label}: the executor refuses the module: ${(e.shortMessage ?? e.message).split("\n")[0]}`);
  } finally {
    await instrumenter.close();
  }
  return programAbi(Wasm.Module.imports(new Wasm.Module(wasm))).version;
}

/** `hashwork program run PROGRAM`. */
export const programRun: Command = {
  path: ["program", "run"],
  summary: "Run a program locally with the provider's executor: output, status, exit code, fuel, result hash",
  args: [{ name: "PROGRAM", description: "the .wasm module (ABI v1 or v2)" }],
  options: {
    ...bundleOptions,
    input: { type: "string", placeholder: "FILE", description: "v2: the program's stdin; v1: its input (default: empty)" },
    output: { type: "string", short: "o", placeholder: "OUTFILE", description: "write the output (stdout) here instead of to stdout" },
    fuel: { type: "string", placeholder: "N", description: `fuel limit (default ${DEFAULT_RUN_FUEL})` },
    "job-id": {
      type: "string",
      placeholder: "ID",
      description: "v2: the job id random_get is seeded with (default 0; a posted job uses its id)",
    },
    "save-input": { type: "string", placeholder: "FILE", description: "v2: also write the bundle (the job input to post) here" },
    ...outDirOption,
    json: {
      type: "boolean",
      description: "print one JSON document { status, exitCode, fuelUsed, resultHash, … } (with the output unless -o)",
    },
  },
  notes: `Examples:
  hashwork program run wc.wasm --arg data/words.txt --file data/words.txt
  hashwork program run sum.wasm --input numbers.txt -o sum.txt --json
The run is deterministic: the same program, input and limits give the same result hash on every
machine. The program's stderr is shown but is not part of the result.`,
  async run(options, args) {
    const wasm = await readInputFile(args.PROGRAM!, "PROGRAM");
    const fuelLimit =
      options.fuel === undefined ? DEFAULT_RUN_FUEL : parseInteger(stringOption(options.fuel), "--fuel", { max: MAX_FUEL_LIMIT });
    const jobIdText = stringOption(options["job-id"]);
    // `#<nonce>`: one of your own jobs (./job-ref.ts), without asking the chain.
    const jobId = jobIdText?.startsWith("#")
      ? await resolveJobId(jobIdText, options, undefined, "--job-id")
      : jobIdText === undefined
        ? 0n
        : parseInteger(jobIdText, "--job-id", { max: (1n << 256n) - 1n });
    const stdin = options.input === undefined ? new Uint8Array() : await readInputFile(stringOption(options.input)!, "--input");
    let module: WasmModule;
    try {
      module = new Wasm.Module(wasm);
    } catch (error) {
      throw new CliError(`${args.PROGRAM}: not a WebAssembly module (${(error as Error).message.split("\n")[0]})`);
    }
    const v2 = programAbi(Wasm.Module.imports(module)).version === 2;
    let input = stdin;
    if (v2) {
      input = await bundleFromOptions(options, stdin);
      const saveInput = stringOption(options["save-input"]);
      if (saveInput) await writeFile(saveInput, input);
    } else if (hasBundleOptions(options) || options["save-input"] !== undefined) {
      throw new UsageError(`${args.PROGRAM} is an ABI v1 program (no WASI imports): --arg, --env, --file and --save-input are for ABI v2`);
    }
    const result = await executeProgram({ wasm, input, fuelLimit, jobId });
    // v2: the output may hold /out files beside stdout; they go to --out-dir, stdout where the output goes.
    const outDir = stringOption(options["out-dir"]) ?? "out";
    const outFiles = v2 ? await writeOutFiles(result.output, outDir) : [];
    const stdoutBytes = outFiles.length > 0 ? decodeOutput(result.output).stdout : result.output;
    const outFile = stringOption(options.output);
    if (outFile) await writeFile(outFile, stdoutBytes);
    const summary = {
      abi: v2 ? 2 : 1,
      status: STATUS_NAMES[result.status],
      exitCode: result.exitCode,
      fuelUsed: result.fuelUsed,
      resultHash: result.resultHash,
      outputHash: result.outputHash,
      outputBytes: result.output.length,
      outFiles: outFiles.map((name) => join(outDir, name)),
      programHash: result.programHash,
      inputHash: keccak256(input),
      wallTimeMs: Math.round(result.wallTimeMs),
    };
    if (options.json === true) {
      const text = new TextDecoder("utf-8", { fatal: true });
      const decoded = (bytes: Uint8Array) => {
        try {
          return { text: text.decode(bytes) };
        } catch {
          return { base64: Buffer.from(bytes).toString("base64") };
        }
      };
      const out = outFile ? {} : ((o) => ("text" in o ? { output: o.text } : { outputBase64: o.base64 }))(decoded(stdoutBytes));
      const err = ((o) => ("text" in o ? { stderr: o.text } : { stderrBase64: o.base64 }))(decoded(result.stderr));
      printJson({ ...summary, ...out, ...err });
      return 0;
    }
    if (!outFile) process.stdout.write(stdoutBytes);
    if (result.stderr.length > 0) process.stderr.write(sanitizeForTerminal(new TextDecoder().decode(result.stderr), { multiline: true }));
    process.stderr.write(
      `${formatFields([
        ["status", summary.status + (result.status === ExecutionStatus.Exited ? ` (exit code ${result.exitCode})` : "")],
        ["fuel used", `${result.fuelUsed} of ${fuelLimit}`],
        ["result hash", result.resultHash],
        ["output", outFile ? `${outFile} (${stdoutBytes.length} bytes)` : `${stdoutBytes.length} bytes`],
        ...(outFiles.length > 0 ? [["files in /out", `${outFiles.length} → ${outDir}/`] as [string, string]] : []),
      ])}\n`,
    );
    return 0;
  },
};
