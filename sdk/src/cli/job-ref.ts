/**
 * Job ids as people type them: the full id (decimal or 0x-hex), or `#<nonce>` for one of your own
 * jobs (`#0` is the first job your key posted). A short id needs your address, taken from the
 * signing key (`--key-file`, `HASHWORK_PRIVATE_KEY`, or the profile's key file); the full id is
 * `address << 96 | nonce`, exactly as the market builds it.
 */
import type { Address } from "viem";

import { encodeJobId } from "../utils/job-id.ts";
import { UsageError, type OptionValues } from "./args.ts";
import { loadAccount } from "./keys.ts";
import { MAX_JOB_NONCE, parseJobId } from "./values.ts";

export const jobIdArgument = [
  { name: "ID", description: "the job id (decimal or 0x-hex, as `job post` printed it), or #<nonce> for your own job (see `job list`)" },
] as const;

/** `#7` for a job of `me`, else the full decimal id. */
export function shortJobId(jobId: bigint, me: Address | undefined): string {
  const requester = jobId >> 96n;
  if (me !== undefined && requester === BigInt(me)) return `#${jobId & ((1n << 96n) - 1n)}`;
  return jobId.toString();
}

/** Parses a `#<nonce>` short id's nonce (undefined for a full id). */
export function parseShortNonce(value: string | undefined, name = "ID"): bigint | undefined {
  const text = (value ?? "").trim();
  if (!text.startsWith("#")) return undefined;
  if (!/^#\d+$/.test(text)) throw new UsageError(`${name} must be #<nonce>, e.g. #0 for your first job, got "${text}"`);
  const nonce = BigInt(text.slice(1));
  if (nonce > MAX_JOB_NONCE) throw new UsageError(`${name}: a nonce is at most 2^64 - 1, got ${text}`);
  return nonce;
}

/**
 * The job id `value` names. `me` (when the command already knows its signer) saves loading the
 * key again; otherwise a short id loads it from the options and environment.
 */
export async function resolveJobId(value: string | undefined, options: OptionValues, me?: Address, name = "ID"): Promise<bigint> {
  const nonce = parseShortNonce(value, name);
  if (nonce === undefined) return parseJobId(value, name);
  let requester = me;
  if (requester === undefined) {
    try {
      requester = (await loadAccount(options)).address;
    } catch (error) {
      if (error instanceof UsageError && /signs transactions/.test(error.message))
        throw new UsageError(
          `${name} ${value} is a short id of your own jobs: it needs your key (HASHWORK_PRIVATE_KEY, --key-file or hashwork init); or pass the full id`,
        );
      throw error;
    }
  }
  return encodeJobId({ requester, nonce });
}
