import type { Hex } from "viem";

import { InvalidParameterError } from "../errors/sdk.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";

/** What a provider claims about a run; `computeResultHash` of it must equal the on-chain `resultHash`. */
export type ExecutionOutcome = {
  /** keccak256 of the output bytes. */
  outputHash: Hex;
  fuelUsed: bigint;
  status: ExecutionStatus;
  /** ABI v2: the exit code; part of the commitment only when `status` is `Exited` (then non-zero). */
  exitCode?: number;
};

const KEY = "hashwork-outcome";
const STATUSES = new Set<number>(Object.values(ExecutionStatus));

/**
 * Appends a run's outcome to an output URI as a fragment,
 * `<uri>#hashwork-outcome=<outputHash>.<fuelUsed>.<status>` (`.<exitCode>` appended for
 * `Exited`, ABI v2), so the `ResultSubmitted` event alone
 * tells a requester what to fetch and how to check it against the committed `resultHash`.
 * Fragments are never sent to servers, so the URI still fetches the output. Costs about 90 bytes
 * of calldata and event data per submission.
 *
 * @example
 * encodeOutputUri("http://p.example/content/0xab…", { outputHash: "0xab…", fuelUsed: 1234n, status: 0 })
 * // "http://p.example/content/0xab…#hashwork-outcome=0xab….1234.0"
 */
export function encodeOutputUri(uri: string, outcome: ExecutionOutcome): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(outcome.outputHash)) {
    throw new InvalidParameterError({ parameter: "outcome.outputHash", reason: "must be a 32-byte hex hash" });
  }
  if (outcome.fuelUsed < 0n || outcome.fuelUsed >> 64n !== 0n) {
    throw new InvalidParameterError({ parameter: "outcome.fuelUsed", reason: "must fit in uint64" });
  }
  if (!STATUSES.has(outcome.status)) {
    throw new InvalidParameterError({ parameter: "outcome.status", reason: `unknown ExecutionStatus ${outcome.status}` });
  }
  const exited = outcome.status === ExecutionStatus.Exited;
  const code = outcome.exitCode ?? 0;
  if (exited !== (code !== 0) || !Number.isInteger(code) || code < 0 || code > 0xffffffff) {
    throw new InvalidParameterError({
      parameter: "outcome.exitCode",
      reason: "must be a non-zero uint32 exactly when the status is Exited",
    });
  }
  const base = uri.split("#")[0];
  return `${base}#${KEY}=${outcome.outputHash.toLowerCase()}.${outcome.fuelUsed}.${outcome.status}${exited ? `.${code}` : ""}`;
}

/**
 * Reads the outcome `encodeOutputUri` put in a URI: the URI to fetch (fragment removed) and the
 * outcome, or `outcome: undefined` when the URI carries none (or a malformed one).
 *
 * @example
 * const { uri, outcome } = decodeOutputUri(result.outputURI)
 */
export function decodeOutputUri(outputURI: string): { uri: string; outcome: ExecutionOutcome | undefined } {
  const at = outputURI.indexOf("#");
  if (at < 0) return { uri: outputURI, outcome: undefined };
  const uri = outputURI.slice(0, at);
  const match = new RegExp(`(?:^|&)${KEY}=(0x[0-9a-fA-F]{64})\\.(\\d{1,20})\\.(\\d{1,3})(?:\\.(\\d{1,10}))?(?:&|$)`).exec(
    outputURI.slice(at + 1),
  );
  if (!match) return { uri, outcome: undefined };
  const fuelUsed = BigInt(match[2]!);
  const status = Number(match[3]);
  const exitCode = match[4] === undefined ? 0 : Number(match[4]);
  if (fuelUsed >> 64n !== 0n || !STATUSES.has(status)) return { uri, outcome: undefined };
  // An exit code exactly for Exited, non-zero and uint32.
  if (
    (status === ExecutionStatus.Exited) !== (match[4] !== undefined) ||
    (match[4] !== undefined && (exitCode === 0 || exitCode > 0xffffffff))
  ) {
    return { uri, outcome: undefined };
  }
  const outcome: ExecutionOutcome = { outputHash: match[1]!.toLowerCase() as Hex, fuelUsed, status: status as ExecutionStatus };
  if (status === ExecutionStatus.Exited) outcome.exitCode = exitCode;
  return { uri, outcome };
}
