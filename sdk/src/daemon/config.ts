import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";

import { getAddress, isAddress, type Address, type Hex } from "viem";

import { HashworkError } from "../errors/base.ts";
import { createAddressPolicy } from "../store/address-policy.ts";
import { LOG_LEVELS, type LogLevel } from "./logger.ts";

/**
 * The daemon's configuration (`hashwork provider start --config FILE`). Paths are resolved
 * against the config file's folder; token amounts are decimal strings of base units (wei).
 * `docs/provider-daemon.md` is the reference.
 */
export type DaemonConfig = {
  rpcUrl: string;
  /**
   * WebSocket endpoint of the same node (`ws(s)://`). When set, new heads are announced by an
   * `eth_subscribe("newHeads")` subscription (reconnected with back-off when it drops) and the
   * daemon reacts to each at once; `rpcUrl` still carries every request and transaction, and
   * the head is polled over it only when no head was announced for `pollIntervalMs`.
   */
  wsUrl?: string;
  /** Where the contracts are; default: the SDK's known deployment for the RPC's chain id. */
  deployment?: { market: Address; token?: Address; disputes?: Address; verifierPool?: Address; fromBlock?: bigint };
  /** The signing key: the name of an environment variable, or a file holding the hex key. */
  key: { env: string } | { file: string };
  dataDir: string;
  /** Blocks a block must be buried under before the daemon acts on it (0: act on the head). */
  confirmations: number;
  pollIntervalMs: number;
  http: { host: string; port: number; /** Base URL others fetch outputs from. Default: the bound URL. */ publicUrl?: string };
  roles: { provider: boolean; keeper: boolean; verifier: boolean; watcher: boolean };
  /** Watcher role: the share (0–1) of other providers' results it re-executes. */
  watcher: { sampleRate: number };
  /**
   * Keeper role: whether it starts the audits the lottery selects (paid from the market's audit
   * reserve), whether it pins the audit seeds (block hashes) of submission blocks whose jobs are
   * still in their challenge window `pinAfterBlocks` blocks later, and how long past a challenge
   * window it leaves the finalization to the job's own provider.
   */
  keeper: { audits: boolean; pinSeeds: boolean; pinAfterBlocks: number; finalizeGraceS: number };
  /**
   * Provider role: whether it pins the audit seeds of its own submission blocks while those jobs
   * are still in their challenge window `pinAfterBlocks` blocks later (an unpinned seed that ages
   * out selects the job for an audit).
   */
  provider: { pinSeeds: boolean; pinAfterBlocks: number };
  /**
   * Verifier role: the bond in the verifier pool it keeps. At start, when its pool bond is below
   * this, it bonds the difference from its wallet; 0 (the default): the operator bonds with the CLI.
   */
  verifier: { bond: bigint };
  claimPolicy: {
    /** Least reward per unit of fuel limit accepted (base units, may be 0). */
    minPricePerFuel: bigint;
    /** Largest fuel limit accepted. */
    maxFuel: bigint;
    /** Jobs claimed and not yet submitted at once. */
    concurrency: number;
    /** Free stake to keep after locking a job's collateral. */
    minFreeStake: bigint;
    /**
     * Largest collateral accepted, in percent of the reward (default 200; the market allows
     * its `minCollateralPct`..`maxCollateralPct`, 100..300 by default).
     */
    maxCollateralPct: number;
    /** When non-empty, only these requesters' jobs are claimed. */
    allowRequesters: Address[];
    denyRequesters: Address[];
  };
  executor: { threads: number; timeoutMs: number };
  /** Where program, input and output blobs are kept (default `<dataDir>/store`). */
  storeDir: string;
  /**
   * Fetching job content (programs and inputs, from URIs strangers posted). By default only
   * http(s) URIs on public addresses are fetched: every host and redirect target is resolved and
   * refused when any address is loopback, private, link-local, unique-local, CGNAT, multicast or
   * reserved. `allowHosts` (host names, IP addresses, CIDR ranges) and `allowPrivateNetworks`
   * lift that for local development. `concurrency` is how many jobs are prepared (fetched,
   * verified, compiled) at once before being claimed, apart from the claim slots, and
   * `concurrencyPerRequester` how many of those may be one requester's (so one requester's slow
   * URLs cannot hold every preparation slot).
   */
  fetch: {
    allowFileUris: boolean;
    allowPrivateNetworks: boolean;
    allowHosts: string[];
    maxBytes: number;
    timeoutMs: number;
    maxRedirects: number;
    concurrency: number;
    concurrencyPerRequester: number;
  };
  /**
   * Jobs whose content could not be prepared (refused URI, wrong hash, too large, invalid
   * program, unreachable): the content hash and URI are remembered for `rememberMs`, and a
   * requester with `maxPerRequester` such jobs within `windowMs` is skipped for `skipMs`
   * (one log line); 0 `maxPerRequester` turns the throttle off.
   */
  refusals: { rememberMs: number; maxPerRequester: number; windowMs: number; skipMs: number };
  /**
   * Blobs in the store (programs and inputs fetched, outputs produced) last written more than
   * this many hours ago and not needed by a job still open are deleted (checked hourly); 0 keeps
   * everything.
   */
  storeRetentionHours: number;
  /** Transactions: receipt wait before a fee bump, attempts for retryable failures. */
  tx: { receiptTimeoutMs: number; maxAttempts: number; baseBackoffMs: number };
  logLevel: LogLevel;
  /** TEST AND DEMO ONLY: commit a wrong result (so the dispute path can be shown). */
  corruptResults: boolean;
};

/** A config file that cannot be used; `shortMessage` names the field and the problem in one line. */
export class ConfigError extends HashworkError {
  override name = "ConfigError";
  readonly field: string;
  constructor(field: string, problem: string) {
    super(field ? `config: ${field} ${problem}` : `config: ${problem}`);
    this.field = field;
  }
}

type Json = Record<string, unknown>;

/**
 * Audit seeds: `blockhash(n)` is readable until block n + 256, after which the dispute module
 * only knows a pinned one (an unpinned seed then selects the job for an audit). A pin is sent
 * `pinAfterBlocks` after the submission block — only jobs still in their window then need one —
 * leaving the rest of the 256 blocks for it to land.
 */
const DEFAULT_PIN_AFTER_BLOCKS = 200;
const MAX_PIN_AFTER_BLOCKS = 250;

/** Collateral a provider accepts by default: twice the reward (a job may ask up to 300%). */
const DEFAULT_MAX_COLLATERAL_PCT = 200;
/** The market's hard bound on `collateralPct` (`MAX_COLLATERAL_PCT`): a larger setting means nothing. */
const MAX_COLLATERAL_PCT = 1_000;

const KNOWN_TOP = new Set([
  "$schema", "rpcUrl", "wsUrl", "deployment", "key", "dataDir", "confirmations", "pollIntervalMs", "http", "roles",
  "claimPolicy", "executor", "storeDir", "storeRetentionHours", "fetch", "refusals", "tx", "logLevel", "corruptResults", "watcher", "keeper", "provider", "verifier",
]);

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(parent: Json, key: string, path: string, required = false): Json {
  const value = parent[key];
  if (value === undefined) {
    if (required) throw new ConfigError(path, "is required");
    return {};
  }
  if (!isObject(value)) throw new ConfigError(path, "must be an object");
  return value;
}

function noUnknown(obj: Json, known: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new ConfigError(path ? `${path}.${key}` : key, "is not a known setting");
  }
}

function string(obj: Json, key: string, path: string, fallback?: string): string {
  const value = obj[key];
  if (value === undefined) {
    if (fallback === undefined) throw new ConfigError(path, "is required");
    return fallback;
  }
  if (typeof value !== "string" || value.length === 0) throw new ConfigError(path, "must be a non-empty string");
  return value;
}

function integer(obj: Json, key: string, path: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(path, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function boolean(obj: Json, key: string, path: string, fallback: boolean): boolean {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(path, `must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

/** A non-negative amount: a decimal string (or a safe integer) of base units. */
function amount(obj: Json, key: string, path: string, fallback: bigint): bigint {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,78}$/.test(value)) return BigInt(value);
  throw new ConfigError(path, `must be a non-negative integer as a decimal string (got ${JSON.stringify(value)})`);
}

function address(value: unknown, path: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new ConfigError(path, `must be a 20-byte hex address (got ${JSON.stringify(value)})`);
  }
  return getAddress(value);
}

function addresses(obj: Json, key: string, path: string): Address[] {
  const value = obj[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(path, "must be an array of addresses");
  return value.map((v, i) => address(v, `${path}[${i}]`));
}

/** A list of host names, IP addresses or CIDR ranges (`fetch.allowHosts`). */
function hostList(obj: Json, key: string, path: string): string[] {
  const value = obj[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === "")) {
    throw new ConfigError(path, "must be an array of host names, IP addresses or CIDR ranges");
  }
  try {
    createAddressPolicy({ allowHosts: value as string[] });
  } catch (error) {
    throw new ConfigError(path, (error as Error).message.replace(/^allowHosts: /, ""));
  }
  return value as string[];
}

function url(obj: Json, key: string, path: string, fallback?: string): string {
  const value = string(obj, key, path, fallback);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(path, `must be an http(s) URL (got ${JSON.stringify(value)})`);
  }
  return value;
}

/**
 * Checks a parsed config file and fills in defaults. `baseDir` resolves relative paths.
 * Throws `ConfigError` naming the first bad field.
 *
 * @example
 * const config = parseConfig(JSON.parse(text), { baseDir: dirname(path) })
 */
export function parseConfig(raw: unknown, { baseDir = process.cwd() }: { baseDir?: string } = {}): DaemonConfig {
  if (!isObject(raw)) throw new ConfigError("", "the file must hold a JSON object");
  for (const key of Object.keys(raw)) if (!KNOWN_TOP.has(key)) throw new ConfigError(key, "is not a known setting");
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

  const rpcUrl = url(raw, "rpcUrl", "rpcUrl");
  let wsUrl: string | undefined;
  if (raw.wsUrl !== undefined) {
    wsUrl = string(raw, "wsUrl", "wsUrl");
    if (!URL.canParse(wsUrl) || !/^wss?:$/.test(new URL(wsUrl).protocol)) {
      throw new ConfigError("wsUrl", `must be a ws(s) URL (got ${JSON.stringify(wsUrl)})`);
    }
  }

  let deployment: DaemonConfig["deployment"];
  if (raw.deployment !== undefined) {
    const d = object(raw, "deployment", "deployment");
    noUnknown(d, ["market", "token", "disputes", "verifierPool", "fromBlock"], "deployment");
    deployment = { market: address(d.market, "deployment.market") };
    if (d.token !== undefined) deployment.token = address(d.token, "deployment.token");
    if (d.disputes !== undefined) deployment.disputes = address(d.disputes, "deployment.disputes");
    if (d.verifierPool !== undefined) deployment.verifierPool = address(d.verifierPool, "deployment.verifierPool");
    if (d.fromBlock !== undefined) deployment.fromBlock = amount(d, "fromBlock", "deployment.fromBlock", 0n);
  }

  const k = object(raw, "key", "key", true);
  noUnknown(k, ["env", "file"], "key");
  if ((k.env === undefined) === (k.file === undefined)) throw new ConfigError("key", 'must have exactly one of "env" or "file"');
  const key: DaemonConfig["key"] =
    k.env !== undefined ? { env: string(k, "env", "key.env") } : { file: path(string(k, "file", "key.file")) };
  if ("env" in key && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key.env)) {
    throw new ConfigError("key.env", "must be an environment variable name");
  }

  const dataDir = path(string(raw, "dataDir", "dataDir"));

  const h = object(raw, "http", "http");
  noUnknown(h, ["host", "port", "publicUrl"], "http");
  const http: DaemonConfig["http"] = { host: string(h, "host", "http.host", "127.0.0.1"), port: integer(h, "port", "http.port", 8700, 0, 65535) };
  if (h.publicUrl !== undefined) http.publicUrl = url(h, "publicUrl", "http.publicUrl").replace(/\/+$/, "");

  const r = object(raw, "roles", "roles");
  noUnknown(r, ["provider", "keeper", "verifier", "watcher"], "roles");
  const roles = {
    provider: boolean(r, "provider", "roles.provider", true),
    keeper: boolean(r, "keeper", "roles.keeper", false),
    verifier: boolean(r, "verifier", "roles.verifier", false),
    watcher: boolean(r, "watcher", "roles.watcher", false),
  };

  const w = object(raw, "watcher", "watcher");
  noUnknown(w, ["sampleRate"], "watcher");
  const sampleRate = w.sampleRate === undefined ? 0.1 : w.sampleRate;
  if (typeof sampleRate !== "number" || !Number.isFinite(sampleRate) || sampleRate < 0 || sampleRate > 1) {
    throw new ConfigError("watcher.sampleRate", `must be a number from 0 to 1 (got ${JSON.stringify(sampleRate)})`);
  }
  const kp = object(raw, "keeper", "keeper");
  noUnknown(kp, ["audits", "pinSeeds", "pinAfterBlocks", "finalizeGraceS"], "keeper");
  const keeper = {
    audits: boolean(kp, "audits", "keeper.audits", true),
    pinSeeds: boolean(kp, "pinSeeds", "keeper.pinSeeds", true),
    pinAfterBlocks: integer(kp, "pinAfterBlocks", "keeper.pinAfterBlocks", DEFAULT_PIN_AFTER_BLOCKS, 1, MAX_PIN_AFTER_BLOCKS),
    finalizeGraceS: integer(kp, "finalizeGraceS", "keeper.finalizeGraceS", 30, 0, 86_400),
  };
  const pv = object(raw, "provider", "provider");
  noUnknown(pv, ["pinSeeds", "pinAfterBlocks"], "provider");
  const provider = {
    pinSeeds: boolean(pv, "pinSeeds", "provider.pinSeeds", true),
    pinAfterBlocks: integer(pv, "pinAfterBlocks", "provider.pinAfterBlocks", DEFAULT_PIN_AFTER_BLOCKS, 1, MAX_PIN_AFTER_BLOCKS),
  };
  const vf = object(raw, "verifier", "verifier");
  noUnknown(vf, ["bond"], "verifier");
  const verifier = { bond: amount(vf, "bond", "verifier.bond", 0n) };

  const c = object(raw, "claimPolicy", "claimPolicy");
  noUnknown(c, ["minPricePerFuel", "maxFuel", "concurrency", "minFreeStake", "maxCollateralPct", "allowRequesters", "denyRequesters"], "claimPolicy");
  const claimPolicy = {
    minPricePerFuel: amount(c, "minPricePerFuel", "claimPolicy.minPricePerFuel", 0n),
    maxFuel: amount(c, "maxFuel", "claimPolicy.maxFuel", 1_000_000_000n),
    concurrency: integer(c, "concurrency", "claimPolicy.concurrency", 4, 1, 10_000),
    minFreeStake: amount(c, "minFreeStake", "claimPolicy.minFreeStake", 0n),
    maxCollateralPct: integer(c, "maxCollateralPct", "claimPolicy.maxCollateralPct", DEFAULT_MAX_COLLATERAL_PCT, 1, MAX_COLLATERAL_PCT),
    allowRequesters: addresses(c, "allowRequesters", "claimPolicy.allowRequesters"),
    denyRequesters: addresses(c, "denyRequesters", "claimPolicy.denyRequesters"),
  };

  const e = object(raw, "executor", "executor");
  noUnknown(e, ["threads", "timeoutMs"], "executor");
  const executor = {
    threads: integer(e, "threads", "executor.threads", 1, 1, 256),
    timeoutMs: integer(e, "timeoutMs", "executor.timeoutMs", 60_000, 1),
  };

  const f = object(raw, "fetch", "fetch");
  noUnknown(
    f,
    ["allowFileUris", "allowPrivateNetworks", "allowHosts", "maxBytes", "timeoutMs", "maxRedirects", "concurrency", "concurrencyPerRequester"],
    "fetch",
  );
  const fetch = {
    allowFileUris: boolean(f, "allowFileUris", "fetch.allowFileUris", false),
    allowPrivateNetworks: boolean(f, "allowPrivateNetworks", "fetch.allowPrivateNetworks", false),
    allowHosts: hostList(f, "allowHosts", "fetch.allowHosts"),
    maxBytes: integer(f, "maxBytes", "fetch.maxBytes", 64 * 1024 * 1024, 1),
    timeoutMs: integer(f, "timeoutMs", "fetch.timeoutMs", 30_000, 1),
    maxRedirects: integer(f, "maxRedirects", "fetch.maxRedirects", 5, 0, 20),
    concurrency: integer(f, "concurrency", "fetch.concurrency", 8, 1, 1_000),
    concurrencyPerRequester: integer(f, "concurrencyPerRequester", "fetch.concurrencyPerRequester", 2, 1, 1_000),
  };

  const rf = object(raw, "refusals", "refusals");
  noUnknown(rf, ["rememberMs", "maxPerRequester", "windowMs", "skipMs"], "refusals");
  const refusals = {
    rememberMs: integer(rf, "rememberMs", "refusals.rememberMs", 3_600_000, 0),
    maxPerRequester: integer(rf, "maxPerRequester", "refusals.maxPerRequester", 3, 0, 1_000_000),
    windowMs: integer(rf, "windowMs", "refusals.windowMs", 600_000, 1),
    skipMs: integer(rf, "skipMs", "refusals.skipMs", 3_600_000, 0),
  };

  const t = object(raw, "tx", "tx");
  noUnknown(t, ["receiptTimeoutMs", "maxAttempts", "baseBackoffMs"], "tx");
  const tx = {
    receiptTimeoutMs: integer(t, "receiptTimeoutMs", "tx.receiptTimeoutMs", 60_000, 1),
    maxAttempts: integer(t, "maxAttempts", "tx.maxAttempts", 8, 1, 1000),
    baseBackoffMs: integer(t, "baseBackoffMs", "tx.baseBackoffMs", 250, 1),
  };

  const logLevel = string(raw, "logLevel", "logLevel", "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError("logLevel", `must be one of ${LOG_LEVELS.join(", ")}`);

  const config: DaemonConfig = {
    rpcUrl,
    key,
    dataDir,
    confirmations: integer(raw, "confirmations", "confirmations", 2, 0, 1000),
    pollIntervalMs: integer(raw, "pollIntervalMs", "pollIntervalMs", 2000, 10, 3_600_000),
    http,
    roles,
    watcher: { sampleRate },
    keeper,
    provider,
    verifier,
    claimPolicy,
    executor,
    storeDir: raw.storeDir === undefined ? resolve(dataDir, "store") : path(string(raw, "storeDir", "storeDir")),
    storeRetentionHours: integer(raw, "storeRetentionHours", "storeRetentionHours", 168, 0, 1_000_000),
    fetch,
    refusals,
    tx,
    logLevel,
    corruptResults: boolean(raw, "corruptResults", "corruptResults", false),
  };
  if (deployment) config.deployment = deployment;
  if (wsUrl) config.wsUrl = wsUrl;
  return config;
}

/** Reads and checks a config file (`ConfigError` for unreadable files and bad JSON too). */
export async function loadConfig(file: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError("", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("", `${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, { baseDir: dirname(resolve(file)) });
}

/**
 * The signing key the config points to. Never logged: errors name the variable or file only.
 *
 * @example
 * const account = privateKeyToAccount(await loadPrivateKey(config.key))
 */
export async function loadPrivateKey(key: DaemonConfig["key"], env: NodeJS.ProcessEnv = process.env): Promise<Hex> {
  let raw: string | undefined;
  let source: string;
  if ("env" in key) {
    source = "key.env";
    raw = env[key.env];
    if (raw === undefined || raw === "") throw new ConfigError(source, `names ${key.env}, which is not set`);
  } else {
    source = "key.file";
    try {
      raw = await readFile(key.file, "utf8");
    } catch (error) {
      throw new ConfigError(source, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}): ${key.file}`);
    }
  }
  const hex = raw.trim().replace(/^(0x)?/i, "0x");
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new ConfigError(source, "does not hold a 32-byte hex private key");
  return hex.toLowerCase() as Hex;
}
