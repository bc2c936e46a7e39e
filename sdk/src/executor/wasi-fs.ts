import { Errno } from "./wasi-abi.ts";

/** WASI file types the profile reports. */
export const FileType = { UNKNOWN: 0, DIRECTORY: 3, REGULAR_FILE: 4 } as const;

/** A node of the read-only tree: a file, or a directory with its children's names sorted. */
export type FsNode =
  | { kind: "file"; path: string; inode: bigint; data: Uint8Array }
  | { kind: "dir"; path: string; inode: bigint; children: string[] };

/**
 * The read-only file system of an ABI v2 run, built from the bundle's files. The root's path is
 * `""`; directories exist where a file's name implies them. Children are listed in JavaScript
 * string order; inodes number the root 1 and every other node 2, 3, … in the order of their full
 * paths, so two executors agree on every listing and `stat`.
 *
 * @example
 * const fs = createReadOnlyFs(new Map([["data/in.txt", bytes]]))
 * fs.resolve(fs.root, "data/../data/in.txt") // → the file node
 */
export function createReadOnlyFs(files: ReadonlyMap<string, Uint8Array>) {
  const dirs = new Map<string, Set<string>>([["", new Set()]]);
  for (const path of files.keys()) {
    const parts = path.split("/");
    for (let k = 0; k < parts.length; k++) {
      const parent = parts.slice(0, k).join("/");
      if (!dirs.has(parent)) dirs.set(parent, new Set());
      dirs.get(parent)!.add(parts[k]!);
    }
  }
  const nodes = new Map<string, FsNode>();
  const paths = [...dirs.keys(), ...files.keys()].sort();
  paths.forEach((path, index) => {
    const inode = BigInt(index + 1); // "" sorts first: the root is inode 1
    const children = dirs.get(path);
    nodes.set(path, children ? { kind: "dir", path, inode, children: [...children].sort() } : { kind: "file", path, inode, data: files.get(path)! });
  });
  const root = nodes.get("")!;

  /**
   * Resolves `path` (relative to the directory `from`) to a node, or an errno: `ENOTCAPABLE` for
   * an absolute path or one climbing above the root, `ENOENT`, `ENOTDIR`.
   */
  function resolve(from: FsNode, path: string): FsNode | number {
    if (path.startsWith("/")) return Errno.NOTCAPABLE;
    const stack = from.path === "" ? [] : from.path.split("/");
    const parts = path.split("/");
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (stack.length === 0) return Errno.NOTCAPABLE;
        stack.pop();
        continue;
      }
      const current = nodes.get(stack.join("/"))!;
      if (current.kind !== "dir") return Errno.NOTDIR;
      stack.push(part);
      if (!nodes.has(stack.join("/"))) return Errno.NOENT;
    }
    const node = nodes.get(stack.join("/"))!;
    // A trailing slash names a directory.
    if (path.endsWith("/") && node.kind !== "dir") return Errno.NOTDIR;
    return node;
  }

  /** The node at a full path (`""` is the root). */
  function child(dir: FsNode & { kind: "dir" }, name: string): FsNode {
    return nodes.get(dir.path === "" ? name : `${dir.path}/${name}`)!;
  }

  return { root, resolve, child };
}

export type ReadOnlyFs = ReturnType<typeof createReadOnlyFs>;
