/**
 * The indexer's settings, from the environment (Ponder loads `ponder.config.ts` once at start, so
 * a bad value stops it with one line naming the variable). Addresses come from a deployment file
 * (`HASHWORK_DEPLOYMENT`, the JSON `hashwork deploy` and the test kit write) or, without one, the
 * SDK's known deployment for the chain id.
 */
import { readFileSync } from "node:fs";

import { getAddress, isAddress, zeroAddress, type Address } from "viem";

import { hashworkDeployments } from "../../sdk/src/deployments.ts";

export type IndexerSettings = {
  rpcUrl: string;
  chainId: number;
  market: Address;
  token: Address;
  disputes: Address;
  verifierPool: Address;
  /** Zero when the deployment has no timelock (its contract then matches no logs). */
  timelock: Address;
  governor: Address;
  fromBlock: number;
  /** Blocks a block must be buried under before it is indexed (the daemon's `confirmations`). */
  confirmations: number;
  pollingIntervalMs: number;
  /**
   * JSON-RPC requests per second Ponder starts at (`maxRequestsPerSecond`, honoured by
   * `patches/ponder+0.16.10+001+rpc-rate.patch`); undefined keeps Ponder's own start of 20, which it raises
   * by 5 % at a time. 500 (Ponder's ceiling) for a node on loopback, which is never rate-limited.
   */
  rpcRequestsPerSecond: number | undefined;
};

function fail(message: string): never {
  throw new Error(`indexer: ${message}`);
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    fail(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return value;
}

function address(what: string, value: unknown, optional = false): Address {
  if (optional && (value === undefined || value === null)) return zeroAddress;
  if (typeof value !== "string" || !isAddress(value)) fail(`${what} must be an address (got ${JSON.stringify(value)})`);
  return getAddress(value);
}

function deploymentFor(chainId: number): Record<string, unknown> {
  const file = process.env.HASHWORK_DEPLOYMENT;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      fail(`cannot read HASHWORK_DEPLOYMENT ${file}: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null) fail(`HASHWORK_DEPLOYMENT ${file} must hold a JSON object`);
    return parsed as Record<string, unknown>;
  }
  const known = hashworkDeployments[chainId];
  if (!known) fail(`no known deployment on chain ${chainId}: set HASHWORK_DEPLOYMENT to a deployment JSON file`);
  return known as unknown as Record<string, unknown>;
}

/** Whether the node is on this machine (a local node answers as fast as it is asked). */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

export function readSettings(): IndexerSettings {
  const rpcUrl = process.env.HASHWORK_RPC_URL || "http://127.0.0.1:8545";
  if (!/^https?:\/\//.test(rpcUrl)) fail(`HASHWORK_RPC_URL must be an http(s) URL (got ${JSON.stringify(rpcUrl)})`);
  const chainId = integer("HASHWORK_CHAIN_ID", 31337, 1, Number.MAX_SAFE_INTEGER);
  const d = deploymentFor(chainId);
  if (d.chainId !== undefined && Number(d.chainId) !== chainId)
    fail(`the deployment is for chain ${d.chainId}, HASHWORK_CHAIN_ID is ${chainId}`);
  const fromBlock = d.fromBlock === undefined ? 0 : Number(d.fromBlock);
  if (!Number.isSafeInteger(fromBlock) || fromBlock < 0)
    fail(`deployment fromBlock must be a block number (got ${JSON.stringify(d.fromBlock)})`);
  return {
    rpcUrl,
    chainId,
    market: address("deployment market", d.market),
    token: address("deployment token", d.token),
    disputes: address("deployment disputes", d.disputes),
    verifierPool: address("deployment verifierPool", d.verifierPool),
    timelock: address("deployment timelock", d.timelock, true),
    governor: address("deployment governor", d.governor, true),
    fromBlock,
    confirmations: integer("HASHWORK_CONFIRMATIONS", 2, 0, 1000),
    pollingIntervalMs: integer("HASHWORK_POLL_MS", 1000, 50, 60_000),
    rpcRequestsPerSecond: process.env.HASHWORK_RPC_RPS || isLoopback(rpcUrl) ? integer("HASHWORK_RPC_RPS", 500, 1, 500) : undefined,
  };
}
