// The files an ABI v2 program left in /out (docs/program-abi.md, "The output directory"):
// `program run` and `job result --out-dir` write them into a local directory.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { decodeOutput } from "../executor/wasi-out.ts";
import { CliError } from "./errors.ts";

/** An option both commands share. */
export const outDirOption = {
  "out-dir": {
    type: "string",
    placeholder: "DIR",
    description: "v2: write the files the program left in /out into DIR (program run: default ./out, only when there are any)",
  },
} as const;

/**
 * Writes the `/out` files of `output` into `dir` (created if missing) and returns their names.
 * Names come from the output, which a program controls: anything but a plain file name is refused.
 */
export async function writeOutFiles(output: Uint8Array, dir: string): Promise<string[]> {
  const { files } = decodeOutput(output);
  for (const name of files.keys()) {
    if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
      throw new CliError(
        `the output names a file ${JSON.stringify(name)} in /out that is not a plain file name; nothing written to ${dir}`,
      );
    }
  }
  if (files.size > 0) await mkdir(dir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
  return [...files.keys()];
}
