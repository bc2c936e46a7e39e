import { decode, encode } from "cborg";

import { WASI_LIMITS } from "./wasi-abi.ts";
import { FsConflictError, createReadOnlyFs } from "./wasi-fs.ts";

/**
 * The input of an ABI v2 program: one CBOR map (RFC 8949), decoded strictly by the pinned `cborg`
 * (shortest integer and length forms, no indefinite lengths, no duplicate keys, no tags, no
 * `undefined`), every key optional, no other keys:
 *
 * ```cddl
 * bundle = { ? "args": [* tstr], ? "env": [* tstr], ? "stdin": bstr, ? "files": { * tstr => bstr } }
 * ```
 *
 * `args` is the whole argv (argv[0] included); `env` holds `KEY=VALUE` strings; neither may
 * contain NUL. File names are relative paths (`data/in.csv`): non-empty `/`-separated parts,
 * none `.` or `..`, no NUL, at most {@link WASI_LIMITS.maxPathBytes} bytes, no file also a
 * directory of another. The program sees them read-only under `/`. An input that breaks a rule
 * is not a bundle, and the run ends `Trapped` with fuel 0 (a committed result, like a data
 * segment out of bounds).
 */
export type WasiBundle = {
  args: string[];
  env: string[];
  stdin: Uint8Array;
  /** Path → contents. */
  files: Map<string, Uint8Array>;
};

/** Why an input is not a bundle (a run on it ends `Trapped`). */
export class InvalidBundleError extends Error {}

const DECODE_OPTIONS = {
  strict: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  useMaps: true,
} as const;

const KEYS = new Set(["args", "env", "stdin", "files"]);
const utf8 = new TextEncoder();

/**
 * Decodes and checks an ABI v2 input.
 *
 * @example
 * const { args, env, stdin, files } = decodeBundle(input)
 */
export function decodeBundle(input: Uint8Array): WasiBundle {
  let value: unknown;
  try {
    value = decode(input, DECODE_OPTIONS);
  } catch (error) {
    throw new InvalidBundleError(`not strict CBOR: ${(error as Error).message}`);
  }
  if (!(value instanceof Map)) throw new InvalidBundleError("the bundle is not a CBOR map");
  for (const key of value.keys()) if (!KEYS.has(key)) throw new InvalidBundleError(`unknown key ${JSON.stringify(key)}`);
  const strings = (key: string) => {
    const list = value.get(key) ?? [];
    if (!Array.isArray(list) || !list.every((s) => typeof s === "string" && !s.includes("\0"))) {
      throw new InvalidBundleError(`"${key}" must be an array of strings without NUL`);
    }
    return list as string[];
  };
  const args = strings("args");
  const env = strings("env");
  if (!env.every((e) => e.includes("="))) throw new InvalidBundleError(`every "env" entry must be KEY=VALUE`);
  const stdin = value.get("stdin") ?? new Uint8Array();
  if (!(stdin instanceof Uint8Array)) throw new InvalidBundleError(`"stdin" must be a byte string`);
  const rawFiles = value.get("files") ?? new Map();
  if (!(rawFiles instanceof Map)) throw new InvalidBundleError(`"files" must be a map`);
  if (rawFiles.size > WASI_LIMITS.maxFiles) throw new InvalidBundleError(`more than ${WASI_LIMITS.maxFiles} files`);
  const files = new Map<string, Uint8Array>();
  for (const [path, data] of rawFiles) {
    if (typeof path !== "string" || !(data instanceof Uint8Array)) throw new InvalidBundleError(`"files" maps names to byte strings`);
    checkPath(path);
    files.set(path, data);
  }
  try {
    createReadOnlyFs(files); // a file used as a directory (linear in the names)
  } catch (error) {
    if (error instanceof FsConflictError) throw new InvalidBundleError(error.message);
    throw error;
  }
  return { args, env, stdin, files };
}

function checkPath(path: string): void {
  if (utf8.encode(path).length > WASI_LIMITS.maxPathBytes)
    throw new InvalidBundleError(`a file name is longer than ${WASI_LIMITS.maxPathBytes} bytes`);
  if (path.includes("\0") || path.split("/").some((p) => p === "" || p === "." || p === "..")) {
    throw new InvalidBundleError(`bad file name ${JSON.stringify(path)}: relative, "/"-separated, no empty, "." or ".." parts`);
  }
}

export type EncodeBundleParameters = {
  /** argv[1..]; argv[0] is {@link DEFAULT_ARGV0} unless `argv0` is given. */
  args?: readonly string[];
  argv0?: string;
  /** `KEY=VALUE` strings. */
  env?: readonly string[];
  stdin?: Uint8Array;
  /** Name (relative path) → contents. */
  files?: Iterable<readonly [string, Uint8Array]>;
};

/** argv[0] of bundles built by {@link encodeBundle}. */
export const DEFAULT_ARGV0 = "program";

/**
 * Builds an ABI v2 input, checking it as a run would.
 *
 * @example
 * const input = encodeBundle({ args: ["--rows", "10"], files: [["data/in.csv", csv]], stdin: new Uint8Array() })
 */
export function encodeBundle({ args = [], argv0 = DEFAULT_ARGV0, env = [], stdin, files = [] }: EncodeBundleParameters): Uint8Array {
  const map = new Map<string, unknown>([
    ["args", [argv0, ...args]],
    ["env", [...env]],
    ["files", new Map(files)],
  ]);
  if (stdin) map.set("stdin", stdin);
  const bytes = encode(map);
  decodeBundle(bytes);
  return bytes;
}
