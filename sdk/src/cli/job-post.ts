import { join } from "node:path";

import { zeroAddress } from "viem";

import { getProviderOffers } from "../actions/requester/get-provider-offers.ts";
import { checkAgainstOffers } from "../actions/requester/preflight-jobs.ts";
import { MAX_FUEL_LIMIT } from "../executor/abi.ts";
import { createHttpStore } from "../store/http.ts";
import { createIpfsResolver } from "../store/ipfs-fetch.ts";
import { createLocalStore } from "../store/local.ts";
import type { ContentStore } from "../store/types.ts";
import { httpContentUri } from "../store/uri.ts";
import { DEFAULT_COLLATERAL_PCT, getJobValueBounds } from "../utils/job-request.ts";
import { UsageError, type Command, type OptionValues } from "./args.ts";
import { bundleOptions } from "./bundle-options.ts";
import { readInputFile } from "./files.ts";
import { readJobFiles } from "./job-files.ts";
import { indexerOption, parseIndexer } from "./indexer-option.ts";
import { noTakersLine, runQuote } from "./job-quote.ts";
import { withPreflightErrors } from "./preflight-errors.ts";
import { connect, jsonOption, writeOptions } from "./connect.ts";
import { CliError } from "./errors.ts";
import { formatAmount, formatFields, formatTime, printJson, printLine, withProgress } from "./output.ts";
import { fetchAccess, fetchAccessOptions, parseAddress, parseAmount, parseInteger, parseSeconds, stringOption } from "./values.ts";

export { readInputFile };

export const DEFAULT_STORE_DIR = join(".hashwork", "content");

/**
 * Where content goes, and the URIs others fetch it from (`job post`, `content put`): an http(s)
 * content server that accepts uploads, or a local directory — with `--public-url` (else env
 * `HASHWORK_PUBLIC_URL`), the URL that directory is served at (e.g. by `hashwork content serve`);
 * without either, `file://` URIs (only for providers on the same machine that allow file URIs).
 */
export function openStore(options: OptionValues): { store: ContentStore; uriFor?: (hash: `0x${string}`) => string; describe: string } {
  const target = stringOption(options.store) ?? process.env.HASHWORK_STORE ?? DEFAULT_STORE_DIR;
  const explicitUrl = stringOption(options["public-url"]);
  if (/^https?:\/\//.test(target)) {
    if (explicitUrl !== undefined) throw new UsageError("--public-url goes with a directory --store, not a URL");
    return { store: createHttpStore({ baseUrl: target }), describe: target };
  }
  // HASHWORK_PUBLIC_URL only applies to a directory store (a content server URL names itself).
  const envUrl = process.env.HASHWORK_PUBLIC_URL || undefined;
  const publicUrl = explicitUrl ?? envUrl;
  if (publicUrl !== undefined) {
    try {
      httpContentUri(publicUrl, `0x${"0".repeat(64)}`);
    } catch {
      const source = explicitUrl !== undefined ? "--public-url" : "HASHWORK_PUBLIC_URL";
      throw new UsageError(`${source} must be an http(s) URL without query or fragment, got "${publicUrl}"`);
    }
  }
  const store = createLocalStore({ dir: target });
  return { store, uriFor: publicUrl ? (hash) => httpContentUri(publicUrl, hash) : undefined, describe: store.dir };
}

/** `hashwork job post`: uploads program and input, posts the job, prints its id. */
export const jobPost: Command = {
  path: ["job", "post"],
  summary: "Upload a program and its input and post a job (prints the job id)",
  options: {
    program: { type: "string", required: true, placeholder: "FILE", description: "the WebAssembly program (ABI v1, or v2: WASI)" },
    input: {
      type: "string",
      placeholder: "FILE",
      description: "ABI v1: the program's input bytes (required); v2: its stdin (default empty)",
    },
    ...bundleOptions,
    reward: {
      type: "string",
      required: true,
      placeholder: "AMOUNT",
      description: "payment in tokens, e.g. 2 or 0.5 (or base units: 500wei), or auto: the reward job quote suggests",
    },
    "allow-local": {
      type: "boolean",
      description: "allow file:// URIs (a directory --store without --public-url): only providers on this machine can read them",
    },
    fuel: { type: "string", required: true, placeholder: "N", description: "fuel limit (instructions metered by the executor)" },
    store: {
      type: "string",
      placeholder: "DIR|URL",
      description: `content store: a directory, or a content server URL accepting uploads (default: HASHWORK_STORE or ${DEFAULT_STORE_DIR})`,
    },
    "public-url": {
      type: "string",
      placeholder: "URL",
      description:
        "the URL a directory --store is served at (e.g. by hashwork content serve); job URIs point there (default: HASHWORK_PUBLIC_URL)",
    },
    "ipfs-gateways": fetchAccessOptions["ipfs-gateways"],
    ipfs: {
      type: "boolean",
      description:
        "name program and input by ipfs://<CIDv1> (recorded in --store, whose gateway serves them); providers fetch them from their IPFS gateways",
    },
    "execution-time": { type: "string", placeholder: "DURATION", description: "time the provider has after claiming (default 10m)" },
    "challenge-window": { type: "string", placeholder: "DURATION", description: "time a result can be challenged (default 10m)" },
    "claim-window": { type: "string", placeholder: "DURATION", description: "time the job stays claimable (default 1h)" },
    collateral: {
      type: "string",
      placeholder: "PCT",
      description: `provider collateral in % of the reward, within the market's bounds (default ${DEFAULT_COLLATERAL_PCT}; 100-300 on default markets)`,
    },
    "min-reputation": {
      type: "string",
      placeholder: "SCORE",
      description: "minimum provider score 0-10000 for THIS job's reward (default 0: anyone; any gate above 0 shuts out newcomers)",
    },
    provider: { type: "string", placeholder: "ADDR", description: "only this provider may claim" },
    permit: { type: "boolean", description: "pay with an EIP-2612 permit instead of an approve transaction" },
    ...indexerOption,
    ...writeOptions,
    ...jsonOption,
  },
  notes: `Examples:
  hashwork job post --program mandelbrot.wasm --input tile.bin --reward 2 --fuel 100000000
  hashwork job post --program p.wasm --input in.bin --reward 2 --fuel 1000000 --store ./content --public-url http://my.host:8080
  hashwork job post --program wc.wasm --arg data/words.txt --file data/words.txt --reward 2 --fuel 1000000000
  hashwork job post --program p.wasm --input in.bin --reward 2 --fuel 1000000 --ipfs
For an ABI v2 (WASI) program the input posted is the bundle of --arg, --env, --file and --input (stdin);
test it first with hashwork program run and the same options.
Providers fetch program and input by URI: serve the directory store with \`hashwork content serve\` and pass
its URL as --public-url (or set HASHWORK_PUBLIC_URL), or pass a content server URL that accepts uploads as --store.
With --ipfs the job names its content ipfs://<CIDv1> instead: the store's /ipfs/ gateway (hashwork content serve)
serves them, or pin the same CIDs on any IPFS node; providers fetch from their own gateways (content.ipfsGateways).
The market sets a minimum reward (0.01 token on default markets) and a collateral range (100-300%); a job
outside them is refused before anything is uploaded or sent. Before sending, job post checks (and refuses
in one line, sending nothing): every URI serves the job's bytes (file:// URIs only with --allow-local), the
fuel limit is within some registered provider's published max fuel and the reward at least the cheapest
such provider's price for that fuel, and your wallet (plus market balance) covers the reward.
--reward auto runs the program locally (as job quote does) and posts at the suggested reward.
--min-reputation is compared with the provider's score for this job's reward: 10000 * fees / (fees + reward
* (1 + 2 * timed out + 5 * disputes lost)), fees being the protocol fees it paid on completed jobs. A newcomer
scores 0, so only --min-reputation 0 lets it claim; a larger reward needs more fees for the same score, and
buying a score S costs reward * S / (10000 - S) in fees, so gates above 5000 cost more than the job pays.`,
  async run(options) {
    const json = options.json === true;
    // Everything that can be checked offline is checked before touching the chain.
    const fuelLimit = parseInteger(stringOption(options.fuel), "--fuel", { min: 1n, max: MAX_FUEL_LIMIT });
    const executionTime = parseSeconds(stringOption(options["execution-time"]) ?? "10m", "--execution-time");
    const challengeWindow = parseSeconds(stringOption(options["challenge-window"]) ?? "10m", "--challenge-window");
    const claimWindow = parseSeconds(stringOption(options["claim-window"]) ?? "1h", "--claim-window");
    const collateralPct = Number(
      parseInteger(stringOption(options.collateral) ?? String(DEFAULT_COLLATERAL_PCT), "--collateral", { max: 65535n }),
    );
    const minReputation = Number(parseInteger(stringOption(options["min-reputation"]) ?? "0", "--min-reputation", { max: 10000n }));
    const designatedProvider = options.provider === undefined ? undefined : parseAddress(stringOption(options.provider), "--provider");
    const rewardText = stringOption(options.reward)!;
    const auto = rewardText === "auto";
    if (!auto) parseAmount(rewardText, "--reward", 36); // shape only; scaled once the token's decimals are known
    const allowLocal = options["allow-local"] === true;
    const { program, input } = await readJobFiles(String(options.program), options, "job post");
    const { store, uriFor, describe } = openStore(options);

    const connection = await connect(options, { sign: true });
    // Where the provider offers come from (pre-flight, --reward auto): the indexer if named, else the chain.
    const indexer = parseIndexer(options);
    const token = await connection.token();
    const { client } = connection;
    let reward: bigint;
    if (auto) {
      const quote = await runQuote(connection, { program, input }, { fuelLimit, collateralPct, json, indexer });
      if (quote.suggestedReward === undefined) throw new CliError(`--reward auto: ${noTakersLine(quote)}`);
      reward = quote.suggestedReward;
      if (!json) {
        process.stderr.write(
          `reward auto: ${formatAmount(reward, token)} (${quote.providersAtSuggested} of ${quote.providers.length} providers take it; the program used ${quote.fuelUsed} fuel)\n`,
        );
      }
    } else reward = parseAmount(rewardText, "--reward", token.decimals);
    // The market's bounds, checked before anything is uploaded or sent.
    const bounds = await getJobValueBounds(client);
    if (reward < bounds.minReward) {
      throw new CliError(
        `--reward ${formatAmount(reward, token)} is below the market's minimum reward ${formatAmount(bounds.minReward, token)}: raise --reward`,
      );
    }
    if (collateralPct < bounds.minCollateralPct || collateralPct > bounds.maxCollateralPct) {
      const given = options.collateral === undefined ? `the default --collateral ${collateralPct}` : `--collateral ${collateralPct}`;
      throw new CliError(
        `${given} is outside the market's collateral bounds: pass --collateral between ${bounds.minCollateralPct} and ${bounds.maxCollateralPct}`,
      );
    }
    const ipfs = options.ipfs === true;
    // After the market's bounds (what the chain says first), before any upload: a directory
    // store nobody serves gives file:// URIs.
    if (!ipfs && !uriFor && !/^https?:\/\//.test(describe) && !allowLocal) {
      throw new UsageError(
        `job post would name file:// URIs in ${describe} that no provider elsewhere can read: pass --public-url (or set HASHWORK_PUBLIC_URL) where it is served, a content server --store, --ipfs, or --allow-local`,
      );
    }
    const gateways = ipfs ? ipfsCheckGateways(options, describe, json) : [];
    // The providers' published profiles, checked before anything is uploaded.
    await withPreflightErrors(token, { lower: "lower --reward" }, async () => {
      const offers = await getProviderOffers(client, { indexer });
      if (offers.length > 0) checkAgainstOffers(offers, { fuelLimit, reward });
    });
    const content = await withProgress(`uploading to ${describe}`, json, () =>
      client.uploadJobContent({ store, program, input, uri: ipfs ? "ipfs" : "store" }),
    );
    const resolvers = ipfs ? { "ipfs:": ipfsCheckResolver(gateways, content, { program, input }) } : undefined;
    if (uriFor && !ipfs) {
      content.programURI = uriFor(content.programHash);
      content.inputURI = uriFor(content.inputHash);
    }
    const latest = await client.publicClient.getBlock({ blockTag: "latest" });
    const posted = await withProgress("posting job", json, () =>
      withPreflightErrors(token, { lower: "lower --reward" }, () =>
        client.postJob({
          ...content,
          fuelLimit,
          reward,
          collateralPct,
          executionTime,
          challengeWindow,
          claimDeadline: latest.timestamp + BigInt(claimWindow),
          minReputation,
          designatedProvider,
          payment: options.permit === true ? "permit" : "approve",
          // The providers were checked above; content and balance are checked here, after the upload.
          preflight: { allowLocal, providers: false, resolvers },
        }),
      ),
    );
    const r = posted.request;
    if (json) {
      printJson({
        jobId: posted.jobId,
        requester: connection.account,
        programHash: r.programHash,
        inputHash: r.inputHash,
        programURI: r.programURI,
        inputURI: r.inputURI,
        fuelLimit: r.fuelLimit,
        reward: r.reward,
        collateralPct: r.collateralPct,
        claimDeadline: BigInt(r.claimDeadline), // a decimal string, like every other time and amount
        executionTime: r.executionTime,
        challengeWindow: r.challengeWindow,
        minReputation: r.minReputation,
        designatedProvider: r.designatedProvider === zeroAddress ? null : r.designatedProvider,
        funding: { fromLedger: posted.funding.fromLedger, pulled: posted.funding.pulled },
        transactionHash: posted.transactionHash,
      });
      return 0;
    }
    printLine(`Posted job ${posted.jobId}`);
    printLine(
      formatFields([
        ["reward", formatAmount(r.reward, token)],
        ["fuel limit", r.fuelLimit.toString()],
        ["program", `${r.programHash} (${r.programURI})`],
        ["input", `${r.inputHash} (${r.inputURI})`],
        ["claim by", formatTime(r.claimDeadline)],
        ["transaction", posted.transactionHash],
      ]),
    );
    printLine(`Next: hashwork job wait ${posted.jobId}`);
    return 0;
  },
};

/**
 * Where `job post --ipfs` checks its CIDs are served: `--ipfs-gateways`, else the content server
 * `--store` itself (it answers `/ipfs/<cid>`). With neither (a directory store served by some
 * other process), no gateway is known: only the local bytes are checked, and stderr says so.
 */
function ipfsCheckGateways(options: OptionValues, describe: string, json: boolean): string[] {
  const { ipfsGateways } = fetchAccess(options);
  if (ipfsGateways.length > 0) return ipfsGateways;
  if (/^https?:\/\//.test(describe)) return [describe];
  if (!json) process.stderr.write("--ipfs: no gateway named (--ipfs-gateways), so reachability of the CIDs is not checked\n");
  return [];
}

function ipfsCheckResolver(
  gateways: string[],
  content: { programCid?: string; inputCid?: string },
  bytes: { program: Uint8Array; input: Uint8Array },
): (uri: URL, options: { maxBytes: number; signal?: AbortSignal }) => Promise<Uint8Array> {
  if (gateways.length > 0) return createIpfsResolver({ gateways });
  return async (uri) => {
    const cid = uri.hostname;
    if (cid === content.programCid) return bytes.program;
    if (cid === content.inputCid) return bytes.input;
    throw new CliError(`--ipfs: ${uri.href} is not content this command uploaded`);
  };
}
