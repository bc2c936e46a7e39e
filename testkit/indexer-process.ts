/**
 * The indexer as a real process: `ponder start` in `indexer/` on a free 127.0.0.1 port (the one it
 * logs it listens on: Ponder moves on when the port is taken), its own
 * PGlite directory (or `DATABASE_URL`), in its own process group (killed as a group), against a
 * deployment file the test writes. Also a PostgreSQL server of Debian's `postgresql` package
 * (initdb + pg_ctl in a temp dir on a free port) for the production-database test.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

import { freePort, REPO_ROOT, waitFor, type System } from "./local-cluster.ts";

const PONDER_BIN = join(REPO_ROOT, "node_modules/ponder/dist/esm/bin/ponder.js");

export type IndexerProcess = {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
};

/** Writes the system's deployment as the JSON file `HASHWORK_DEPLOYMENT` names. */
export async function writeDeploymentFile(system: System, dir: string): Promise<string> {
  const d = system.deployment;
  const file = join(dir, "deployment.json");
  await writeFile(
    file,
    JSON.stringify({
      chainId: d.chainId,
      market: d.market,
      token: d.token,
      disputes: d.disputes,
      verifierPool: d.verifierPool,
      fromBlock: Number(d.fromBlock ?? 0n),
    }),
  );
  return file;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts the indexer and resolves once `/ready` answers 200 (historical indexing done), or throws
 * with its output after `timeoutMs`.
 */
export async function startIndexer({
  rpcUrl,
  deploymentFile,
  dataDir,
  env = {},
  timeoutMs = 120_000,
  onSpawn,
}: {
  rpcUrl: string;
  deploymentFile: string;
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Called with the child as soon as it is spawned (a script's process registry takes it). */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<IndexerProcess> {
  const port = await freePort();
  // Run from indexer/: Ponder writes generated/schema.graphql under its working directory.
  const child = spawn(
    process.execPath,
    [PONDER_BIN, "--log-format", "json", "start", "--port", String(port), "--hostname", "127.0.0.1", "--schema", "hashwork"],
    {
      cwd: join(REPO_ROOT, "indexer"),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PONDER_TELEMETRY_DISABLED: "true",
        HASHWORK_RPC_URL: rpcUrl,
        HASHWORK_DEPLOYMENT: deploymentFile,
        HASHWORK_CONFIRMATIONS: "0",
        HASHWORK_POLL_MS: "200",
        HASHWORK_PGLITE_DIR: join(dataDir, "pglite"),
        ...env,
      },
    },
  );
  onSpawn?.(child);
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (out += s));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  // Ponder moves to the next port when the one it was given is taken (by another test's indexer,
  // say) and logs the port it listens on: read that one, or /ready could be another indexer's.
  let url: string | undefined;
  const listening = () => {
    for (const line of out.split("\n")) {
      if (!line.includes('"Created HTTP server"')) continue;
      const record = JSON.parse(line) as { port?: number };
      if (typeof record.port === "number") return `http://127.0.0.1:${record.port}`;
    }
    return undefined;
  };
  const stop = async () => {
    if (exited) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await exit;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      "the indexer's /ready",
      async () => {
        if (exited) throw new Error("the indexer exited");
        url ??= listening();
        if (url === undefined) return undefined;
        const r = await fetch(`${url}/ready`).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      },
      timeoutMs,
      250,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${out.slice(-4000)}`);
  }
  return { url: url!, child, output: () => out, stop };
}

/** Waits until the indexer has indexed the node's head block (live indexing follows `/ready`). */
export async function caughtUp(indexer: IndexerProcess, rpcUrl: string, timeoutMs = 30_000): Promise<number> {
  const head = async () => {
    const r = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    });
    return Number(((await r.json()) as { result: string }).result);
  };
  const target = await head();
  return waitFor(
    `the indexer at block ${target}`,
    async () => {
      const status = await getJson<Record<string, { block: { number: number } }>>(indexer.url, "/status");
      const block = Object.values(status)[0]?.block.number ?? 0;
      return block >= target ? block : undefined;
    },
    timeoutMs,
    100,
  );
}

/** GET `path` and parse the JSON (throws with the body on a non-2xx answer). */
export async function getJson<T = any>(base: string, path: string): Promise<T> {
  const r = await fetch(`${base}${path}`);
  const text = await r.text();
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

/** POST a GraphQL query; returns `data` (throws on `errors`). */
export async function graphql<T = any>(base: string, query: string): Promise<T> {
  const r = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await r.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(`graphql: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

// ---------------------------------------------------------------- PostgreSQL

const PG_BIN = "/usr/lib/postgresql/15/bin";

/** Whether Debian's PostgreSQL 15 server binaries are installed (`apt-get install postgresql`). */
export const postgresInstalled = () => existsSync(join(PG_BIN, "initdb")) && existsSync(join(PG_BIN, "pg_ctl"));

export type PostgresServer = { url: string; stop(): Promise<void> };

/**
 * initdb + pg_ctl in a temp dir on a free port (unix socket in the same dir). As root, PostgreSQL
 * refuses to run, so the server runs as the unprivileged `nobody` user (via `runuser`).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), "hashwork-pg-"));
  const data = join(dir, "data");
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  const run = (args: string[]) => {
    const [cmd, ...rest] = asRoot ? ["runuser", "-u", "nobody", "--", ...args] : args;
    const r = spawnSync(cmd!, rest, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr || r.stdout}`);
  };
  if (asRoot) spawnSync("chown", ["nobody", dir]);
  run([join(PG_BIN, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  run([
    join(PG_BIN, "pg_ctl"),
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "start",
  ]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        run([join(PG_BIN, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
