/**
 * The local cluster, with real processes: a `hardhat node` or `anvil` child on a port it picked, the
 * system deployed to it through the Ignition module `HashworkLocal`, funded
 * actors, jobs posted with the SDK, and the daemon started as a child process
 * (`node sdk/src/cli/hashwork.ts provider start --config …`). Every child runs in its own process
 * group; `kill()` kills the group. Used by the daemon's and the CLI's end-to-end tests, the Hardhat
 * tasks' tests, `npm run demo` and `npm run bench:daemon`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

import { createPublicClient, createWalletClient, defineChain, getAddress, http, parseEventLogs, toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

import HashworkLocal from "../ignition/modules/HashworkLocal.ts";
import { TOKEN_UNIT } from "../ignition/parameters/defaults.ts";
import { hashworkDisputesAbi } from "../sdk/src/abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../sdk/src/abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../sdk/src/abi/hashwork-token.ts";
import { defineDeployment, type HashworkDeployment } from "../sdk/src/deployments.ts";
import { bondVerifier } from "../sdk/src/actions/verifier/bond-verifier.ts";
import { uploadJobContent } from "../sdk/src/actions/requester/upload-job-content.ts";
import { encodeMonteCarloInput } from "../sdk/src/programs/montecarlo.ts";
import { loadSampleProgram } from "../sdk/src/programs/sample-programs.ts";
import { createLocalStore } from "../sdk/src/store/local.ts";
import type { HashworkBaseClient, HashworkPublicClient, HashworkWalletClient } from "../sdk/src/utils/client.ts";
import { readJobState } from "../sdk/src/utils/results.ts";
import { deployModule } from "./ignition.ts";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const HARDHAT_CLI = fileURLToPath(new URL("node_modules/hardhat/dist/src/cli.js", `file://${REPO_ROOT}`));
const HASHWORK_CLI = fileURLToPath(new URL("../sdk/src/cli/hashwork.ts", import.meta.url));
/** Foundry's node from npm (`@foundry-rs/anvil-linux-amd64`): a second client, with `anvil_reorg`. */
const ANVIL_BIN = fileURLToPath(new URL("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil", `file://${REPO_ROOT}`));
/** Hardhat's default accounts. */
const MNEMONIC = "test test test test test test test test test test test junk";

export function hdAccount(index: number): HDAccount {
  return mnemonicToAccount(MNEMONIC, { addressIndex: index });
}

export function privateKeyOf(account: HDAccount): Hex {
  return toHex(account.getHdKey().privateKey!);
}

/**
 * A port free right now. Another process may take it before a child binds it, so a child that can
 * bind port 0 and say which port it got should do that instead (the nodes below do).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type ChildHandle = {
  child: ChildProcess;
  /** stdout lines so far. */
  lines: string[];
  stderr: () => string;
  /** SIGKILL to the whole process group (idempotent). */
  kill(signal?: NodeJS.Signals): void;
  exited: Promise<number | null>;
};

function spawnGroup(args: string[], env: NodeJS.ProcessEnv = {}, command = process.execPath): ChildHandle {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let partial = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));
  return {
    child,
    lines,
    stderr: () => err,
    kill(signal = "SIGKILL") {
      if (!alive || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    },
    exited,
  };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export type HardhatNode = ChildHandle & { url: string; port: number };

/**
 * `hardhat node --hostname 127.0.0.1 --port 0`: the kernel picks the port and the node prints it;
 * resolves once that node answers JSON-RPC. `port` pins one instead (a taken port rejects).
 */
export async function startHardhatNode({ port = 0 }: { port?: number } = {}): Promise<HardhatNode> {
  const handle = spawnGroup([HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)]);
  const bound = await printedPort("hardhat node", handle, /JSON-RPC server at http:\/\/127\.0\.0\.1:(\d+)\//);
  return answering("hardhat node", handle, bound);
}

/**
 * `anvil --host 127.0.0.1 --port 0` (chain id 31337, the same mnemonic and funded accounts as
 * `hardhat node`, HTTP and WebSocket on one port): the kernel picks the port and anvil prints it;
 * resolves once that node answers JSON-RPC. `port` pins one instead (a taken port rejects);
 * `args` go to anvil as well (`--chain-id 1337`). Killed like every child: by process group.
 */
export async function startAnvilNode({ port = 0, args = [] }: { port?: number; args?: string[] } = {}): Promise<HardhatNode> {
  // Not `--silent`: it hides the one line saying which port the kernel gave anvil.
  const handle = spawnGroup(["--host", "127.0.0.1", "--port", String(port), ...args], {}, ANVIL_BIN);
  const bound = await printedPort("anvil", handle, /^Listening on 127\.0\.0\.1:(\d+)$/);
  // After the banner anvil logs every transaction: drain it unkept, as `--silent` did.
  handle.child.stdout!.removeAllListeners("data").resume();
  handle.lines.length = 0;
  return answering("anvil", handle, bound);
}

/**
 * The port a node child says it listens on, read from its own stdout. Race-free, unlike picking a
 * free port first: between that pick and the child's bind another process could take the port, and
 * a child that then fails to bind leaves the tests talking to someone else's node ("you have 0
 * tokens" after a deployment to a fresh chain). Rejects with one line when the child exits first.
 */
async function printedPort(what: string, handle: ChildHandle, pattern: RegExp): Promise<number> {
  let exitCode: number | null | undefined;
  void handle.exited.then((code) => (exitCode = code));
  try {
    return await waitFor(
      `${what} to print its port`,
      () => {
        for (const line of handle.lines) {
          const match = pattern.exec(line);
          if (match) return Number(match[1]);
        }
        if (exitCode !== undefined) throw new Error(`${what} exited (code ${exitCode}) before listening: ${firstError(handle.stderr())}`);
        return undefined;
      },
      60_000,
      50,
    );
  } catch (error) {
    handle.kill();
    throw error;
  }
}

/** The first line of a child's stderr that names an error (Node's and anvil's both say "Error"). */
function firstError(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "(no output)";
}

/** Waits until the node child on `port` answers `eth_chainId` (killing it if it never does). */
async function answering(what: string, handle: ChildHandle, port: number): Promise<HardhatNode> {
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      what,
      async () => {
        const r = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        }).catch(() => undefined);
        return r?.ok ? true : undefined;
      },
      30_000,
      100,
    );
  } catch (error) {
    handle.kill();
    throw new Error(`${(error as Error).message}: ${handle.stderr()}`);
  }
  return { ...handle, url, port };
}

export type System = {
  url: string;
  chainId: number;
  publicClient: HashworkPublicClient;
  deployment: HashworkDeployment;
  /** A client for an actor (by Hardhat account index) signing locally. */
  clientFor(index: number): HashworkBaseClient & { walletClient: HashworkWalletClient };
};

/**
 * Deploys token, market and dispute module through the Ignition module
 * `ignition/modules/HashworkLocal.ts` (the module creates its verifier pool, in
 * `deployment.verifierPool`; account #0 owns everything, #9 is the treasury) and mints tokens to
 * accounts 1–8.
 */
export async function deploySystem(url: string): Promise<System> {
  const transport = http(url);
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as HashworkPublicClient;
  const chainId = await publicClient.getChainId();
  const chain = defineChain({
    id: chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const wallet = (index: number) => createWalletClient({ account: hdAccount(index), chain, transport }) as HashworkWalletClient;
  const owner = wallet(0);
  const fromBlock = (await publicClient.getBlockNumber()) + 1n;
  // Hardhat's artifacts and JSON-RPC provider; loaded here so the kit's other users do not load Hardhat.
  const { default: hre } = await import("hardhat");
  const connection = await hre.network.create({ network: "localhost", override: { url } });
  const contracts = await deployModule({
    artifacts: hre.artifacts,
    provider: connection.provider,
    module: HashworkLocal,
    parameters: { $global: { treasury: getAddress(hdAccount(9).address) } },
  }).finally(() => connection.close());
  for (let i = 1; i <= 8; i++) {
    const hash = await owner.writeContract({
      address: contracts.token!,
      abi: hashworkTokenAbi,
      functionName: "mint",
      args: [getAddress(hdAccount(i).address), 1_000_000n * TOKEN_UNIT],
      account: owner.account!,
      chain,
    });
    await publicClient.waitForTransactionReceipt({ hash });
  }
  const deployment = defineDeployment({
    chainId,
    market: contracts.market!,
    token: contracts.token!,
    disputes: contracts.disputes!,
    verifierPool: contracts.verifierPool!,
    fromBlock,
  });
  return connectSystem(url, deployment, { pollingInterval: 50 });
}

/**
 * Clients for a deployment on a local JSON-RPC node, one per Hardhat default account (each
 * signing locally, made once), in the `System` shape: what `deploySystem` returns for its own
 * deployment, and the demo's for the governed `Hashwork` module deployed elsewhere.
 *
 * @example
 * const system = await connectSystem(node.url, deployment)
 * const alice = system.clientFor(1) // Hardhat account #1 signs locally
 */
export async function connectSystem(url: string, deployment: HashworkDeployment, { pollingInterval = 100 } = {}): Promise<System> {
  const transport = http(url);
  const chainId = await createPublicClient({ transport }).getChainId();
  const chain = defineChain({
    id: chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval }) as HashworkPublicClient;
  const wallets = new Map<number, HashworkWalletClient>();
  const wallet = (index: number) => {
    let w = wallets.get(index);
    if (!w) {
      w = createWalletClient({ account: hdAccount(index), chain, transport }) as HashworkWalletClient;
      wallets.set(index, w);
    }
    return w;
  };
  return {
    url,
    chainId,
    publicClient,
    deployment,
    clientFor: (index) => ({ publicClient, walletClient: wallet(index), deployment }),
  };
}

/** What each test verifier bonds in the pool: 1,000 tokens (the minimum is the market's minStake, 100). */
export const TEST_VERIFIER_BOND = 1_000n * TOKEN_UNIT;

/**
 * Bonds Hardhat accounts `indexes` in the verifier pool (`bondVerifier`: approve, then bond), so
 * committees can be drawn from them. Equal bonds give equal chances per seat.
 */
export async function bondVerifiers(system: System, indexes: number[], amount: bigint = TEST_VERIFIER_BOND): Promise<void> {
  for (const index of indexes) await bondVerifier(system.clientFor(index), { amount });
}

/** Starts `hashwork provider start --config <file>` as a child process. */
export function startDaemonProcess(configFile: string, env: NodeJS.ProcessEnv = {}): ChildHandle {
  return spawnGroup(["--disable-warning=ExperimentalWarning", HASHWORK_CLI, "provider", "start", "--config", configFile], env);
}

/** Parsed JSON log lines of a daemon child. */
export function logRecords(handle: ChildHandle): Record<string, unknown>[] {
  return handle.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Market events over the whole run, decoded. */
export async function marketEvents(system: System) {
  const logs = await system.publicClient.getLogs({ address: system.deployment.market, fromBlock: system.deployment.fromBlock });
  return parseEventLogs({ abi: hashworkMarketAbi, logs });
}

/** Every event of the dispute module since the deployment, decoded. */
export async function disputeEvents(system: System) {
  const logs = await system.publicClient.getLogs({ address: system.deployment.disputes!, fromBlock: system.deployment.fromBlock });
  return parseEventLogs({ abi: hashworkDisputesAbi, logs });
}

/** Per job: how many `JobClaimed`, `ResultSubmitted`, `JobFinalized` events it had. */
export async function eventCounts(system: System, jobIds: bigint[]) {
  const parsed = await marketEvents(system);
  const count = (name: string, id: bigint) =>
    parsed.filter((l) => l.eventName === name && (l.args as { jobId?: bigint }).jobId === id).length;
  return jobIds.map((id) => ({
    claimed: count("JobClaimed", id),
    submitted: count("ResultSubmitted", id),
    finalized: count("JobFinalized", id),
  }));
}

/** An account's balance in the market's ledger. */
export function ledgerOf(system: System, who: Address): Promise<bigint> {
  return system.publicClient.readContract({
    address: system.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "balanceOf",
    args: [who],
  });
}

/** The account's mined transaction count. */
export function txCountOf(system: System, index: number): Promise<number> {
  return system.publicClient.getTransactionCount({ address: getAddress(hdAccount(index).address), blockTag: "latest" });
}

/** The hosts a local cluster's daemons fetch content from (`fetch.allowHosts`). */
export const LOCAL_FETCH_HOSTS = ["127.0.0.1", "localhost", "::1"];

/**
 * Writes a daemon config (and its key file) for Hardhat account `index` under `dir/<name>`:
 * confirmations 0, fast polling, a free HTTP port, provider role only unless overridden, and
 * content fetched from loopback (`fetch.allowHosts`: `LOCAL_FETCH_HOSTS`).
 */
export async function writeDaemonConfig(
  system: System,
  { dir, name, index, overrides = {} }: { dir: string; name: string; index: number; overrides?: Record<string, unknown> },
): Promise<string> {
  const home = join(dir, name);
  await mkdir(home, { recursive: true });
  const keyFile = join(home, "key");
  await writeFile(keyFile, `${privateKeyOf(hdAccount(index))}\n`, { mode: 0o600 });
  const config = {
    rpcUrl: system.url,
    deployment: {
      market: system.deployment.market,
      token: system.deployment.token,
      disputes: system.deployment.disputes,
      ...(system.deployment.verifierPool ? { verifierPool: system.deployment.verifierPool } : {}),
      fromBlock: system.deployment.fromBlock!.toString(),
    },
    key: { file: keyFile },
    dataDir: join(home, "data"),
    confirmations: 0,
    pollIntervalMs: 150,
    http: { port: await freePort() },
    roles: { provider: true, keeper: false },
    claimPolicy: { concurrency: 4 },
    executor: { threads: 1 },
    tx: { receiptTimeoutMs: 10_000 },
    ...overrides,
    // Local clusters serve content from 127.0.0.1: allowed explicitly (the default is public
    // addresses only). An override's `fetch` settings are merged in, not replacing this.
    fetch: { allowHosts: LOCAL_FETCH_HOSTS, ...(overrides.fetch as Record<string, unknown> | undefined) },
  };
  const file = join(home, "daemon.json");
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * A job's request fields for `postJobs`, with the test defaults (reward 2, collateral 100 %, 120 s,
 * window 2 s, ungated). Every job the market takes pays at least `minReward` (0.01 token locally)
 * and asks collateral within `minCollateralPct`..`maxCollateralPct` (100..300 %).
 */
export type TestJob = {
  programHash: Hex;
  inputHash: Hex;
  programURI: string;
  inputURI: string;
  fuelLimit: bigint;
  reward: bigint;
  collateralPct: number;
  executionTime: number;
  challengeWindow: number;
  /** A reputation gate: the least `scoreFor(provider, reward)` that may claim (absent: 0). */
  minReputation?: number;
};

/**
 * Montecarlo jobs whose program and input are kept in `storeDir` (served by the requester's
 * content server (`uriFor`)); one per seed. `samples` 2 000 unless given.
 */
export async function monteCarloJobs(
  system: System,
  {
    requester,
    storeDir,
    uriFor,
    seeds,
    samples = 2_000n,
    input,
    job = {},
  }: {
    requester: number;
    storeDir: string;
    uriFor: (hash: Hex) => string;
    seeds: bigint[];
    samples?: bigint;
    /** Raw input bytes instead of the encoded seed/samples (e.g. a malformed one that traps). */
    input?: Uint8Array;
    job?: Partial<TestJob>;
  },
): Promise<TestJob[]> {
  const client = system.clientFor(requester);
  const store = createLocalStore({ dir: storeDir });
  const { wasm } = await loadSampleProgram("montecarlo");
  const out: TestJob[] = [];
  for (const seed of seeds) {
    const content = await uploadJobContent(client, { store, program: wasm, input: input ?? encodeMonteCarloInput({ seed, samples }) });
    out.push({
      programHash: content.programHash,
      inputHash: content.inputHash,
      programURI: uriFor(content.programHash),
      inputURI: uriFor(content.inputHash),
      fuelLimit: 100_000_000n,
      reward: 2n * TOKEN_UNIT,
      collateralPct: 100,
      executionTime: 120,
      challengeWindow: 2,
      ...job,
    });
  }
  return out;
}

/** Waits until every job is in one of `states` (default `Finalized`). */
export async function waitForStates(system: System, jobIds: bigint[], timeoutMs: number, states: string[] = ["Finalized"]) {
  const client = system.clientFor(0);
  await waitFor(
    `jobs ${jobIds.join(",")} in ${states.join("/")}`,
    async () => {
      const now = await Promise.all(jobIds.map((id) => readJobState(client, id)));
      return now.every((s) => states.includes(s)) ? true : undefined;
    },
    timeoutMs,
    250,
  );
}

/** A daemon's journal (read-only): intents and journaled transactions. */
export function readJournal(dataDir: string) {
  const db = new DatabaseSync(join(dataDir, "daemon.sqlite"), { readOnly: true });
  try {
    const intents = db.prepare("SELECT job_id, action, status, attempts FROM intents").all() as {
      job_id: string;
      action: string;
      status: string;
      attempts: number;
    }[];
    const txs = db.prepare("SELECT hash, job_id, action, nonce, status FROM transactions").all() as {
      hash: string;
      job_id: string;
      action: string;
      nonce: number;
      status: string;
    }[];
    const members = db.prepare("SELECT hash, job_id, action FROM transaction_members").all() as {
      hash: string;
      job_id: string;
      action: string;
    }[];
    return { intents, txs, members };
  } finally {
    db.close();
  }
}

/**
 * A provider's account set against its journal: how many transactions left the account since
 * nonce `before` (`sent`), and the journal's mined transactions with their receipts and the
 * intents each carried out (a batched claim, submission or finalization has several members;
 * `step` is the action without its try suffix, `claim:2` → `claim`).
 */
export async function accountAndJournal(system: System, index: number, before: number, dataDir: string) {
  const sent = (await txCountOf(system, index)) - before;
  // The daemon commits its journal once per tick: the last receipt it read (and logged) can reach
  // the file up to one poll interval later. Wait (up to 5 s) for as many mined records as the
  // account sent before comparing the two.
  let journal = readJournal(dataDir);
  for (let waited = 0; waited < 5_000 && journal.txs.filter((t) => t.status === "mined").length < sent; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    journal = readJournal(dataDir);
  }
  const { intents, txs, members } = journal;
  const mined = await Promise.all(
    txs
      .filter((t) => t.status === "mined")
      .map(async (t) => {
        const receipt = await system.publicClient.getTransactionReceipt({ hash: t.hash as Hex });
        const own = members.filter((m) => m.hash === t.hash);
        const of = (own.length > 0 ? own : [t]).map((m) => ({ jobId: m.job_id, action: m.action, step: m.action.split(":")[0]! }));
        return { ...t, status: receipt.status, from: getAddress(receipt.from), members: of };
      }),
  );
  return { sent, mined, intents, txs, members };
}
