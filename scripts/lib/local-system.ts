/**
 * Clients for a deployment on a local JSON-RPC node, one per Hardhat default account, in the
 * `System` shape the daemon's real-process helpers take (`writeDaemonConfig`, `waitForStates`).
 * `deploySystem` (testkit/local-cluster.ts) deploys the ungoverned `HashworkLocal` module; this
 * wraps a deployment made elsewhere (the governed `Hashwork` module, for the demo).
 */
import { createPublicClient, createWalletClient, defineChain, http } from "viem";

import { hdAccount, type System } from "../../testkit/local-cluster.ts";
import type { HashworkDeployment, HashworkPublicClient, HashworkWalletClient } from "../../sdk/src/index.ts";

/**
 * @example
 * const system = await connectLocalSystem(node.url, deployment)
 * const alice = system.clientFor(1) // Hardhat account #1 signs locally
 */
export async function connectLocalSystem(url: string, deployment: HashworkDeployment, { pollingInterval = 100 } = {}): Promise<System> {
  const transport = http(url);
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval }) as HashworkPublicClient;
  const wallets = new Map<number, HashworkWalletClient>();
  const wallet = (index: number) => {
    let w = wallets.get(index);
    if (!w) {
      w = createWalletClient({ account: hdAccount(index), chain, transport }) as HashworkWalletClient;
      wallets.set(index, w);
    }
    return w;
  };
  return {
    url,
    chainId,
    publicClient,
    deployment,
    clientFor: (index) => ({ publicClient, walletClient: wallet(index), deployment }),
  };
}
