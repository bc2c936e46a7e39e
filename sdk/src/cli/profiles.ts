/**
 * Profiles: what `hashwork init` remembers (RPC, market or deployment folder, key file, content
 * gateway URL), in `profiles.json` under `HASHWORK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/hashwork`,
 * else `~/.config/hashwork`. A profile only fills in what neither an option nor an environment
 * variable gives: it is applied as environment defaults before a command runs
 * (`applyProfile`), so `--rpc` beats `HASHWORK_RPC` beats the profile, everywhere.
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

import { UsageError } from "./args.ts";

export type Profile = {
  rpc?: string | undefined;
  market?: string | undefined;
  /** An Ignition deployment folder (absolute). */
  deployment?: string | undefined;
  /** A key file (absolute): a hex key or a V3 keystore. The key itself is never stored. */
  keyFile?: string | undefined;
  /**
   * The content gateway: the public URL the content directory is served at (`hashwork content
   * serve`), which job URIs point to (`HASHWORK_PUBLIC_URL`).
   */
  gateway?: string | undefined;
};

export type ProfilesFile = { default?: string | undefined; profiles: Record<string, Profile> };

/** Which environment variable each profile field fills in. */
export const PROFILE_ENV: Record<keyof Profile, string> = {
  rpc: "HASHWORK_RPC",
  market: "HASHWORK_MARKET",
  deployment: "HASHWORK_DEPLOYMENT",
  keyFile: "HASHWORK_KEY_FILE",
  gateway: "HASHWORK_PUBLIC_URL",
};

export const PROFILE_NAME_ENV = "HASHWORK_PROFILE";

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HASHWORK_CONFIG_DIR) return env.HASHWORK_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "hashwork");
}

export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "profiles.json");
}

export function checkProfileName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new UsageError(`a profile name may hold letters, digits, - and _ only, got "${name}"`);
  return name;
}

export async function readProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfilesFile> {
  const path = profilesPath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw new UsageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON; fix it or run \`hashwork init\` again after removing it`);
  }
  const file = parsed as Partial<ProfilesFile>;
  if (typeof file !== "object" || file === null || typeof file.profiles !== "object" || file.profiles === null) {
    throw new UsageError(`${path} has no "profiles" object; fix it or remove it`);
  }
  return { default: typeof file.default === "string" ? file.default : undefined, profiles: file.profiles };
}

/** Writes the file atomically, readable by its owner only (it names key files). */
export async function writeProfiles(file: ProfilesFile, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = profilesPath(env);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}

/**
 * The profile a command runs with: `--profile NAME` (passed as `name`), else `HASHWORK_PROFILE`,
 * else the file's default; `undefined` when there is no profile file. A named profile that does
 * not exist is a usage error.
 */
export async function selectProfile(
  name: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ name: string; profile: Profile } | undefined> {
  const wanted = name ?? (env[PROFILE_NAME_ENV] || undefined);
  const file = await readProfiles(env);
  const chosen = wanted ?? file.default;
  if (chosen === undefined) return undefined;
  const profile = Object.hasOwn(file.profiles, chosen) ? file.profiles[chosen] : undefined;
  if (!profile) {
    if (wanted === undefined) return undefined;
    const known = Object.keys(file.profiles);
    throw new UsageError(
      `no profile "${chosen}" in ${profilesPath(env)}${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}; create it with hashwork init --profile ${chosen}`,
    );
  }
  return { name: chosen, profile };
}

/** Fills the environment variables the profile covers that are not already set. */
export function applyProfile(profile: Profile, env: NodeJS.ProcessEnv = process.env): void {
  // The market address and the deployment folder name the same thing: an explicit one in the
  // environment wins over either from the profile.
  const marketGiven = Boolean(env.HASHWORK_MARKET || env.HASHWORK_DEPLOYMENT);
  for (const [field, variable] of Object.entries(PROFILE_ENV) as [keyof Profile, string][]) {
    const value = profile[field];
    if (value === undefined || value === "" || env[variable]) continue;
    if ((field === "market" || field === "deployment") && marketGiven) continue;
    // A key in the environment wins over the profile's key file.
    if (field === "keyFile" && env.HASHWORK_PRIVATE_KEY) continue;
    env[variable] = value;
  }
}

/**
 * Takes `--profile NAME` (or `--profile=NAME`) out of `argv`, wherever it is: every command
 * accepts it, so the parser need not list it per command.
 */
export function extractProfileOption(argv: readonly string[]): { argv: string[]; profile: string | undefined } {
  const rest: string[] = [];
  let profile: string | undefined;
  for (let j = 0; j < argv.length; j++) {
    const arg = argv[j]!;
    if (arg === "--") {
      rest.push(...argv.slice(j));
      break;
    }
    if (arg === "--profile") {
      const value = argv[j + 1];
      if (value === undefined || value.startsWith("-")) throw new UsageError("--profile needs a value");
      profile = checkProfileName(value);
      j++;
    } else if (arg.startsWith("--profile=")) {
      profile = checkProfileName(arg.slice("--profile=".length));
    } else {
      rest.push(arg);
    }
  }
  return { argv: rest, profile };
}
