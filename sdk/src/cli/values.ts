/** Parsers for option and argument values; each bad value is a one-line `UsageError` (exit 2). */
import { getAddress, isAddress, parseUnits, type Address, type Hex } from "viem";

import { createAddressPolicy } from "../store/address-policy.ts";
import { UsageError } from "./args.ts";

/** The largest nonce a job id can carry: the market stores nonces as uint64. */
export const MAX_JOB_NONCE = (1n << 64n) - 1n;

/** A job id in decimal or 0x-hex (a `#<nonce>` short id needs the signer: see ./job-ref.ts). */
export function parseJobId(value: string | undefined, name = "ID"): bigint {
  const text = (value ?? "").trim();
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text))
    throw new UsageError(`${name} must be a job id (decimal, 0x-hex, or #<nonce> for your own job), got "${value ?? ""}"`);
  const id = BigInt(text);
  if (id === 0n || id >> 256n !== 0n) throw new UsageError(`${name} is not a valid job id: ${value}`);
  // Ids are requester << 96 | nonce; no job ever has a nonce above 2^64 - 1.
  if ((id & ((1n << 96n) - 1n)) > MAX_JOB_NONCE) throw new UsageError(`${name} is not a valid job id: its nonce is above 2^64 - 1`);
  return id;
}

export function parseAddress(value: string | undefined, name: string): Address {
  if (value === undefined || !isAddress(value, { strict: false })) throw new UsageError(`${name} must be an address, got "${value ?? ""}"`);
  return getAddress(value);
}

export function parseHash(value: string, name: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new UsageError(`${name} must be a 32-byte hex hash (0x + 64 hex digits), got "${value}"`);
  return value.toLowerCase() as Hex;
}

/**
 * A token amount: `12.5` (tokens, scaled by the token's decimals) or `123wei` (base units).
 * Must be positive unless `allowZero`.
 */
export function parseAmount(value: string | undefined, name: string, decimals: number, { allowZero = false } = {}): bigint {
  const text = (value ?? "").trim();
  let amount: bigint;
  if (/^\d+wei$/.test(text)) amount = BigInt(text.slice(0, -3));
  else if (/^\d+(\.\d+)?$/.test(text) && (text.split(".")[1]?.length ?? 0) <= decimals) amount = parseUnits(text, decimals);
  else throw new UsageError(`${name} must be a token amount like 2 or 0.5 (or base units like 500wei), got "${value ?? ""}"`);
  if (amount === 0n && !allowZero) throw new UsageError(`${name} must be more than 0`);
  return amount;
}

/** A non-negative integer (bigint), within `max`. */
export function parseInteger(value: string | undefined, name: string, { min = 0n, max }: { min?: bigint; max?: bigint } = {}): bigint {
  const text = (value ?? "").trim().replaceAll("_", "");
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a whole number, got "${value ?? ""}"`);
  const n = BigInt(text);
  if (n < min) throw new UsageError(`${name} must be at least ${min}, got ${n}`);
  if (max !== undefined && n > max) throw new UsageError(`${name} must be at most ${max}, got ${n}`);
  return n;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration in seconds: `600`, `90s`, `10m`, `2h`, `1d`. */
export function parseSeconds(value: string | undefined, name: string): number {
  const match = /^(\d+)([smhd]?)$/.exec((value ?? "").trim());
  if (!match) throw new UsageError(`${name} must be a duration like 600, 10m, 2h or 1d, got "${value ?? ""}"`);
  const seconds = Number(match[1]) * UNITS[match[2] || "s"]!;
  if (!Number.isSafeInteger(seconds)) throw new UsageError(`${name} is too large`);
  return seconds;
}

export function stringOption(value: string | string[] | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The values of an option declared `multiple` (empty when absent). */
export function stringsOption(value: string | string[] | boolean | undefined): string[] {
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

/**
 * `--allow-hosts LIST`: hosts a content fetch may reach although they are not public (comma-
 * separated host names, IP addresses or CIDR ranges, e.g. `127.0.0.1,localhost` for a local
 * chain); `--allow-file-uris`. URIs on chain are written by strangers: by default only public
 * http(s) addresses are fetched.
 */
export const fetchAccessOptions = {
  "allow-hosts": {
    type: "string",
    placeholder: "LIST",
    description: "also fetch from these non-public hosts (comma-separated names, IPs or CIDRs, e.g. 127.0.0.1,localhost)",
  },
  "ipfs-gateways": {
    type: "string",
    placeholder: "LIST",
    description: "trustless IPFS gateways for ipfs:// URIs, tried in order (comma-separated base URLs; every block is verified)",
  },
} as const;

/** The SDK's fetch access settings from `--allow-hosts`, `--allow-file-uris` and `--ipfs-gateways`. */
export function fetchAccess(options: Record<string, string | string[] | boolean | undefined>): {
  allowHosts: string[];
  allowFileUris: boolean;
  ipfsGateways: string[];
} {
  const list = stringOption(options["allow-hosts"]);
  const allowHosts =
    list === undefined
      ? []
      : list
          .split(",")
          .map((h) => h.trim())
          .filter((h) => h !== "");
  try {
    createAddressPolicy({ allowHosts });
  } catch (error) {
    throw new UsageError(`--allow-hosts: ${(error as Error).message.replace(/^allowHosts: /, "")}`);
  }
  const ipfsGateways = (stringOption(options["ipfs-gateways"]) ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "");
  for (const gateway of ipfsGateways) {
    const url = URL.canParse(gateway) ? new URL(gateway) : undefined;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
      throw new UsageError(`--ipfs-gateways: "${gateway}" is not an http(s) base URL without query or fragment`);
    }
  }
  return { allowHosts, allowFileUris: options["allow-file-uris"] === true, ipfsGateways };
}
