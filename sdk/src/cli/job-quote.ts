import type { QuoteJobReturnType } from "../actions/requester/quote-job.ts";
import { quoteJob } from "../actions/requester/quote-job.ts";
import { MAX_FUEL_LIMIT } from "../executor/abi.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import type { IndexerOption } from "../utils/indexer.ts";
import { DEFAULT_COLLATERAL_PCT } from "../utils/job-request.ts";
import type { Command, OptionValues } from "./args.ts";
import { bundleOptions } from "./bundle-options.ts";
import { connect, connectionOptions, jsonOption, type Connection, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { readJobFiles } from "./job-files.ts";
import { indexerOption, parseIndexer } from "./indexer-option.ts";
import { formatAmount, formatFields, formatTable, printJson, printLine, withProgress } from "./output.ts";
import { parseInteger, stringOption } from "./values.ts";

const STATUS_NAMES = Object.fromEntries(Object.entries(ExecutionStatus).map(([k, v]) => [v, k])) as Record<number, string>;

/** Runs the quote for `job quote` and `job post --reward auto`, with a spinner; `fuel` undefined: measured. */
export async function runQuote(
  connection: Connection,
  files: { program: Uint8Array; input: Uint8Array },
  {
    fuelLimit,
    collateralPct,
    marginPct,
    json,
    indexer,
  }: {
    fuelLimit?: bigint | undefined;
    collateralPct: number;
    marginPct?: number | undefined;
    json: boolean;
    indexer?: IndexerOption | undefined;
  },
): Promise<QuoteJobReturnType> {
  try {
    return await withProgress("running the program locally and reading provider profiles", json, () =>
      quoteJob(connection.client, { ...files, fuelLimit, collateralPct, marginPct, indexer }),
    );
  } catch (error) {
    const short = (error as { shortMessage?: string }).shortMessage;
    if (typeof short === "string" && short.startsWith("Invalid parameter `fuelLimit`")) {
      throw new CliError(short.replace("Invalid parameter `fuelLimit`: ", "").replace("raise the fuel limit", "raise --fuel"));
    }
    throw error;
  }
}

/** The quote as one line, for `job post --reward auto` and errors: "no provider takes…" when none would. */
export function noTakersLine(quote: QuoteJobReturnType): string {
  const fuel = quote.providers.filter((p) => p.excluded === "fuel").length;
  const stake = quote.providers.filter((p) => p.excluded === "stake").length;
  if (quote.providers.length === 0)
    return "no registered provider with free stake has published a profile (price per fuel, max fuel): no price to quote";
  return `no registered provider takes this job at fuel limit ${quote.fuelLimit} (${fuel} have a lower max fuel, ${stake} too little free stake for the collateral)`;
}

function quoteJson(quote: QuoteJobReturnType) {
  return {
    fuelUsed: quote.fuelUsed,
    status: STATUS_NAMES[quote.status],
    resultHash: quote.resultHash,
    fuelLimit: quote.fuelLimit,
    minReward: quote.minReward,
    suggestedReward: quote.suggestedReward ?? null,
    weightedBy: quote.weightedBy,
    providersAtSuggested: quote.providersAtSuggested,
    levels: quote.levels,
    providers: quote.providers.map((p) => ({ ...p, excluded: p.excluded ?? null })),
  };
}

function printQuote(quote: QuoteJobReturnType, token: TokenInfo, given: boolean) {
  printLine(
    formatFields([
      ["fuel used", `${quote.fuelUsed} (${STATUS_NAMES[quote.status]})`],
      ["fuel limit", `${quote.fuelLimit}${given ? "" : " (measured + margin)"}`],
      ["market minimum", formatAmount(quote.minReward, token)],
      ["providers", `${quote.providers.length} with a published profile and free stake`],
    ]),
  );
  if (quote.providers.length > 0) {
    printLine();
    printLine(
      formatTable(
        ["provider", "price per fuel", "max fuel", "free stake", "floor for this job", "score", "takes it"],
        quote.providers.map((p) => [
          p.provider,
          p.pricePerFuel.toString(),
          p.maxFuel.toString(),
          formatAmount(p.free, token),
          formatAmount(p.floor, token),
          String(p.score),
          p.excluded === "fuel" ? "no: fuel above its max" : p.excluded === "stake" ? "no: too little free stake" : "yes",
        ]),
      ),
    );
  }
  if (quote.levels.length > 0) {
    printLine();
    printLine(
      formatTable(
        ["reward", "providers taking it"],
        quote.levels.map((l) => [formatAmount(l.reward, token), String(l.providers)]),
      ),
    );
  }
  printLine();
  if (quote.suggestedReward === undefined) printLine(noTakersLine(quote));
  else {
    printLine(
      `suggested reward ${formatAmount(quote.suggestedReward, token)} (${quote.providersAtSuggested} of ${quote.providers.length} providers take it; set by ${quote.weightedBy === "fees" ? "fees paid" : "free stake"})`,
    );
    printLine(`Next: hashwork job post … --fuel ${quote.fuelLimit} --reward auto`);
  }
}

/** The collateral option as `job post` parses it. */
export function collateralOf(options: OptionValues): number {
  return Number(parseInteger(stringOption(options.collateral) ?? String(DEFAULT_COLLATERAL_PCT), "--collateral", { max: 65535n }));
}

/** `hashwork job quote PROGRAM --input FILE` */
export const jobQuote: Command = {
  path: ["job", "quote"],
  summary: "Run a program locally to measure its fuel and show which providers would take it at which reward",
  args: [{ name: "PROGRAM", description: "the WebAssembly program (ABI v1, or v2: WASI)" }],
  options: {
    input: {
      type: "string",
      placeholder: "FILE",
      description: "ABI v1: the program's input bytes (required); v2: its stdin (default empty)",
    },
    ...bundleOptions,
    fuel: { type: "string", placeholder: "N", description: "the job's fuel limit (default: the fuel the run used plus --margin)" },
    margin: { type: "string", placeholder: "PCT", description: "head room over the measured fuel, in percent (default 10)" },
    collateral: {
      type: "string",
      placeholder: "PCT",
      description: `collateral the job will ask, in % of the reward: providers need that much free stake (default ${DEFAULT_COLLATERAL_PCT})`,
    },
    ...indexerOption,
    ...connectionOptions,
    ...jsonOption,
  },
  notes: `Examples:
  hashwork job quote build/programs/montecarlo.wasm --input seed.bin
  hashwork job quote wc.wasm --arg data/words.txt --file data/words.txt --json
The program runs once with the real executor (the fuel it burns is the same on every provider). Each
provider's floor is its published price per fuel times the fuel limit; a provider takes the job when the
fuel limit is within its max fuel, the reward is at least its floor and its free stake covers the
collateral. The suggested reward is the least one that providers holding at least half of those
providers' protocol fees paid on completed jobs and at least half of their free stake take, so cheap
fake providers cannot drag it down. With --indexer (or HASHWORK_INDEXER) the
offers come from the indexer instead of the chain.
\`hashwork job post --reward auto\` posts at the suggested reward.`,
  async run(options, args) {
    const json = options.json === true;
    const fuelLimit =
      options.fuel === undefined ? undefined : parseInteger(stringOption(options.fuel), "--fuel", { min: 1n, max: MAX_FUEL_LIMIT });
    const marginPct =
      options.margin === undefined ? undefined : Number(parseInteger(stringOption(options.margin), "--margin", { max: 1000n }));
    const collateralPct = collateralOf(options);
    const files = await readJobFiles(String(args.PROGRAM), options, "job quote");
    const connection = await connect(options);
    const token = await connection.token();
    const quote = await runQuote(connection, files, { fuelLimit, collateralPct, marginPct, json, indexer: parseIndexer(options) });
    if (json) printJson(quoteJson(quote));
    else printQuote(quote, token, fuelLimit !== undefined);
    return 0;
  },
};
