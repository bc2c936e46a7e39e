/**
 * `--indexer URL` of the `audit` commands: read job and dispute history from a Hashwork indexer
 * (`npm run indexer`) instead of scanning logs. When it cannot answer, the command says why on
 * stderr and scans logs as before, so the output is the same either way.
 */
import { indexedBlock, IndexerUnavailableError, type IndexerOption } from "../utils/indexer.ts";
import type { HashworkBaseClient } from "../utils/client.ts";
import { UsageError, type OptionValues } from "./args.ts";
import { sanitizeForTerminal } from "./output.ts";
import { stringOption } from "./values.ts";

export const indexerOption = {
  indexer: {
    type: "string",
    placeholder: "URL",
    description: "read history from this Hashwork indexer (default: HASHWORK_INDEXER), falling back to logs",
  },
} as const;

/** The indexer the options name (`--indexer`, else `HASHWORK_INDEXER`), with a stderr note on every fallback. */
export function parseIndexer(options: OptionValues): IndexerOption | undefined {
  const url = stringOption(options.indexer) ?? process.env.HASHWORK_INDEXER;
  if (url === undefined || url === "") return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--indexer must be an http(s) URL, got "${url}"`);
  }
  return {
    url,
    onFallback: (reason) => process.stderr.write(`${sanitizeForTerminal(reason)}; scanning logs instead\n`),
  };
}

/** The indexer's block, to pin every read of a command to (undefined, after a note, when it cannot answer). */
export async function indexerBlock(client: HashworkBaseClient, indexer: IndexerOption | undefined): Promise<bigint | undefined> {
  if (!indexer) return undefined;
  try {
    return await indexedBlock(client, indexer);
  } catch (error) {
    if (!(error instanceof IndexerUnavailableError)) throw error;
    indexer.onFallback?.(error.message);
    return undefined;
  }
}
