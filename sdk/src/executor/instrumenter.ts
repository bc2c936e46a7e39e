import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

import type { ExecutionLimits } from "./abi.ts";
import { deserializeError } from "./error-transfer.ts";
import { ExecutorClosedError, InstrumentationError, InvalidProgramError, ProgramTooLargeError } from "./errors.ts";
import type { InstrumentRequest, InstrumentResponse } from "./instrument-worker.ts";
import { siblingModuleUrl } from "../module-url.ts";

export type Instrumenter = {
  /** The instrumented bytes of `wasm` (see `instrumentProgram`), computed in the child process. */
  instrument(wasm: Uint8Array, limits: ExecutionLimits): Promise<Uint8Array>;
  /** Stops the child process; later calls fail with `ExecutorClosedError`. */
  close(): Promise<void>;
  /** Starts the child process now (idle, not holding the parent open): the first module then does not wait for binaryen to load. */
  warm(): void;
  /**
   * The most recent module's preparation: wall time in the child and the child's resident
   * memory (sampled every 20 ms and at the end; binaryen's heap never shrinks, so the last
   * sample is the high-water mark of the process so far). Informational.
   */
  readonly lastRun?: { ms: number; rssMb: number };
};

export type CreateInstrumenterParameters = {
  /**
   * Stack of the instrumentation worker. binaryen and the instrumenter recurse once per level of
   * expression nesting; 64 MB holds far more than the deterministic limit (`MAX_NESTING`).
   */
  stackSizeMb?: number;
  /** Wall-clock limit of one module's validation and instrumentation. Default 10 000 ms. */
  timeoutMs?: number;
  /** Resident memory the instrumentation process may reach (binaryen's heap included). Default 1024 MB. */
  maxRssMb?: number;
};

/** Default preparation caps: generous multiples of the worst case measured under `MODULE_LIMITS` (`bench:hostile`). */
export const PREPARE_TIMEOUT_MS = 10_000;
export const PREPARE_MAX_RSS_MB = 1024;

const CHILD_URL = siblingModuleUrl("instrument-process", import.meta.url);
const RSS_POLL_MS = 20;

type Pending = {
  request: InstrumentRequest;
  resolve(wasm: Uint8Array): void;
  reject(error: unknown): void;
};

/** Resident set size of a process in MB (Linux `/proc`); undefined where unavailable. */
export function processRssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `instrumentProgram` (validation included) in a child process, one module at a time, under
 * a wall-clock limit and a resident-memory limit: a module that exceeds either is refused with
 * `ProgramTooLargeError` (limit `prepareTimeMs` or `prepareMemoryMb`) and the process is killed
 * and restarted for the next module, as after a crash (refused with `InstrumentationError`) or
 * any other failure that is not a refusal.
 * The process starts on first use and holds the parent open only while it has work.
 *
 * @example
 * const instrumenter = createInstrumenter()
 * const metered = await instrumenter.instrument(wasm, DEFAULT_LIMITS)
 * await instrumenter.close()
 */
export function createInstrumenter({
  stackSizeMb = 64,
  timeoutMs = PREPARE_TIMEOUT_MS,
  maxRssMb = PREPARE_MAX_RSS_MB,
}: CreateInstrumenterParameters = {}): Instrumenter {
  let child: ChildProcess | undefined;
  let nextId = 1;
  let closed = false;
  const queue: Pending[] = [];
  let current: (Pending & { timer: NodeJS.Timeout; poll: NodeJS.Timeout; started: number; rssMb: number; pid?: number }) | undefined;
  let lastRun: { ms: number; rssMb: number } | undefined;

  function start(): ChildProcess {
    const c = fork(CHILD_URL, [String(stackSizeMb)], {
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    c.on("message", (response: InstrumentResponse) => {
      if (c !== child || !current || response.id !== current.request.id) return;
      const job = settle();
      if (response.ok) {
        job.resolve(response.wasm);
      } else {
        const error = deserializeError(response.error);
        // Anything but a refusal (a stack overflow, an internal error) may have left binaryen's
        // heap in a bad state: start the next module in a fresh process.
        if (!(error instanceof InvalidProgramError)) {
          child = undefined;
          c.kill("SIGKILL");
        }
        job.reject(error);
      }
      next();
    });
    c.on("exit", (code, signal) => {
      if (c !== child) return;
      child = undefined;
      if (!current) return;
      settle().reject(new InstrumentationError({ reason: `instrumentation process died (${signal ?? `code ${code}`})` }));
      next();
    });
    c.on("error", () => {}); // reported through "exit"
    return c;
  }

  function settle(): Pending {
    const job = current!;
    clearTimeout(job.timer);
    clearInterval(job.poll);
    const rss = job.pid === undefined ? undefined : processRssMb(job.pid);
    lastRun = { ms: performance.now() - job.started, rssMb: Math.max(job.rssMb, rss ?? 0) };
    current = undefined;
    return job;
  }

  /** Ends the current job with `error` and kills the process (the next job gets a fresh one). */
  function refuse(error: Error): void {
    const c = child;
    child = undefined;
    c?.kill("SIGKILL");
    settle().reject(error);
    next();
  }

  function next(): void {
    if (current || closed) return;
    const job = queue.shift();
    if (!job) {
      child?.unref();
      child?.channel?.unref();
      return;
    }
    child ??= start();
    child.ref();
    child.channel?.ref();
    const pid = child.pid;
    const started = performance.now();
    const timer = setTimeout(() => {
      refuse(
        new ProgramTooLargeError({
          limit: "prepareTimeMs",
          value: Math.round(performance.now() - started),
          max: timeoutMs,
          where: "validation and instrumentation",
        }),
      );
    }, timeoutMs);
    const poll = setInterval(() => {
      const rss = pid === undefined ? undefined : processRssMb(pid);
      if (rss !== undefined && current) current.rssMb = Math.max(current.rssMb, rss);
      if (rss !== undefined && rss > maxRssMb) {
        refuse(
          new ProgramTooLargeError({
            limit: "prepareMemoryMb",
            value: Math.round(rss),
            max: maxRssMb,
            where: "validation and instrumentation",
          }),
        );
      }
    }, RSS_POLL_MS);
    current = { ...job, timer, poll, started, rssMb: 0, pid };
    child.send(job.request);
  }

  return {
    instrument(wasm, limits) {
      if (closed) return Promise.reject(new ExecutorClosedError());
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ request: { id: nextId++, wasm, limits }, resolve, reject });
        next();
      });
    },
    get lastRun() {
      return lastRun;
    },
    warm() {
      if (closed || child) return;
      child = start();
      if (!current) {
        child.unref();
        child.channel?.unref();
      }
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new ExecutorClosedError());
      if (current) settle().reject(new ExecutorClosedError());
      const c = child;
      child = undefined;
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise<void>((done) => c.once("exit", () => done()));
        c.ref(); // an idle process is unref'd; keep the caller alive until it has exited
        c.kill("SIGKILL");
        await exited;
      }
    },
  };
}
