import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

import type { HashworkDeployment } from "../deployments.ts";
import type { IndexerOption } from "./indexer.ts";
import { ChainMismatchError, MissingAccountError, MissingWalletClientError } from "../errors/sdk.ts";

export type HashworkPublicClient = PublicClient<Transport, Chain | undefined>;
export type HashworkWalletClient = WalletClient<Transport, Chain | undefined, Account | undefined>;

/**
 * What every action takes as its first argument: viem clients and the deployment to talk to.
 * `createHashworkClient` returns this plus the actions, so a Hashwork client can be passed
 * to any action directly.
 */
export type HashworkBaseClient = {
  /** Reads, simulations, receipts and logs. */
  publicClient: HashworkPublicClient;
  /** Signs and sends; needed only by write actions. */
  walletClient?: HashworkWalletClient | undefined;
  deployment: HashworkDeployment;
  /**
   * Largest block span per `eth_getLogs` request made by the log-reading actions (job lists,
   * histories, results); longer ranges are split. Default: no limit (one request).
   */
  maxLogBlockRange?: bigint | undefined;
  /**
   * A Hashwork indexer the auditor actions read history from (job and dispute lists, job
   * histories), falling back to logs when it cannot answer (`utils/indexer.ts`). Default: none.
   */
  indexer?: IndexerOption | undefined;
};

/** An account to send from: an address (JSON-RPC account) or a viem `Account` (local signer). */
export type AccountParameter = Account | Address;

/** Optional on every write action. */
export type WriteParameters = {
  /** Who sends the transaction. Default: the wallet client's account. */
  account?: AccountParameter | undefined;
  /** Gas limit. Default: estimated. */
  gas?: bigint | undefined;
  /** EIP-1559 fee cap. Default: from the chain. */
  maxFeePerGas?: bigint | undefined;
  /** EIP-1559 priority fee. Default: from the chain. */
  maxPriorityFeePerGas?: bigint | undefined;
  /**
   * Nonce of the action's main transaction. Default: the account's next nonce. An `approve`
   * the action sends first takes the next nonce itself, so set this only with `payment: "permit"`
   * or an allowance already in place.
   */
  nonce?: number | undefined;
};

/** The wallet client and account a write action sends with, or a clear error. */
export function requireWallet(
  client: HashworkBaseClient,
  action: string,
  account?: AccountParameter,
): { walletClient: HashworkWalletClient; account: AccountParameter; address: Address } {
  const walletClient = client.walletClient;
  if (!walletClient) throw new MissingWalletClientError({ action });
  const chosen = account ?? walletClient.account;
  if (!chosen) throw new MissingAccountError({ action });
  return { walletClient, account: chosen, address: typeof chosen === "string" ? chosen : chosen.address };
}

/** Checks that the clients' chains (when they declare one) match the deployment's chain id. */
export function assertDeploymentChain(client: HashworkBaseClient): void {
  const expected = client.deployment.chainId;
  const pub = client.publicClient.chain?.id;
  if (pub !== undefined && pub !== expected) throw new ChainMismatchError({ expected, actual: pub, client: "publicClient" });
  const wallet = client.walletClient?.chain?.id;
  if (wallet !== undefined && wallet !== expected) {
    throw new ChainMismatchError({ expected, actual: wallet, client: "walletClient" });
  }
}
