/**
 * What the Hashwork tasks share: the network connection (`getOrCreate`, so tasks run in one
 * Hardhat process — a script, a test — share one chain, also the in-process one), viem clients
 * for its accounts, and where the deployment is found.
 */
import { join } from "node:path";

import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { Address } from "viem";

import {
  DeploymentNotFoundError,
  getDeployment,
  type HashworkBaseClient,
  type HashworkDeployment,
  HashworkError,
  type HashworkPublicClient,
  type HashworkWalletClient,
  loadIgnitionDeployment,
} from "../sdk/src/index.ts";
import { describeError } from "../sdk/src/cli/hashwork.ts";
import { HASHWORK_MODULE_ID } from "../scripts/lib/ignition.ts";

/**
 * A task action whose failures Hardhat prints as one plugin error line (a `HardhatPluginError`,
 * the underlying error kept as its cause) instead of an "unexpected error" with a stack.
 */
export function withOneLineErrors<A extends unknown[], R>(action: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await action(...args);
    } catch (error) {
      if (HardhatPluginError.isHardhatPluginError(error)) throw error;
      const details = error instanceof HashworkError && error.details ? ` ${error.details}` : "";
      throw new HardhatPluginError("hashwork", `${describeError(error)}.${details}`, error instanceof Error ? error : undefined);
    }
  };
}

/** Deployments made by `hashwork:deploy` in this process, by connection (in-process chains leave no files). */
const deployedHere = new WeakMap<object, HashworkDeployment>();

export function rememberDeployment(connection: NetworkConnection, deployment: HashworkDeployment): void {
  deployedHere.set(connection, deployment);
}

/** The connection every Hashwork task uses: one per network for the whole process. */
export function taskConnection(hre: HardhatRuntimeEnvironment): Promise<NetworkConnection> {
  return hre.network.getOrCreate();
}

/** Whether the connection is Hardhat's in-process chain (nothing is written to disk for it). */
export function isSimulated(connection: NetworkConnection): boolean {
  return connection.networkConfig.type === "edr-simulated";
}

/** `ignition/deployments/` of the project. */
export function deploymentsDir(hre: HardhatRuntimeEnvironment): string {
  return join(hre.config.paths.ignition, "deployments");
}

/**
 * The deployment to act on: the one in `ignition/deployments/<deploymentId>` when an id is given;
 * else the one `hashwork:deploy` made on this connection; else `ignition/deployments/chain-<id>`;
 * else the SDK's registry entry for the chain. Throws when none has code at its market address.
 */
export async function resolveDeployment(
  hre: HardhatRuntimeEnvironment,
  connection: NetworkConnection,
  { deploymentId }: { deploymentId?: string | undefined } = {},
): Promise<HashworkDeployment> {
  const publicClient = await connection.viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const candidates: (() => Promise<HashworkDeployment> | HashworkDeployment | undefined)[] = deploymentId
    ? [() => loadIgnitionDeployment({ chainId, deploymentsDir: deploymentsDir(hre), deploymentId, moduleId: HASHWORK_MODULE_ID })]
    : [
        () => deployedHere.get(connection),
        () => loadIgnitionDeployment({ chainId, deploymentsDir: deploymentsDir(hre), moduleId: HASHWORK_MODULE_ID }),
        () => getDeployment(chainId),
      ];
  for (const candidate of candidates) {
    let deployment: HashworkDeployment | undefined;
    try {
      deployment = await candidate();
    } catch (error) {
      if (error instanceof DeploymentNotFoundError) continue;
      throw error;
    }
    if (deployment && (await publicClient.getCode({ address: deployment.market })) !== undefined) return deployment;
  }
  throw new DeploymentNotFoundError({
    chainId,
    details: `No Hashwork market with code on network "${connection.networkName}"${deploymentId ? ` (deployment id ${deploymentId})` : ""}. Run \`hardhat hashwork:deploy --network ${connection.networkName}\` first.`,
  });
}

export type TaskClients = {
  publicClient: HashworkPublicClient;
  /** The connection's accounts, in order (`eth_accounts` or the configured keys). */
  accounts: Address[];
  /** A Hashwork client signing as account `index`. */
  clientFor(index: number): HashworkBaseClient & { walletClient: HashworkWalletClient };
};

/** viem clients (from hardhat-viem) for the connection's accounts, bound to `deployment`. */
export async function taskClients(connection: NetworkConnection, deployment: HashworkDeployment): Promise<TaskClients> {
  const publicClient = (await connection.viem.getPublicClient()) as unknown as HashworkPublicClient;
  const wallets = (await connection.viem.getWalletClients()) as unknown as HashworkWalletClient[];
  return {
    publicClient,
    accounts: wallets.map((w) => w.account!.address),
    clientFor(index) {
      const walletClient = wallets[index];
      if (!walletClient) throw new Error(`network "${connection.networkName}" has no account #${index} (it has ${wallets.length})`);
      return { publicClient, walletClient, deployment };
    },
  };
}

/** Parses a decimal token amount ("1.5") into base units (18 decimals). */
export function parseTokens(value: string, option: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,18}))?$/.exec(value.trim());
  if (!match) throw new Error(`--${option} must be a decimal token amount, got "${value}"`);
  return BigInt(match[1]!) * 10n ** 18n + BigInt((match[2] ?? "").padEnd(18, "0"));
}

/** Parses a non-negative integer option. */
export function parseCount(value: string, option: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`--${option} must be a non-negative integer, got "${value}"`);
  return Number(value);
}
