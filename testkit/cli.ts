/**
 * Runs the `hashwork` CLI as a child process for the CLI tests: through the npm bin shim
 * (`bin/hashwork.mjs`) or straight at `sdk/src/cli/hashwork.ts`, with a clean environment
 * (no inherited `HASHWORK_*` variables). Every output is kept so a test can check that no key
 * was ever echoed.
 */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const SHIM = fileURLToPath(new URL("../bin/hashwork.mjs", import.meta.url));
export const ENTRY = fileURLToPath(new URL("../sdk/src/cli/hashwork.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

export type CliRun = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Everything every run printed (stdout and stderr). */
export const transcript: string[] = [];

/**
 * The test process's environment without `HASHWORK_*` variables, and with a profile directory
 * that does not exist, so no profile of the machine's user (`hashwork init`) leaks into a test;
 * a test that wants profiles passes its own `HASHWORK_CONFIG_DIR` (or `undefined` to unset it).
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("HASHWORK_")) env[k] = v;
  return { ...env, HASHWORK_CONFIG_DIR: join(tmpdir(), `hashwork-tests-no-profiles-${process.pid}`), ...extra };
}

export type RunOptions = {
  env?: NodeJS.ProcessEnv;
  /** Run through the bin shim (default) or `node sdk/src/cli/hashwork.ts`. */
  via?: "shim" | "entry";
  /** The Node that starts the shim (default: this one). */
  node?: string;
  cwd?: string;
  timeoutMs?: number;
};

/** Runs `hashwork ...args` to completion (killed after `timeoutMs`, default 120 s). */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const argv = (options.via ?? "shim") === "shim" ? [SHIM, ...args] : ["--disable-warning=ExperimentalWarning", ENTRY, ...args];
  const child = spawn(options.node ?? process.execPath, argv, {
    cwd: options.cwd ?? REPO_ROOT,
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }, options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      transcript.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The JSON document a `--json` run printed (throws with the run's stderr when it failed). */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  if (run.code !== 0) throw new Error(`hashwork exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A long-running CLI command (e.g. `content serve`) started in its own process group. */
export type CliProcess = {
  pid: number;
  /** The first stdout line (e.g. the served URL, or `--json`'s line). */
  firstLine: string;
  exited: Promise<number | null>;
  output: () => string;
  /** SIGKILLs the whole process group (shim and command); safe to call twice. */
  kill(): void;
};

/** Starts `hashwork ...args` through the shim and waits for its first stdout line (or its exit). */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, [SHIM, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  };
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => transcript.push(stdout, stderr));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`hashwork ${args.join(" ")} printed nothing within ${options.timeoutMs ?? 30_000} ms: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      const newline = stdout.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, firstLine: stdout.slice(0, newline), exited, output: () => stdout + stderr, kill });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hashwork ${args.join(" ")} exited ${code} before printing a line: ${stderr}`));
    });
  });
}
