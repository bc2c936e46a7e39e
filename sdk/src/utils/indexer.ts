/**
 * Reading history from a Hashwork indexer (`npm run indexer`, `indexer/`) instead of scanning
 * logs: the auditor actions that list jobs, disputes and a job's events ask it first when they
 * are given its URL, and fall back to `eth_getLogs` when it cannot answer for the block asked
 * (unreachable, indexing another market, or not that far yet). Its JSON carries bigints as
 * decimal strings; `reviveEventArgs` turns an event's stored arguments back into what viem
 * decodes, so both sources give the same shapes.
 */
import { getAddress, type Abi, type AbiParameter, type Address } from "viem";

import type { HashworkBaseClient } from "./client.ts";

/** Where the indexer is, and who hears about a fallback to logs. */
export type IndexerOption = {
  /** The indexer's base URL, e.g. `http://127.0.0.1:42069`. */
  url: string;
  /** Called with the reason whenever the indexer could not answer and logs were scanned instead. */
  onFallback?: ((reason: string) => void) | undefined;
};

/** Why the indexer could not answer a read (the caller scans logs instead). */
export class IndexerUnavailableError extends Error {
  override name = "IndexerUnavailableError";
}

/** How long one request to the indexer may take before the read falls back to logs. */
const TIMEOUT_MS = 10_000;

/** GET `path` from the indexer and parse its JSON, or throw `IndexerUnavailableError` with one line. */
export async function indexerGet<T>(indexer: IndexerOption, path: string): Promise<T> {
  return indexerRequest<T>(indexer, path);
}

/** POST a GraphQL query to the indexer (`/graphql`) and return its `data`, or throw `IndexerUnavailableError`. */
export async function indexerGraphql<T>(indexer: IndexerOption, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = JSON.stringify({ query, variables });
  const answer = await indexerRequest<{ data?: T; errors?: { message: string }[] }>(indexer, "/graphql", body);
  if (answer.errors?.length || !answer.data) {
    throw new IndexerUnavailableError(`indexer /graphql: ${answer.errors?.[0]?.message ?? "no data"}`);
  }
  return answer.data;
}

async function indexerRequest<T>(indexer: IndexerOption, path: string, body?: string): Promise<T> {
  const url = `${indexer.url.replace(/\/+$/, "")}${path}`;
  let response: Response;
  try {
    const post = body === undefined ? {} : { method: "POST", body, headers: { "content-type": "application/json" } };
    response = await fetch(url, { ...post, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new IndexerUnavailableError(`indexer ${indexer.url} unreachable (${(error as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) throw new IndexerUnavailableError(`indexer ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new IndexerUnavailableError(`indexer ${path}: not JSON`);
  }
}

/**
 * The block the indexer has indexed up to, after checking it indexes this client's market on this
 * chain (`/api/deployment`); throws `IndexerUnavailableError` otherwise.
 */
export async function indexedBlock(client: HashworkBaseClient, indexer: IndexerOption): Promise<bigint> {
  const deployment = await indexerGet<{ chainId: number; market: string }>(indexer, "/api/deployment");
  if (deployment.chainId !== client.deployment.chainId || getAddress(deployment.market) !== getAddress(client.deployment.market)) {
    throw new IndexerUnavailableError(
      `indexer ${indexer.url} indexes market ${deployment.market} on chain ${deployment.chainId}, not ${client.deployment.market} on ${client.deployment.chainId}`,
    );
  }
  const status = await indexerGet<Record<string, { block?: { number: number } }>>(indexer, "/status");
  const block = Object.values(status)[0]?.block?.number;
  if (block === undefined) throw new IndexerUnavailableError(`indexer ${indexer.url} has indexed no block yet`);
  return BigInt(block);
}

/**
 * Runs `fromIndexer` when an indexer is configured (the parameter's, else the client's), else or
 * on `IndexerUnavailableError` runs `fromLogs`, telling `onFallback` why.
 */
export async function withIndexer<T>(
  client: HashworkBaseClient,
  indexer: IndexerOption | undefined,
  fromIndexer: (indexer: IndexerOption) => Promise<T>,
  fromLogs: () => Promise<T>,
): Promise<T> {
  const chosen = indexer ?? client.indexer;
  if (!chosen) return fromLogs();
  try {
    return await fromIndexer(chosen);
  } catch (error) {
    if (!(error instanceof IndexerUnavailableError)) throw error;
    chosen.onFallback?.(error.message);
    return fromLogs();
  }
}

/**
 * Every page of a list route, oldest first (`order=asc`, so rows indexed meanwhile only append),
 * checking the indexer stayed at `block` throughout (else its answer would mix two blocks).
 */
export async function indexerPages<T>(
  client: HashworkBaseClient,
  indexer: IndexerOption,
  path: string,
  block: bigint,
  rowsOf: (page: unknown) => T[],
): Promise<T[]> {
  const rows: T[] = [];
  const pageSize = 1000;
  for (let offset = 0; ; offset += pageSize) {
    const page = rowsOf(await indexerGet(indexer, `${path}${path.includes("?") ? "&" : "?"}order=asc&limit=${pageSize}&offset=${offset}`));
    rows.push(...page);
    if (page.length < pageSize) break;
  }
  const after = await indexedBlock(client, indexer);
  if (after !== block) throw new IndexerUnavailableError(`indexer moved from block ${block} to ${after} while listing`);
  return rows;
}

/** Decimal strings back to bigints (or numbers, for integers of 48 bits or fewer, as viem decodes them). */
function revive(parameter: AbiParameter, value: unknown): unknown {
  const type = parameter.type;
  const array = /^(.*)\[\d*\]$/.exec(type);
  if (array) {
    const element = { ...parameter, type: array[1]! } as AbiParameter;
    return (value as unknown[]).map((v) => revive(element, v));
  }
  if (type === "tuple") {
    const components = (parameter as { components: readonly AbiParameter[] }).components;
    const object = value as Record<string, unknown>;
    return Object.fromEntries(components.map((c, i) => [c.name ?? String(i), revive(c, object[c.name ?? String(i)])]));
  }
  const int = /^u?int(\d*)$/.exec(type);
  if (int) return Number(int[1] || 256) > 48 ? BigInt(value as string) : Number(value);
  if (type === "address") return getAddress(value as string);
  return value;
}

/** An event's arguments as the indexer stored them, back in viem's decoded shapes. */
export function reviveEventArgs(abi: Abi, eventName: string, args: Record<string, unknown>): Record<string, unknown> {
  const event = abi.find((item) => item.type === "event" && item.name === eventName);
  if (event?.type !== "event") throw new IndexerUnavailableError(`indexer: unknown event ${eventName}`);
  return Object.fromEntries(
    event.inputs.flatMap((input, i) => {
      const name = input.name ?? String(i);
      return name in args ? [[name, revive(input, args[name])]] : [];
    }),
  );
}

/** An address from the indexer's lower-case hex, checksummed like viem's. */
export const checksummed = (address: string): Address => getAddress(address);
