import { createCipheriv } from "node:crypto";

import { encodeAbiParameters, hexToBytes, keccak256 } from "viem";

import { HostStop } from "./host-stop.ts";
import { OutputBuffer } from "./output-buffer.ts";
import { CLOCK_RESOLUTION_NS, Errno, FIXED_REALTIME_NS, WASI_IMPLEMENTED, WASI_IMPORTS, WASI_LIMITS } from "./wasi-abi.ts";
import type { WasiBundle } from "./wasi-bundle.ts";
import { FileType, createReadOnlyFs, type DirNode, type FileNode, type FsNode } from "./wasi-fs.ts";
import { OutDirectory, encodeOutput } from "./wasi-out.ts";
import type { WasmMemory } from "./webassembly.ts";

export type CreateWasiHostParameters = {
  bundle: WasiBundle;
  /** keccak256 of the whole input: with `jobId`, the seed of `random_get`. */
  inputHash: `0x${string}`;
  jobId: bigint;
  /** Cap of stdout (the output): a write past it ends the run as `OutputTooLarge`. */
  maxOutputBytes: number;
  /** Takes fuel from the program; throws `HostStop("fuel")` once it is negative. */
  charge(fuel: bigint): void;
  /** The program's memory (known once instantiated). */
  memory(): WasmMemory;
};

/**
 * Every WASI call costs this much before it does anything. A call into the host costs about a
 * microsecond, where ordinary code runs about 15 000 fuel; at 1024 a storm of the cheapest call
 * still runs ~50 times fewer fuel per millisecond than ordinary code (measured in wasi.test.ts),
 * while a real program makes few calls (stdio is buffered).
 */
export const WASI_FUEL_PER_CALL = 1024n;
/** Bytes copied between the host and memory cost 1 fuel per 16, rounded down per step (as `memory.copy`). */
const bytesFuel = (bytes: number) => BigInt(bytes) >> 4n;
/** Work that is more than a copy costs per byte: path resolution (split, decode, a lookup a part). */
export const WASI_FUEL_PER_PATH_BYTE = 16n;
/** `fd_readdir` (an entry is built per name) and `random_get` (AES) cost 1 fuel per byte of the buffer. */
export const WASI_FUEL_PER_BUFFER_BYTE = 1n;

/** Every right of WASI preview 1: the profile does not restrict by rights, it refuses writes. */
const ALL_RIGHTS = 0x1fffffffn;
const RIGHT_FD_WRITE = 1n << 6n;
const OFLAG_CREAT = 1;
const OFLAG_DIRECTORY = 2;
const OFLAG_EXCL = 4;
const OFLAG_TRUNC = 8;

type Descriptor =
  | { kind: "stdin" | "stdout" | "stderr" }
  | { kind: "dir"; node: DirNode; preopen?: true }
  | { kind: "file"; node: FileNode; position: bigint };

/**
 * The host side of ABI v2: WASI preview 1 over the job's bundle, deterministic and metered
 * (docs/program-abi.md, "ABI v2"). Returns the import object and the run's stdout and stderr.
 *
 * @example
 * const host = createWasiHost({ bundle, inputHash, jobId: 0n, maxOutputBytes, charge, memory: () => mem })
 * new WebAssembly.Instance(module, { wasi_snapshot_preview1: host.imports })
 */
export function createWasiHost({ bundle, inputHash, jobId, maxOutputBytes, charge, memory }: CreateWasiHostParameters) {
  const stdout = new OutputBuffer(maxOutputBytes);
  const stderr = new OutputBuffer(WASI_LIMITS.maxStderrBytes, true);
  const fs = createReadOnlyFs(bundle.files);
  const out = new OutDirectory({ dir: fs.out, cap: maxOutputBytes, stdoutSize: () => stdout.size, lastInode: fs.lastInode });
  const fds: (Descriptor | undefined)[] = [
    { kind: "stdin" },
    { kind: "stdout" },
    { kind: "stderr" },
    { kind: "dir", node: fs.root, preopen: true },
  ];
  let stdinPosition = 0;
  let bytesRead = 0;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const argv = bundle.args.map((a) => encoder.encode(`${a}\0`));
  const environ = bundle.env.map((e) => encoder.encode(`${e}\0`));
  // random_get: the AES-256-CTR keystream (counter block 0, 1, …) under keccak256(jobId, inputHash).
  const key = hexToBytes(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [jobId, inputHash])));
  const keystream = createCipheriv("aes-256-ctr", key, new Uint8Array(16));

  // Views of memory for one call (a call cannot grow memory).
  let bytes = new Uint8Array(0);
  let view = new DataView(bytes.buffer);
  const refresh = () => {
    const buffer = memory().buffer;
    if (bytes.buffer !== buffer) {
      bytes = new Uint8Array(buffer);
      view = new DataView(buffer);
    }
  };
  const fits = (ptr: number, len: number) => ptr + len <= bytes.length;

  /** Reads an iovec array, charging for it; an errno when it is too long or out of bounds. */
  const iovecs = (ptr: number, count: number): { ptr: number; len: number }[] | number => {
    if (count > WASI_LIMITS.maxIovecs) return Errno.INVAL;
    charge(bytesFuel(count * 8));
    if (!fits(ptr, count * 8)) return Errno.FAULT;
    const list: { ptr: number; len: number }[] = [];
    for (let k = 0; k < count; k++) {
      const buf = view.getUint32(ptr + 8 * k, true);
      const len = view.getUint32(ptr + 8 * k + 4, true);
      if (!fits(buf, len)) return Errno.FAULT;
      list.push({ ptr: buf, len });
    }
    return list;
  };

  const readPath = (ptr: number, len: number): string | number => {
    if (len > WASI_LIMITS.maxPathBytes) return Errno.NAMETOOLONG;
    charge(BigInt(len) * WASI_FUEL_PER_PATH_BYTE);
    if (!fits(ptr, len)) return Errno.FAULT;
    try {
      return decoder.decode(bytes.subarray(ptr, ptr + len));
    } catch {
      return Errno.NOENT; // no bundle name is invalid UTF-8
    }
  };

  /** Copies `source` into the iovecs (charging for the bytes moved); the count copied. */
  const scatter = (list: { ptr: number; len: number }[], source: Uint8Array): number | undefined => {
    const total = list.reduce((sum, v) => sum + v.len, 0);
    const n = Math.min(total, source.length);
    if (bytesRead + n > WASI_LIMITS.maxReadBytes) return undefined;
    charge(bytesFuel(n));
    bytesRead += n;
    let done = 0;
    for (const v of list) {
      if (done === n) break;
      const take = Math.min(v.len, n - done);
      bytes.set(source.subarray(done, done + take), v.ptr);
      done += take;
    }
    return n;
  };

  const writeFilestat = (ptr: number, filetype: number, inode: bigint, size: bigint) => {
    if (!fits(ptr, 64)) return Errno.FAULT;
    view.setBigUint64(ptr, 1n, true); // dev
    view.setBigUint64(ptr + 8, inode, true);
    view.setBigUint64(ptr + 16, 0n, true);
    view.setUint8(ptr + 16, filetype);
    view.setBigUint64(ptr + 24, 1n, true); // nlink
    view.setBigUint64(ptr + 32, size, true);
    for (const at of [40, 48, 56]) view.setBigUint64(ptr + at, FIXED_REALTIME_NS, true);
    return Errno.SUCCESS;
  };
  const statOf = (d: Descriptor | FsNode): [number, bigint, bigint] => {
    if (d.kind === "file") {
      const node = "node" in d ? d.node : d;
      return [FileType.REGULAR_FILE, node.inode, BigInt(node.data.length)];
    }
    if (d.kind === "dir") return [FileType.DIRECTORY, "node" in d ? d.node.inode : d.inode, 0n];
    return [FileType.UNKNOWN, 0n, 0n];
  };

  const sizes = (list: Uint8Array[], countPtr: number, sizePtr: number) => {
    if (!fits(countPtr, 4) || !fits(sizePtr, 4)) return Errno.FAULT;
    view.setUint32(countPtr, list.length, true);
    view.setUint32(
      sizePtr,
      list.reduce((sum, s) => sum + s.length, 0),
      true,
    );
    return Errno.SUCCESS;
  };
  const strings = (list: Uint8Array[], ptrsPtr: number, bufPtr: number) => {
    const total = list.reduce((sum, s) => sum + s.length, 0);
    charge(bytesFuel(total + 4 * list.length));
    if (!fits(ptrsPtr, 4 * list.length) || !fits(bufPtr, total)) return Errno.FAULT;
    let at = bufPtr;
    list.forEach((s, k) => {
      view.setUint32(ptrsPtr + 4 * k, at, true);
      bytes.set(s, at);
      at += s.length;
    });
    return Errno.SUCCESS;
  };

  const fileAt = (fd: number) => {
    const d = fds[fd];
    return d?.kind === "file" ? d : undefined;
  };

  const impl: Record<string, (...args: never[]) => number | void> = {
    args_sizes_get: (countPtr: number, sizePtr: number) => sizes(argv, countPtr, sizePtr),
    args_get: (ptrs: number, buf: number) => strings(argv, ptrs, buf),
    environ_sizes_get: (countPtr: number, sizePtr: number) => sizes(environ, countPtr, sizePtr),
    environ_get: (ptrs: number, buf: number) => strings(environ, ptrs, buf),
    clock_res_get: (id: number, ptr: number) => {
      if (id > 3) return Errno.INVAL;
      if (!fits(ptr, 8)) return Errno.FAULT;
      view.setBigUint64(ptr, CLOCK_RESOLUTION_NS, true);
      return Errno.SUCCESS;
    },
    clock_time_get: (id: number, _precision: bigint, ptr: number) => {
      if (id > 3) return Errno.INVAL;
      if (!fits(ptr, 8)) return Errno.FAULT;
      view.setBigUint64(ptr, id === 0 ? FIXED_REALTIME_NS : 0n, true);
      return Errno.SUCCESS;
    },
    random_get: (ptr: number, len: number) => {
      charge(BigInt(len) * WASI_FUEL_PER_BUFFER_BYTE);
      if (!fits(ptr, len)) return Errno.FAULT;
      bytes.set(keystream.update(new Uint8Array(len)), ptr);
      return Errno.SUCCESS;
    },
    sched_yield: () => Errno.SUCCESS,
    proc_exit: (code: number) => {
      throw new HostStop("exit", code >>> 0);
    },
    fd_prestat_get: (fd: number, ptr: number) => {
      const d = fds[fd];
      if (d?.kind !== "dir" || !d.preopen) return Errno.BADF;
      if (!fits(ptr, 8)) return Errno.FAULT;
      view.setUint32(ptr, 0, true); // tag 0: a directory
      view.setUint32(ptr + 4, 1, true); // its name, "/", is 1 byte
      return Errno.SUCCESS;
    },
    fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
      const d = fds[fd];
      if (d?.kind !== "dir" || !d.preopen) return Errno.BADF;
      if (len < 1) return Errno.INVAL;
      if (!fits(ptr, 1)) return Errno.FAULT;
      bytes[ptr] = 0x2f;
      return Errno.SUCCESS;
    },
    fd_fdstat_get: (fd: number, ptr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      if (!fits(ptr, 24)) return Errno.FAULT;
      // stdin/stdout/stderr are pipes (UNKNOWN), not terminals: C's stdout is fully buffered.
      view.setBigUint64(ptr, 0n, true);
      view.setUint8(ptr, statOf(d)[0]);
      view.setBigUint64(ptr + 8, ALL_RIGHTS, true);
      view.setBigUint64(ptr + 16, ALL_RIGHTS, true);
      return Errno.SUCCESS;
    },
    fd_filestat_get: (fd: number, ptr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      return writeFilestat(ptr, ...statOf(d));
    },
    path_filestat_get: (fd: number, _flags: number, path: number, pathLen: number, ptr: number) => {
      const d = fds[fd];
      if (d?.kind !== "dir") return d ? Errno.NOTDIR : Errno.BADF;
      const name = readPath(path, pathLen);
      if (typeof name === "number") return name;
      const node = fs.resolve(d.node, name);
      if (typeof node === "number") return node;
      return writeFilestat(ptr, ...statOf(node));
    },
    path_open: (
      fd: number,
      _dirflags: number,
      path: number,
      pathLen: number,
      oflags: number,
      rights: bigint,
      _inheriting: bigint,
      _fdflags: number,
      fdPtr: number,
    ) => {
      const d = fds[fd];
      if (d?.kind !== "dir") return d ? Errno.NOTDIR : Errno.BADF;
      const name = readPath(path, pathLen);
      if (typeof name === "number") return name;
      let node = fs.resolve(d.node, name);
      let created: { dir: DirNode; name: string } | undefined;
      if (node === Errno.NOENT && oflags & OFLAG_CREAT) {
        // Only a new file directly in /out may be created; everything else is read-only.
        const cut = name.replace(/\/+$/, "").lastIndexOf("/");
        const parent = cut < 0 ? d.node : fs.resolve(d.node, name.slice(0, cut));
        const base = name.slice(cut + 1);
        if (parent !== out.dir || base === "" || base.endsWith("/")) return Errno.ROFS;
        created = { dir: parent, name: base };
      }
      if (typeof node === "number" && created === undefined) return node;
      if (typeof node !== "number") {
        if (oflags & OFLAG_CREAT && oflags & OFLAG_EXCL) return Errno.EXIST;
        if (oflags & OFLAG_DIRECTORY && node.kind !== "dir") return Errno.NOTDIR;
        const writes = BigInt.asUintN(64, rights) & RIGHT_FD_WRITE || oflags & OFLAG_TRUNC;
        if (writes && (node.kind === "dir" || !out.writable(node))) return node.kind === "dir" ? Errno.ISDIR : Errno.ROFS;
      }
      let free = 0;
      while (free < WASI_LIMITS.maxOpenFiles && fds[free]) free++;
      if (free === WASI_LIMITS.maxOpenFiles) return Errno.MFILE;
      if (!fits(fdPtr, 4)) return Errno.FAULT;
      if (created) {
        const made = out.create(created.name);
        if (!made) return Errno.DQUOT;
        node = made;
      } else if (oflags & OFLAG_TRUNC) out.truncate(node as FileNode);
      if (typeof node === "number") return node;
      fds[free] = node.kind === "dir" ? { kind: "dir", node } : { kind: "file", node, position: 0n };
      view.setUint32(fdPtr, free, true);
      return Errno.SUCCESS;
    },
    fd_close: (fd: number) => {
      if (!fds[fd]) return Errno.BADF;
      fds[fd] = undefined;
      return Errno.SUCCESS;
    },
    fd_read: (fd: number, iovs: number, count: number, nreadPtr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      if (d.kind === "dir") return Errno.ISDIR;
      if (d.kind !== "stdin" && d.kind !== "file") return Errno.BADF;
      const list = iovecs(iovs, count);
      if (typeof list === "number") return list;
      if (!fits(nreadPtr, 4)) return Errno.FAULT;
      const file = d.kind === "file" ? d : undefined;
      const source = file
        ? file.node.data.subarray(Number(file.position < BigInt(file.node.data.length) ? file.position : BigInt(file.node.data.length)))
        : bundle.stdin.subarray(stdinPosition);
      const n = scatter(list, source);
      if (n === undefined) return Errno.IO;
      if (file) file.position += BigInt(n);
      else stdinPosition += n;
      view.setUint32(nreadPtr, n, true);
      return Errno.SUCCESS;
    },
    fd_pread: (fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      if (d.kind === "dir") return Errno.ISDIR;
      if (d.kind !== "file") return Errno.SPIPE;
      const list = iovecs(iovs, count);
      if (typeof list === "number") return list;
      if (!fits(nreadPtr, 4)) return Errno.FAULT;
      const at = BigInt.asUintN(64, offset);
      const n = scatter(list, d.node.data.subarray(at < BigInt(d.node.data.length) ? Number(at) : d.node.data.length));
      if (n === undefined) return Errno.IO;
      view.setUint32(nreadPtr, n, true);
      return Errno.SUCCESS;
    },
    fd_write: (fd: number, iovs: number, count: number, nwrittenPtr: number) => {
      const d = fds[fd];
      const file = d?.kind === "file" && out.writable(d.node) ? d : undefined;
      if (d?.kind !== "stdout" && d?.kind !== "stderr" && !file) return Errno.BADF;
      const list = iovecs(iovs, count);
      if (typeof list === "number") return list;
      if (!fits(nwrittenPtr, 4)) return Errno.FAULT;
      const total = list.reduce((sum, v) => sum + v.len, 0);
      charge(bytesFuel(total));
      if (file) {
        // A file in /out: written at its position; its growth shares the output cap with stdout.
        for (const v of list) {
          out.write(file.node, Number(file.position), bytes.subarray(v.ptr, v.ptr + v.len));
          file.position += BigInt(v.len);
        }
        view.setUint32(nwrittenPtr, total, true);
        return Errno.SUCCESS;
      }
      if (d!.kind === "stdout") out.reserve(total);
      const sink = d!.kind === "stdout" ? stdout : stderr;
      for (const v of list) sink.append(bytes.subarray(v.ptr, v.ptr + v.len));
      view.setUint32(nwrittenPtr, total, true);
      return Errno.SUCCESS;
    },
    fd_seek: (fd: number, offset: bigint, whence: number, ptr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      if (d.kind !== "file") return d.kind === "dir" ? Errno.BADF : Errno.SPIPE;
      const base = whence === 0 ? 0n : whence === 1 ? d.position : whence === 2 ? BigInt(d.node.data.length) : undefined;
      if (base === undefined) return Errno.INVAL;
      const next = base + offset;
      if (next < 0n || next >= 1n << 63n) return Errno.INVAL;
      if (!fits(ptr, 8)) return Errno.FAULT;
      d.position = next;
      view.setBigUint64(ptr, next, true);
      return Errno.SUCCESS;
    },
    fd_tell: (fd: number, ptr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      if (d.kind !== "file") return d.kind === "dir" ? Errno.BADF : Errno.SPIPE;
      if (!fits(ptr, 8)) return Errno.FAULT;
      view.setBigUint64(ptr, d.position, true);
      return Errno.SUCCESS;
    },
    fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, usedPtr: number) => {
      const d = fds[fd];
      if (!d) return Errno.BADF;
      if (d.kind !== "dir") return Errno.NOTDIR;
      if (!fits(usedPtr, 4)) return Errno.FAULT;
      charge(BigInt(len) * WASI_FUEL_PER_BUFFER_BYTE);
      if (!fits(buf, len)) return Errno.FAULT;
      // Entries (24-byte dirent + name) back to back from `cookie`; the last may be cut at `len`.
      const out = new Uint8Array(len);
      const entry = new DataView(new ArrayBuffer(24));
      let used = 0;
      const names = d.node.names;
      const first = BigInt.asUintN(64, cookie);
      for (let k = first < BigInt(names.length) ? Number(first) : names.length; k < names.length && used < len; k++) {
        const node = d.node.children.get(names[k]!)!;
        const name = encoder.encode(names[k]!);
        entry.setBigUint64(0, BigInt(k + 1), true);
        entry.setBigUint64(8, node.inode, true);
        entry.setUint32(16, name.length, true);
        entry.setUint32(20, node.kind === "dir" ? FileType.DIRECTORY : FileType.REGULAR_FILE, true);
        const record = new Uint8Array(24 + name.length);
        record.set(new Uint8Array(entry.buffer));
        record.set(name, 24);
        const take = Math.min(record.length, len - used);
        out.set(record.subarray(0, take), used);
        used += take;
      }
      bytes.set(out.subarray(0, used), buf);
      view.setUint32(usedPtr, used, true);
      return Errno.SUCCESS;
    },
  };

  const imports: Record<string, (...args: never[]) => number | void> = {};
  for (const { name } of WASI_IMPORTS) {
    const fn = WASI_IMPLEMENTED.has(name) ? impl[name]! : () => Errno.NOSYS;
    imports[name] = (...args: never[]) => {
      charge(WASI_FUEL_PER_CALL);
      refresh();
      // i32 arguments are read as unsigned (i64 ones arrive as signed bigints).
      const unsigned = args.map((a) => (typeof a === "number" ? a >>> 0 : a)) as never[];
      return fn(...unsigned);
    };
  }

  return {
    imports,
    stdout: () => stdout.contents(),
    /** The run's output: stdout, or stdout and the `/out` files as one CBOR map (`wasi-out.ts`). */
    output: () => encodeOutput(stdout.contents(), out.files()),
    stderr: () => stderr.contents(),
  };
}
