import { keccak256, type Hex } from "viem";

import type { ContentStore } from "../../store/types.ts";
import type { FetchVerifiedErrorType, FetchVerifiedParameters } from "../../store/fetch-verified.ts";
import { InvalidParameterError, JobResultNotFoundError, ResultHashMismatchError } from "../../errors/sdk.ts";
import { computeResultHash } from "../../executor/result-hash.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { decodeOutputUri, type ExecutionOutcome } from "../../utils/output-uri.ts";
import { findJobResult, readJobState, type JobResult } from "../../utils/results.ts";

export type FetchJobOutputParameters = {
  /** The job whose output to fetch; its result is read from `ResultSubmitted`. */
  jobId: bigint;
  /** The job's result if already known (e.g. from `waitForResult`), saving a log query. */
  result?: JobResult | undefined;
  /**
   * The provider's claim about the run. Default: read from the output URI (`encodeOutputUri`,
   * which `submitResult` appends). It must hash to the committed `resultHash`.
   */
  outcome?: ExecutionOutcome | undefined;
  /** A content store to try first (by output hash) before fetching the output URI. */
  store?: ContentStore | undefined;
  /**
   * Limits, transports and network access for fetching the output URI (`fetchVerified`). The
   * URI is the provider's to choose, so by default only http(s) URIs on public addresses are
   * fetched (`ContentUriRefusedError` otherwise) and `file:` URIs are refused
   * (`UnsupportedUriError`). For local development (a provider on this machine or network) set
   * `allowHosts` (e.g. `["127.0.0.1", "localhost"]`), `allowPrivateNetworks: true`, or
   * `allowFileUris: true`.
   */
  fetch?: FetchVerifiedParameters | undefined;
};

export type FetchJobOutputReturnType = {
  /** The output bytes, verified against the on-chain commitment. */
  output: Uint8Array;
  /** The verified outcome (`status` tells whether the run succeeded). */
  outcome: ExecutionOutcome;
  result: JobResult;
};

export type FetchJobOutputErrorType =
  | ResultHashMismatchError
  | JobResultNotFoundError
  | InvalidParameterError
  | FetchVerifiedErrorType
  | Error;

const EMPTY_HASH = keccak256(new Uint8Array());

/**
 * Fetches a job's output and proves it is what the provider committed to on-chain: the claimed
 * outcome must hash to the job's `resultHash` (`computeResultHash(outputHash, fuelUsed, status)`),
 * and the bytes must hash to `outputHash` — so neither a wrong file nor a wrong claim about fuel
 * or status gets through (`ResultHashMismatchError`, or the store's `ContentHashMismatchError`).
 * Runs that did not end `Ok` have an empty output. The output URI is fetched from public
 * addresses only and `file:` URIs are refused unless `fetch` allows them (see `fetch`).
 *
 * @example
 * const { result } = await waitForResult(client, { jobId })
 * const { output, outcome } = await fetchJobOutput(client, { jobId, result })
 * // against a local chain whose providers serve from 127.0.0.1:
 * await fetchJobOutput(client, { jobId, fetch: { allowHosts: ["127.0.0.1", "localhost"] } })
 */
export async function fetchJobOutput(client: HashworkBaseClient, parameters: FetchJobOutputParameters): Promise<FetchJobOutputReturnType> {
  const { jobId } = parameters;
  const result = parameters.result ?? (await findJobResult(client, { jobId }));
  if (!result) throw new JobResultNotFoundError({ jobId, state: await readJobState(client, jobId) });
  const { uri, outcome: published } = decodeOutputUri(result.outputURI);
  const outcome = parameters.outcome ?? published;
  if (!outcome) {
    throw new InvalidParameterError({
      parameter: "outcome",
      reason: "not given, and the job's output URI does not carry one (see encodeOutputUri)",
    });
  }
  const claimed = computeResultHash(outcome.outputHash, outcome.fuelUsed, outcome.status, outcome.exitCode);
  if (claimed.toLowerCase() !== result.resultHash.toLowerCase()) {
    throw new ResultHashMismatchError({ jobId, expected: result.resultHash, actual: claimed });
  }
  const output = await fetchOutput(outcome.outputHash, uri, parameters);
  return { output, outcome, result };
}

async function fetchOutput(outputHash: Hex, uri: string, parameters: FetchJobOutputParameters): Promise<Uint8Array> {
  if (outputHash.toLowerCase() === EMPTY_HASH) return new Uint8Array();
  const store = parameters.store;
  if (store && (await store.has(outputHash))) return store.get(outputHash, { maxBytes: parameters.fetch?.maxBytes });
  if (!uri) throw new InvalidParameterError({ parameter: "store", reason: "the job has no output URI and the store lacks the output" });
  // Node-only (node:http, node:dns): loaded on use, so the client's import graph stays browser-safe.
  const { fetchVerified } = await import("../../store/fetch-verified.ts");
  return fetchVerified(uri, outputHash, parameters.fetch);
}
