/**
 * The program and input of a job from the command line, shared by `job post` and `job quote`:
 * the program is validated offline, and an ABI v2 (WASI) program's input is the bundle of
 * `--arg`, `--env`, `--file` and `--input` (its stdin).
 */
import { DEFAULT_LIMITS } from "../executor/abi.ts";
import { InvalidProgramError } from "../executor/errors.ts";
import { validateProgram } from "../executor/validate.ts";
import { UsageError, type OptionValues } from "./args.ts";
import { bundleFromOptions, hasBundleOptions } from "./bundle-options.ts";
import { CliError } from "./errors.ts";
import { readInputFile } from "./files.ts";

/** Reads and checks `programPath` and the input options; `command` names the command in usage errors. */
export async function readJobFiles(
  programPath: string,
  options: OptionValues,
  command: string,
): Promise<{ program: Uint8Array; input: Uint8Array }> {
  const [program, given] = await Promise.all([
    readInputFile(programPath, "--program"),
    options.input === undefined ? undefined : readInputFile(String(options.input), "--input"),
  ]);
  try {
    const { abiVersion } = validateProgram({ wasm: program, limits: DEFAULT_LIMITS });
    if (abiVersion === 2) return { program, input: await bundleFromOptions(options, given ?? new Uint8Array()) };
    if (hasBundleOptions(options)) {
      throw new UsageError(`--program ${programPath} is ABI v1 (no WASI imports): --arg, --env and --file are for ABI v2 programs`);
    }
    if (given === undefined) throw new UsageError(`"${command}" needs --input`);
    return { program, input: given };
  } catch (error) {
    if (error instanceof InvalidProgramError) {
      throw new CliError(`--program ${programPath}: ${error.shortMessage}${error.details ? ` (${error.details.split("\n")[0]})` : ""}`);
    }
    throw error;
  }
}
