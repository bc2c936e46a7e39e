import type { Hex } from "viem";

import { HashworkError } from "../../errors/base.ts";
import { JobContentUnavailableError, JobUnmatchedByProvidersError, type InvalidParameterError } from "../../errors/sdk.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { JobRequest } from "../../utils/job-request.ts";
import { getProviderOffers, largestOf, smallestOf, type ProviderOffer } from "./get-provider-offers.ts";

/** What `postJob` / `postJobs` check before sending anything (`preflight`); every check is on unless turned off. */
export type PreflightOptions = {
  /**
   * Fetch every URI the job names (program, input; an empty URI is skipped) and check the bytes
   * hash to the job's hash. Node only (the fetch loads `node:` modules when called). Default: true.
   */
  content?: boolean | undefined;
  /**
   * Accept `file://` URIs (read from this machine; only a provider on the same machine that
   * allows file URIs can fetch them). Default: false (`JobContentUnavailableError`, `local: true`).
   */
  allowLocal?: boolean | undefined;
  /**
   * Compare the fuel limit and reward with the profiles registered providers publish (`maxFuel`,
   * `pricePerFuel`, `getProviderOffers`); skipped when no provider with free stake published one.
   * Default: true.
   */
  providers?: boolean | undefined;
  /** Check the wallet (plus ledger) balance covers the reward before any approve. Default: true. */
  balance?: boolean | undefined;
  /** Time allowed per content fetch, in ms. Default: 10 s. */
  timeoutMs?: number | undefined;
  /** Fetchers for other URI schemes (e.g. `{ "ipfs:": … }`), as `fetchVerified` takes them; without one such a URI is refused. */
  resolvers?: Record<string, (uri: URL, options: { maxBytes: number; signal?: AbortSignal }) => Promise<Uint8Array>> | undefined;
};

export type PreflightJobsParameters = {
  jobs: readonly JobRequest[];
  /** Prefixes of the parameter names in errors, one per job (default `job`, or `jobs[i]` for several). */
  names?: readonly string[] | undefined;
  options?: PreflightOptions | undefined;
};

export type PreflightJobsReturnType = {
  /** The provider offers compared with (empty when that check was off or no provider published a profile). */
  offers: ProviderOffer[];
};

export type PreflightJobsErrorType = JobContentUnavailableError | JobUnmatchedByProvidersError | InvalidParameterError;

/** Content fetches running at once (a batch may name up to 200 URIs). */
const FETCH_CONCURRENCY = 8;

/**
 * The pre-flight checks of `postJob` and `postJobs`, on their own: every URI the jobs name
 * serves the bytes of the job's hash (`file://` only with `allowLocal`), and — when registered
 * providers published profiles — some provider's `maxFuel` covers each fuel limit and some such
 * provider's price floor (`pricePerFuel * fuelLimit`) is at most the reward. Throws the first
 * failure as a typed error naming the value to change; sends nothing.
 *
 * @example
 * await preflightJobs(client, { jobs: [request], options: { allowLocal: true } })
 */
export async function preflightJobs(client: HashworkBaseClient, parameters: PreflightJobsParameters): Promise<PreflightJobsReturnType> {
  const options = parameters.options ?? {};
  const { jobs } = parameters;
  const nameOf = (i: number) => parameters.names?.[i] ?? (jobs.length === 1 ? "job" : `jobs[${i}]`);
  let offers: ProviderOffer[] = [];
  if (options.providers !== false) {
    offers = await getProviderOffers(client);
    if (offers.length > 0) for (const [i, job] of jobs.entries()) checkAgainstOffers(offers, job, nameOf(i));
  }
  if (options.content !== false) await checkContent(jobs, nameOf, options);
  return { offers };
}

/** Throws `JobUnmatchedByProvidersError` when no offer takes the job's fuel limit, or none of those its reward. */
export function checkAgainstOffers(offers: readonly ProviderOffer[], job: { fuelLimit: bigint; reward: bigint }, name = "job"): void {
  const fuelOk = offers.filter((o) => o.maxFuel >= job.fuelLimit);
  if (fuelOk.length === 0) {
    const largest = largestOf(offers.map((o) => o.maxFuel));
    throw new JobUnmatchedByProvidersError({
      parameter: `${name}.fuelLimit`,
      field: "fuelLimit",
      value: job.fuelLimit,
      limit: largest,
      providers: offers.length,
    });
  }
  const cheapest = smallestOf(fuelOk.map((o) => o.pricePerFuel * job.fuelLimit))!;
  if (job.reward < cheapest) {
    throw new JobUnmatchedByProvidersError({
      parameter: `${name}.reward`,
      field: "reward",
      value: job.reward,
      limit: cheapest,
      providers: fuelOk.length,
    });
  }
}

async function checkContent(jobs: readonly JobRequest[], nameOf: (i: number) => string, options: PreflightOptions): Promise<void> {
  // Each (URI, hash) once: a batch usually shares its program.
  const targets = new Map<string, { parameter: string; uri: string; hash: Hex }>();
  for (const [i, job] of jobs.entries()) {
    for (const [field, uri, hash] of [
      ["programURI", job.programURI, job.programHash],
      ["inputURI", job.inputURI, job.inputHash],
    ] as const) {
      if (uri === "") continue;
      const parameter = `${nameOf(i)}.${field}`;
      if (/^file:/i.test(uri) && options.allowLocal !== true) {
        throw new JobContentUnavailableError({
          parameter,
          uri,
          hash,
          local: true,
          reason: "a file:// URI only a provider on this machine could read: serve the content over http(s), or allow local URIs",
        });
      }
      targets.set(`${hash.toLowerCase()}@${uri}`, { parameter, uri, hash });
    }
  }
  if (targets.size === 0) return;
  // Loaded on demand: the fetcher needs `node:` modules, which the browser entry must not load.
  const { fetchVerified } = await import("../../store/fetch-verified.ts");
  const list = [...targets.values()];
  for (let start = 0; start < list.length; start += FETCH_CONCURRENCY) {
    await Promise.all(
      list.slice(start, start + FETCH_CONCURRENCY).map(async ({ parameter, uri, hash }) => {
        try {
          // The requester checks its own URIs: private and loopback hosts are fine here (providers
          // decide for themselves what they fetch).
          await fetchVerified(uri, hash, {
            allowPrivateNetworks: true,
            allowFileUris: options.allowLocal === true,
            resolvers: options.resolvers,
            timeoutMs: options.timeoutMs ?? 10_000,
          });
        } catch (error) {
          const reason =
            error instanceof HashworkError ? error.shortMessage : error instanceof Error ? error.message.split("\n")[0]! : String(error);
          throw new JobContentUnavailableError({ parameter, uri, hash, local: false, reason, cause: error });
        }
      }),
    );
  }
}
