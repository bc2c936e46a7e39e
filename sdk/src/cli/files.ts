import { readFile } from "node:fs/promises";

import { UsageError } from "./args.ts";

/** Reads a file named on the command line; a missing or unreadable file is bad usage (one line, exit 2). */
export async function readInputFile(path: string, label: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "unreadable");
    throw new UsageError(`${label} ${path}: ${why}`);
  }
}
