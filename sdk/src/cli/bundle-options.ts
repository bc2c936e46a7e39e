/**
 * `--arg`, `--env`, `--file` and `--input` of `program run` and `job post`: the input bundle of
 * an ABI v2 (WASI) program (docs/program-abi.md, "The input bundle"). Bad values are usage
 * errors (one line, exit 2).
 */
import { InvalidBundleError, encodeBundle } from "../executor/wasi-bundle.ts";
import { type OptionSpec, UsageError, type OptionValues } from "./args.ts";
import { readInputFile } from "./files.ts";
import { stringsOption } from "./values.ts";

/** The options, for a command's option table. */
export const bundleOptions = {
  arg: {
    type: "string",
    multiple: true,
    placeholder: "A",
    description: 'ABI v2: an argument (argv[1], argv[2], … in order; argv[0] is "program")',
  },
  env: { type: "string", multiple: true, placeholder: "K=V", description: "ABI v2: an environment variable" },
  file: {
    type: "string",
    multiple: true,
    placeholder: "PATH|NAME=PATH",
    description: "ABI v2: a read-only file for the program, under its relative PATH (or NAME) in /",
  },
} satisfies Record<string, OptionSpec>;

/** Whether any of `--arg`, `--env`, `--file` was given. */
export function hasBundleOptions(options: OptionValues): boolean {
  return [options.arg, options.env, options.file].some((v) => stringsOption(v).length > 0);
}

/** The bundle: `--arg`s, `--env`s, `--file`s and `stdin` (the `--input` file's bytes). */
export async function bundleFromOptions(options: OptionValues, stdin: Uint8Array): Promise<Uint8Array> {
  const env = stringsOption(options.env);
  for (const e of env) if (!/^[^=]+=/.test(e)) throw new UsageError(`--env ${e}: expected KEY=VALUE`);
  const files: [string, Uint8Array][] = [];
  for (const spec of stringsOption(options.file)) {
    const at = spec.indexOf("=");
    const [name, path] = at >= 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec.replace(/^(\.\/)+/, ""), spec];
    files.push([name, await readInputFile(path, "--file")]);
  }
  try {
    return encodeBundle({ args: stringsOption(options.arg), env, stdin, files });
  } catch (error) {
    if (error instanceof InvalidBundleError) throw new UsageError(`bad --arg/--env/--file: ${error.message}`);
    throw error;
  }
}
