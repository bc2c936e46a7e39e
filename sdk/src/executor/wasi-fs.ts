import { Errno } from "./wasi-abi.ts";
import { OUT_DIR } from "./wasi-out.ts";

/** WASI file types the profile reports. */
export const FileType = { UNKNOWN: 0, DIRECTORY: 3, REGULAR_FILE: 4 } as const;

export type FileNode = { kind: "file"; inode: bigint; parent: DirNode; data: Uint8Array };
export type DirNode = {
  kind: "dir";
  inode: bigint;
  /** The root is its own parent. */
  parent: DirNode;
  children: Map<string, FsNode>;
  /** The children's names in JavaScript string order (what `fd_readdir` lists). */
  names: string[];
};
export type FsNode = FileNode | DirNode;

/** Two bundle names that cannot both exist (a file used as a directory). */
export class FsConflictError extends Error {}

/**
 * The file system of an ABI v2 run: the bundle's files, read-only, and the writable `/out`
 * directory (`wasi-out.ts`), empty unless the bundle puts files in it. It is built from the bundle's files in time linear in
 * their names. Directories exist where a file's name implies them. Inodes: the root is 1, the
 * other nodes 2, 3, … in depth-first pre-order with children in JavaScript string order, so two
 * executors agree on every listing and `stat`. Path resolution walks nodes (a map lookup a part),
 * so its work is linear in the path's length, which the caller charges for.
 *
 * @example
 * const fs = createReadOnlyFs(new Map([["data/in.txt", bytes]]))
 * fs.resolve(fs.root, "data/../data/in.txt") // → the file node
 */
export function createReadOnlyFs(files: ReadonlyMap<string, Uint8Array>) {
  const root = { kind: "dir", inode: 0n, children: new Map(), names: [] } as unknown as DirNode;
  root.parent = root;
  for (const [path, data] of files) {
    const parts = path.split("/");
    let dir = root;
    for (let k = 0; k < parts.length - 1; k++) {
      let next = dir.children.get(parts[k]!);
      if (next === undefined) {
        next = { kind: "dir", inode: 0n, parent: dir, children: new Map(), names: [] };
        dir.children.set(parts[k]!, next);
      } else if (next.kind !== "dir") {
        throw new FsConflictError(`"${path}" lies inside the file "${parts.slice(0, k + 1).join("/")}"`);
      }
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    if (dir.children.has(name)) throw new FsConflictError(`"${path}" is a file and a directory`);
    dir.children.set(name, { kind: "file", inode: 0n, parent: dir, data });
  }
  // The writable output directory always exists, unless the bundle has a file of that name.
  if (!root.children.has(OUT_DIR)) root.children.set(OUT_DIR, { kind: "dir", inode: 0n, parent: root, children: new Map(), names: [] });
  // Number depth-first, children sorted (an explicit stack: trees may be deep).
  let inode = 0n;
  const stack: FsNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.inode = ++inode;
    if (node.kind === "dir") {
      node.names = [...node.children.keys()].sort();
      for (let k = node.names.length - 1; k >= 0; k--) stack.push(node.children.get(node.names[k]!)!);
    }
  }

  /**
   * Resolves `path` (relative to the directory `from`) to a node, or an errno: `ENOTCAPABLE` for
   * an absolute path or one climbing above the root, `ENOENT`, `ENOTDIR`.
   */
  function resolve(from: DirNode, path: string): FsNode | number {
    if (path.startsWith("/")) return Errno.NOTCAPABLE;
    let node: FsNode = from;
    for (const part of path.split("/")) {
      if (part === "") continue;
      if (node.kind !== "dir") return Errno.NOTDIR;
      if (part === ".") continue;
      if (part === "..") {
        if (node === root) return Errno.NOTCAPABLE;
        node = node.parent;
        continue;
      }
      const next: FsNode | undefined = node.children.get(part);
      if (next === undefined) return Errno.NOENT;
      node = next;
    }
    // A trailing slash names a directory.
    if (path.endsWith("/") && node.kind !== "dir") return Errno.NOTDIR;
    return node;
  }

  const out = root.children.get(OUT_DIR);
  return { root, resolve, out: out?.kind === "dir" ? out : undefined, lastInode: inode };
}

export type ReadOnlyFs = ReturnType<typeof createReadOnlyFs>;
