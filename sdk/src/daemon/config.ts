import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";

import type { Hex } from "viem";
import type { z } from "zod";

import { HashworkError } from "../errors/base.ts";
import { daemonConfigSchema } from "./config-schema.ts";

export { daemonConfigJsonSchema, daemonConfigSchema, type DaemonConfigInput } from "./config-schema.ts";

/**
 * The daemon's configuration (`hashwork provider start --config FILE`), checked and with
 * defaults filled in: the output of `daemonConfigSchema` (`config-schema.ts`, where every
 * setting is described), with paths resolved against the config file's folder. Token amounts
 * are bigints of base units (wei). `docs/provider-daemon.md` is the reference.
 */
export type DaemonConfig = z.output<typeof daemonConfigSchema>;

/** A config file that cannot be used; `shortMessage` names the field and the problem in one line. */
export class ConfigError extends HashworkError {
  override name = "ConfigError";
  readonly field: string;
  constructor(field: string, problem: string) {
    super(field ? `config: ${field} ${problem}` : `config: ${problem}`);
    this.field = field;
  }
}

/** `claimPolicy.denyRequesters[0]`: a zod issue's path as the config file spells it. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (field, key) => (typeof key === "number" ? `${field}[${key}]` : field ? `${field}.${String(key)}` : String(key)),
    "",
  );
}

/**
 * The issue a `ConfigError` reports: an unknown key first (a misspelt setting also leaves the
 * intended one missing, and the typo is the useful news), else the first in the schema's order
 * (that of the table in docs/provider-daemon.md).
 */
function configErrorOf(error: z.ZodError): ConfigError {
  const issue = error.issues.find((i) => i.code === "unrecognized_keys") ?? error.issues[0]!;
  const field = fieldOf(issue.path);
  if (issue.code === "unrecognized_keys") return new ConfigError(fieldOf([...issue.path, issue.keys[0]!]), "is not a known setting");
  return new ConfigError(field, issue.message.replace(/\s*\n\s*/g, " "));
}

/**
 * Checks a parsed config file (`daemonConfigSchema`) and fills in defaults. `baseDir` resolves
 * relative paths (`dataDir`, `storeDir`, `key.file`). Throws `ConfigError` naming the first bad
 * field in one line.
 *
 * @example
 * const config = parseConfig(JSON.parse(text), { baseDir: dirname(path) })
 */
export function parseConfig(raw: unknown, { baseDir = process.cwd() }: { baseDir?: string } = {}): DaemonConfig {
  const parsed = daemonConfigSchema.safeParse(raw);
  if (!parsed.success) throw configErrorOf(parsed.error);
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const config = parsed.data;
  return {
    ...config,
    key: "file" in config.key ? { file: path(config.key.file) } : config.key,
    dataDir: path(config.dataDir),
    storeDir: path(config.storeDir),
  };
}

/**
 * Chain ids of local development chains: Hardhat's and anvil's (31337), and Ganache's and
 * geth `--dev`'s (1337). Settings that make a daemon misbehave on purpose are refused elsewhere.
 */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/**
 * The checks that need the chain the RPC serves (known once the daemon connects): the
 * fault-injection switch `corruptResults` only on a local chain (`LOCAL_CHAIN_IDS`).
 * Throws `ConfigError`.
 */
export function checkConfigForChain(config: Pick<DaemonConfig, "corruptResults">, chainId: number): void {
  if (config.corruptResults && !LOCAL_CHAIN_IDS.includes(chainId)) {
    throw new ConfigError(
      "corruptResults",
      `is for local test chains only (chain id ${LOCAL_CHAIN_IDS.join(" or ")}); the RPC serves chain ${chainId}`,
    );
  }
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
