import { decode, encode } from "cborg";

import { HostStop } from "./host-stop.ts";
import type { DirNode, FileNode } from "./wasi-fs.ts";

/** The writable output directory of an ABI v2 run: `/out`, flat (files directly in it). */
export const OUT_DIR = "out";
/** Most files `/out` may hold: creating one more gives `EDQUOT`. */
export const MAX_OUT_FILES = 256;

/**
 * The files a program writes under `/out` (docs/program-abi.md, "The output directory"). Their
 * bytes share the output cap with stdout: a write that would take stdout plus every `/out` file
 * past it ends the run as `OutputTooLarge`, as a write to stdout does. Each file keeps a buffer
 * that doubles, so many small writes cost linear time.
 */
export class OutDirectory {
  readonly dir: DirNode | undefined;
  private readonly cap: number;
  private readonly stdoutSize: () => number;
  private readonly buffers = new Map<FileNode, Uint8Array>();
  private bytes = 0;
  private nextInode: bigint;

  constructor({ dir, cap, stdoutSize, lastInode }: { dir: DirNode | undefined; cap: number; stdoutSize: () => number; lastInode: bigint }) {
    this.dir = dir;
    this.cap = cap;
    this.stdoutSize = stdoutSize;
    this.nextInode = lastInode + 1n;
    for (const name of dir?.names ?? []) {
      const node = dir!.children.get(name)!;
      if (node.kind === "file") this.bytes += node.data.length;
    }
  }

  /** Whether `node` is a file the program may write (one directly in `/out`). */
  writable(node: FileNode): boolean {
    return node.parent === this.dir;
  }

  /** Bytes held by `/out` files. */
  size(): number {
    return this.bytes;
  }

  /** Ends the run (`OutputTooLarge`) unless `more` bytes fit beside stdout and `/out`. */
  reserve(more: number): void {
    if (this.stdoutSize() + this.bytes + more > this.cap) throw new HostStop("output");
  }

  /** Creates the empty file `name` in `/out`; false when `/out` is full. */
  create(name: string): FileNode | false {
    const dir = this.dir!;
    if (dir.names.length >= MAX_OUT_FILES) return false;
    const node: FileNode = { kind: "file", inode: this.nextInode++, parent: dir, data: new Uint8Array() };
    dir.children.set(name, node);
    // Keep the listing in JavaScript string order (as the read-only tree's).
    let at = dir.names.length;
    while (at > 0 && dir.names[at - 1]! > name) at--;
    dir.names.splice(at, 0, name);
    return node;
  }

  truncate(node: FileNode): void {
    this.bytes -= node.data.length;
    node.data = new Uint8Array();
    this.buffers.delete(node);
  }

  /** Writes `data` at `position` (zero-filling any gap); the caller charged the fuel. */
  write(node: FileNode, position: number, data: Uint8Array): void {
    const end = position + data.length;
    const grow = Math.max(0, end - node.data.length);
    this.reserve(grow);
    let buffer = this.buffers.get(node);
    if (buffer === undefined || buffer.length < end) {
      let capacity = Math.max(buffer?.length ?? 0, 64);
      while (capacity < end) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(node.data);
      buffer = grown;
      this.buffers.set(node, buffer);
    }
    buffer.set(data, position);
    this.bytes += grow;
    node.data = buffer.subarray(0, Math.max(end, node.data.length));
  }

  /** The files of `/out` in listing order (name → bytes). */
  files(): Map<string, Uint8Array> {
    const files = new Map<string, Uint8Array>();
    for (const name of this.dir?.names ?? []) {
      const node = this.dir!.children.get(name)!;
      if (node.kind === "file") files.set(name, node.data.slice());
    }
    return files;
  }
}

/**
 * The output of an ABI v2 run: stdout alone when `/out` holds no file (so programs that do not
 * use it keep their result hashes), else one CBOR map `{ "out": { name => bytes }, "stdout":
 * bytes }` in cborg's deterministic encoding (shortest forms, keys sorted). {@link decodeOutput}
 * reverses it.
 *
 * @example
 * const output = encodeOutput(stdout, files)
 */
export function encodeOutput(stdout: Uint8Array, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  if (files.size === 0) return stdout;
  // A copy: cborg may return a view of a larger buffer, and the worker transfers the output's.
  return Uint8Array.prototype.slice.call(
    encode(
      new Map<string, unknown>([
        ["stdout", stdout],
        ["out", new Map(files)],
      ]),
    ),
  );
}

/**
 * Splits an ABI v2 output into stdout and the `/out` files: a CBOR map with exactly the keys
 * `stdout` (bytes) and `out` (a non-empty map of names to bytes), in deterministic encoding, is
 * an output with files; anything else is stdout alone. (A program can print such a map to
 * stdout itself; it then reads back as files, which deceives only its own requester.)
 *
 * @example
 * const { stdout, files } = decodeOutput(result.output)
 */
export function decodeOutput(output: Uint8Array): { stdout: Uint8Array; files: Map<string, Uint8Array> } {
  const plain = { stdout: output, files: new Map<string, Uint8Array>() };
  if (output.length === 0 || output[0]! >> 5 !== 5) return plain; // not a CBOR map
  let value: unknown;
  try {
    value = decode(output, { useMaps: true, rejectDuplicateMapKeys: true, strict: true });
  } catch {
    return plain;
  }
  if (!(value instanceof Map) || value.size !== 2) return plain;
  const stdout = value.get("stdout");
  const out = value.get("out");
  if (!(stdout instanceof Uint8Array) || !(out instanceof Map) || out.size === 0) return plain;
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of out) {
    if (typeof name !== "string" || !(bytes instanceof Uint8Array)) return plain;
    files.set(name, bytes);
  }
  // Only the deterministic encoding counts, so one output has one reading.
  if (!Buffer.from(encodeOutput(stdout, files)).equals(output)) return plain;
  return { stdout, files };
}
