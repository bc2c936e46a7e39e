import type { HostImport } from "./abi.ts";

/**
 * Program ABI v2: the deterministic WASI preview 1 profile (docs/program-abi.md). A program
 * declares v2 by importing from {@link WASI_MODULE}; it then may import nothing else and must
 * export `_start: () -> ()` and its memory. Changing anything here is a new ABI version.
 */

/** Module name of every WASI preview 1 import. */
export const WASI_MODULE = "wasi_snapshot_preview1";
/** The entry point of a WASI command. */
export const START_EXPORT = "_start";

const i32 = "i32" as const;
const i64 = "i64" as const;
const wasi = (name: string, params: HostImport["params"], results: HostImport["results"] = [i32]): HostImport => ({
  module: WASI_MODULE,
  name,
  params,
  results,
});

/**
 * Every function of WASI preview 1 with its exact signature. All may be imported; those the
 * profile does not implement return {@link Errno.NOSYS} (see {@link WASI_IMPLEMENTED}). A name
 * outside this list is refused at validation.
 */
export const WASI_IMPORTS: readonly HostImport[] = [
  wasi("args_get", [i32, i32]),
  wasi("args_sizes_get", [i32, i32]),
  wasi("environ_get", [i32, i32]),
  wasi("environ_sizes_get", [i32, i32]),
  wasi("clock_res_get", [i32, i32]),
  wasi("clock_time_get", [i32, i64, i32]),
  wasi("fd_advise", [i32, i64, i64, i32]),
  wasi("fd_allocate", [i32, i64, i64]),
  wasi("fd_close", [i32]),
  wasi("fd_datasync", [i32]),
  wasi("fd_fdstat_get", [i32, i32]),
  wasi("fd_fdstat_set_flags", [i32, i32]),
  wasi("fd_fdstat_set_rights", [i32, i64, i64]),
  wasi("fd_filestat_get", [i32, i32]),
  wasi("fd_filestat_set_size", [i32, i64]),
  wasi("fd_filestat_set_times", [i32, i64, i64, i32]),
  wasi("fd_pread", [i32, i32, i32, i64, i32]),
  wasi("fd_prestat_get", [i32, i32]),
  wasi("fd_prestat_dir_name", [i32, i32, i32]),
  wasi("fd_pwrite", [i32, i32, i32, i64, i32]),
  wasi("fd_read", [i32, i32, i32, i32]),
  wasi("fd_readdir", [i32, i32, i32, i64, i32]),
  wasi("fd_renumber", [i32, i32]),
  wasi("fd_seek", [i32, i64, i32, i32]),
  wasi("fd_sync", [i32]),
  wasi("fd_tell", [i32, i32]),
  wasi("fd_write", [i32, i32, i32, i32]),
  wasi("path_create_directory", [i32, i32, i32]),
  wasi("path_filestat_get", [i32, i32, i32, i32, i32]),
  wasi("path_filestat_set_times", [i32, i32, i32, i32, i64, i64, i32]),
  wasi("path_link", [i32, i32, i32, i32, i32, i32, i32]),
  wasi("path_open", [i32, i32, i32, i32, i32, i64, i64, i32, i32]),
  wasi("path_readlink", [i32, i32, i32, i32, i32, i32]),
  wasi("path_remove_directory", [i32, i32, i32]),
  wasi("path_rename", [i32, i32, i32, i32, i32, i32]),
  wasi("path_symlink", [i32, i32, i32, i32, i32]),
  wasi("path_unlink_file", [i32, i32, i32]),
  wasi("poll_oneoff", [i32, i32, i32, i32]),
  wasi("proc_exit", [i32], []),
  wasi("proc_raise", [i32]),
  wasi("sched_yield", []),
  wasi("random_get", [i32, i32]),
  wasi("sock_accept", [i32, i32, i32]),
  wasi("sock_recv", [i32, i32, i32, i32, i32, i32]),
  wasi("sock_send", [i32, i32, i32, i32, i32]),
  wasi("sock_shutdown", [i32, i32]),
];

/** The functions the profile implements; every other one returns `ENOSYS` (after its fixed fuel). */
export const WASI_IMPLEMENTED: ReadonlySet<string> = new Set([
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "clock_res_get",
  "clock_time_get",
  "fd_close",
  "fd_fdstat_get",
  "fd_filestat_get",
  "fd_pread",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "fd_read",
  "fd_readdir",
  "fd_seek",
  "fd_tell",
  "fd_write",
  "path_filestat_get",
  "path_open",
  "proc_exit",
  "random_get",
  "sched_yield",
]);

/** The WASI error numbers the profile returns. */
export const Errno = {
  SUCCESS: 0,
  BADF: 8,
  DQUOT: 19,
  EXIST: 20,
  FAULT: 21,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  ROFS: 69,
  SPIPE: 70,
  NOTCAPABLE: 76,
} as const;

/** Caps of the profile: each gives an error code, never a crash. */
export const WASI_LIMITS = Object.freeze({
  /** Open file descriptors, including 0-2 and the preopened root (3): `EMFILE` beyond. */
  maxOpenFiles: 64,
  /** Bytes of a path argument: `ENAMETOOLONG` beyond. */
  maxPathBytes: 4096,
  /** iovecs in one `fd_read`/`fd_write`/`fd_pread` call: `EINVAL` beyond. */
  maxIovecs: 1024,
  /** Bytes read from files and stdin in one run: reads past it return `EIO`. */
  maxReadBytes: 256 * 1024 * 1024,
  /** Bytes of stderr kept (it is not part of the result); the rest is dropped. */
  maxStderrBytes: 64 * 1024,
  /** Files in an input bundle: a bigger bundle is invalid. */
  maxFiles: 65_536,
});

/** What every clock reads: `realtime` is 2020-01-01T00:00:00Z, the others 0; in nanoseconds. */
export const FIXED_REALTIME_NS = 1_577_836_800_000_000_000n;
/** Resolution every clock reports, in nanoseconds. */
export const CLOCK_RESOLUTION_NS = 1n;

/** The preopened directory's descriptor: the bundle's file system, mounted at `/`. */
export const ROOT_FD = 3;
