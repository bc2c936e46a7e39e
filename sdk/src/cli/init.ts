/**
 * `hashwork init`: remembers the RPC, the market (or an Ignition deployment folder), the key file
 * and the content gateway in a named profile, so later commands need none of the options. The
 * key itself is never stored: only the path of its file, which is read (and, for a hex key,
 * checked) now so a typo shows up here rather than at the first transaction.
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import { isAddress } from "viem";

import { UsageError, type Command } from "./args.ts";
import { DEFAULT_RPC, jsonOption } from "./connect.ts";
import { KEYSTORE_PASSWORD_ENV, loadAccount } from "./keys.ts";
import { formatFields, printJson, printLine } from "./output.ts";
import { PROFILE_NAME_ENV, readProfiles, writeProfiles, type Profile } from "./profiles.ts";
import { stringOption } from "./values.ts";

function httpUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // not a URL
  }
  throw new UsageError(`${name} must be an http(s) URL, got "${value}"`);
}

export const init: Command = {
  path: ["init"],
  summary: "Save the RPC, market, key file and content gateway as a profile the other commands use",
  options: {
    rpc: { type: "string", placeholder: "URL", description: `JSON-RPC endpoint (default ${DEFAULT_RPC})` },
    market: { type: "string", placeholder: "ADDR", description: "the market's address" },
    deployment: {
      type: "string",
      placeholder: "DIR",
      description: "or an Ignition deployment folder to read the addresses from (e.g. ignition/deployments/chain-31337)",
    },
    "key-file": {
      type: "string",
      placeholder: "FILE",
      description: `your signing key: a file with a hex key or a V3 keystore (password in ${KEYSTORE_PASSWORD_ENV} when used)`,
    },
    gateway: {
      type: "string",
      placeholder: "URL",
      description: "the URL your content directory is served at (`hashwork content serve`); job URIs point there",
    },
    default: { type: "boolean", description: "make this profile the default (the first profile written always is)" },
    ...jsonOption,
  },
  notes: `The profile is written to profiles.json in HASHWORK_CONFIG_DIR, else $XDG_CONFIG_HOME/hashwork,
else ~/.config/hashwork (readable by you only). Name it with --profile NAME (default: "default");
every command takes --profile NAME, or reads HASHWORK_PROFILE. Options and environment variables
(HASHWORK_RPC, HASHWORK_MARKET, HASHWORK_PRIVATE_KEY, HASHWORK_PUBLIC_URL, …) still override it.
Running init again for a profile replaces only the fields you pass.
Example:
  hashwork init --rpc http://127.0.0.1:8545 --deployment ignition/deployments/chain-31337 \\
    --key-file requester.key --gateway http://127.0.0.1:8080`,
  async run(options) {
    const json = options.json === true;
    const name = process.env[PROFILE_NAME_ENV] || "default";
    const given: Profile = {};
    const rpc = stringOption(options.rpc);
    if (rpc !== undefined) given.rpc = httpUrl(rpc, "--rpc");
    const market = stringOption(options.market);
    const deployment = stringOption(options.deployment);
    if (market !== undefined && deployment !== undefined) throw new UsageError("pass --market or --deployment, not both");
    if (market !== undefined) {
      if (!isAddress(market, { strict: false })) throw new UsageError(`--market must be an address, got "${market}"`);
      given.market = market;
    }
    if (deployment !== undefined) {
      const dir = resolve(deployment);
      if (!existsSync(join(dir, "deployed_addresses.json")))
        throw new UsageError(`--deployment: no deployed_addresses.json in ${dir} (run hashwork deploy first)`);
      given.deployment = dir;
    }
    let account: string | undefined;
    const keyFile = stringOption(options["key-file"]);
    if (keyFile !== undefined) {
      const path = resolve(keyFile);
      if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--key-file: no file ${path}`);
      // A hex key is checked (and its address shown) now; a keystore is only decrypted when used.
      const text = await readFile(path, "utf8");
      if (!text.trim().startsWith("{") || process.env[KEYSTORE_PASSWORD_ENV] !== undefined)
        account = (await loadAccount({ "key-file": path }, { ...process.env, HASHWORK_PRIVATE_KEY: undefined })).address;
      given.keyFile = path;
    }
    const gateway = stringOption(options.gateway);
    if (gateway !== undefined) given.gateway = httpUrl(gateway, "--gateway").replace(/\/+$/, "");
    if (Object.keys(given).length === 0)
      throw new UsageError("nothing to save: pass --rpc, --market or --deployment, --key-file, --gateway");
    const file = await readProfiles();
    const previous = file.profiles[name] ?? {};
    // A market replaces a deployment folder and the other way round: they name the same thing.
    const merged: Profile = { ...previous, ...given };
    if (given.market !== undefined) delete merged.deployment;
    if (given.deployment !== undefined) delete merged.market;
    file.profiles[name] = merged;
    if (file.default === undefined || options.default === true || !Object.hasOwn(file.profiles, file.default)) file.default = name;
    const path = await writeProfiles(file);
    if (json) {
      printJson({ profile: name, default: file.default === name, path, ...merged, account });
      return 0;
    }
    printLine(`Saved profile "${name}"${file.default === name ? " (the default)" : ""} to ${path}`);
    printLine(
      formatFields([
        ["rpc", merged.rpc],
        ["market", merged.market],
        ["deployment", merged.deployment],
        ["key file", merged.keyFile === undefined ? undefined : `${merged.keyFile}${account ? ` (account ${account})` : ""}`],
        ["gateway", merged.gateway],
      ]),
    );
    return 0;
  },
};
