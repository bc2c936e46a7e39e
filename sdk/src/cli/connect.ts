/**
 * Connection options every chain command shares, and the Hashwork client they build:
 * `--rpc URL` (default `HASHWORK_RPC`, else http://127.0.0.1:8545); the market from `--market
 * ADDR`, else `--deployment DIR` (an Ignition deployment folder), else `HASHWORK_MARKET`, else
 * `HASHWORK_DEPLOYMENT`, else the SDK's known deployment for the chain id, else
 * `ignition/deployments/chain-<id>` under the working directory. A profile (./profiles.ts) fills
 * in whichever of those environment variables are unset.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

import { createPublicClient, createWalletClient, defineChain, http, isAddress, type Address } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { createHashworkClient, type HashworkClient } from "../client.ts";
import { defineDeployment, hashworkDeployments, loadIgnitionDeployment, type HashworkDeployment } from "../deployments.ts";
import type { HashworkPublicClient, HashworkWalletClient } from "../utils/client.ts";
import { getTokenAddress } from "../utils/token.ts";
import { UsageError, type OptionValues } from "./args.ts";
import { CliError } from "./errors.ts";
import { keyOptions, loadAccount } from "./keys.ts";
import { parseAmount, stringOption } from "./values.ts";

export const DEFAULT_RPC = "http://127.0.0.1:8545";

export const connectionOptions = {
  rpc: { type: "string", placeholder: "URL", description: `JSON-RPC endpoint (default: HASHWORK_RPC or ${DEFAULT_RPC})` },
  market: {
    type: "string",
    placeholder: "ADDR",
    description: "market address (default: HASHWORK_MARKET, else the known deployment for the chain)",
  },
  deployment: {
    type: "string",
    placeholder: "DIR",
    description: "Ignition deployment folder to read addresses from (ignition/deployments/chain-<id>)",
  },
} as const;

export const jsonOption = {
  json: { type: "boolean", description: "print one JSON document to stdout (amounts in base units, as strings)" },
} as const;

/** Options of a command that signs transactions. */
export const writeOptions = { ...connectionOptions, ...keyOptions } as const;

/** The token the market settles in, for formatting amounts. */
export type TokenInfo = { address: Address; decimals: number; symbol: string };

export type Connection = {
  client: HashworkClient;
  chainId: number;
  /** The signer, for write commands. */
  account?: Address;
  token(): Promise<TokenInfo>;
};

function rpcUrl(options: OptionValues): string {
  const url = (typeof options.rpc === "string" ? options.rpc : undefined) ?? process.env.HASHWORK_RPC ?? DEFAULT_RPC;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--rpc must be an http(s) URL, got "${url}"`);
  }
  return url;
}

function ignitionFolder(folder: string, source: string, chainId: number): Promise<HashworkDeployment> {
  const dir = resolve(folder);
  if (!existsSync(join(dir, "deployed_addresses.json"))) throw new UsageError(`${source}: no deployed_addresses.json in ${dir}`);
  return loadIgnitionDeployment({ chainId, deploymentsDir: dirname(dir), deploymentId: basename(dir) });
}

async function resolveDeployment(options: OptionValues, chainId: number): Promise<HashworkDeployment> {
  // Options first, then the environment (HASHWORK_DEPLOYMENT is also where a profile's folder lands).
  const flag = typeof options.market === "string" ? options.market : undefined;
  const market = flag ?? (typeof options.deployment === "string" ? undefined : process.env.HASHWORK_MARKET || undefined);
  if (market !== undefined) {
    if (!isAddress(market, { strict: false }))
      throw new UsageError(`${flag !== undefined ? "--market" : "HASHWORK_MARKET"} must be an address, got "${market}"`);
    return defineDeployment({ chainId, market });
  }
  if (typeof options.deployment === "string") return ignitionFolder(options.deployment, "--deployment", chainId);
  if (process.env.HASHWORK_DEPLOYMENT) return ignitionFolder(process.env.HASHWORK_DEPLOYMENT, "HASHWORK_DEPLOYMENT", chainId);
  const known = hashworkDeployments[chainId];
  if (known) return known;
  const local = join(process.cwd(), "ignition", "deployments", `chain-${chainId}`);
  if (existsSync(join(local, "deployed_addresses.json"))) return loadIgnitionDeployment({ chainId, deploymentsDir: dirname(local) });
  throw new CliError(`no Hashwork deployment known for chain ${chainId}: pass --market ADDR or --deployment DIR`);
}

/**
 * Connects to the chain and the market: checks the RPC answers and the market has code, and,
 * with `sign`, loads the key (never printed).
 */
export async function connect(options: OptionValues, { sign = false }: { sign?: boolean } = {}): Promise<Connection> {
  const url = rpcUrl(options);
  const account = sign ? await loadAccount(options) : undefined;
  const probe = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch {
    throw new CliError(`cannot reach a JSON-RPC node at ${url} (start one with \`hashwork chain\`, or pass --rpc URL)`);
  }
  const deployment = await resolveDeployment(options, chainId);
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const transport = http(url);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 }) as HashworkPublicClient;
  const code = await publicClient.getCode({ address: deployment.market });
  if (!code || code === "0x") {
    throw new CliError(
      `no market contract at ${deployment.market} on chain ${chainId} (deploy with \`hashwork deploy\`, or pass --market ADDR)`,
    );
  }
  await checkIsMarket(publicClient, deployment.market);
  const walletClient = account ? (createWalletClient({ account, chain, transport }) as HashworkWalletClient) : undefined;
  const client = createHashworkClient({ publicClient, walletClient, deployment });
  let token: Promise<TokenInfo> | undefined;
  return {
    client,
    chainId,
    account: account?.address,
    token: () =>
      (token ??= (async () => {
        const address = await getTokenAddress(client);
        const [decimals, symbol] = await Promise.all([
          publicClient.readContract({ address, abi: hashworkTokenAbi, functionName: "decimals" }),
          publicClient.readContract({ address, abi: hashworkTokenAbi, functionName: "symbol" }),
        ]);
        return { address, decimals, symbol };
      })()),
  };
}

/**
 * A market answers `token()` and `maxDisputeDuration()`; anything else at the address (the
 * token, the dispute module, an unrelated contract) gets a line saying what it is instead of an
 * empty revert reason later.
 */
async function checkIsMarket(publicClient: HashworkPublicClient, market: Address): Promise<void> {
  const isMarket = await Promise.all([
    publicClient.readContract({ address: market, abi: hashworkMarketAbi, functionName: "token" }),
    publicClient.readContract({ address: market, abi: hashworkMarketAbi, functionName: "maxDisputeDuration" }),
  ]).then(
    () => true,
    () => false,
  );
  if (isMarket) return;
  const symbol = await publicClient.readContract({ address: market, abi: hashworkTokenAbi, functionName: "symbol" }).catch(() => undefined);
  throw new UsageError(
    symbol !== undefined
      ? `${market} is an ERC20 token (${symbol}), not the Hashwork market: pass the market's address (\`hashwork deploy\` printed it)`
      : `${market} is not a Hashwork market (it has no token() or maxDisputeDuration()): pass the market's address`,
  );
}

/** The market's token balance of `who` in the market's ledger (refunds, dispute payouts). */
export function ledgerBalance(connection: Connection, who: Address): Promise<bigint> {
  return connection.client.publicClient.readContract({
    address: connection.client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "balanceOf",
    args: [who],
  });
}

/**
 * A signing connection and `--amount` in the market token's units. The amount's syntax is
 * checked first (bad usage, before anything touches the chain); the token's decimals apply after.
 */
export async function connectWithAmount(options: OptionValues): Promise<{ connection: Connection; token: TokenInfo; amount: bigint }> {
  const text = stringOption(options.amount);
  parseAmount(text, "--amount", 36);
  const connection = await connect(options, { sign: true });
  const token = await connection.token();
  return { connection, token, amount: parseAmount(text, "--amount", token.decimals) };
}
