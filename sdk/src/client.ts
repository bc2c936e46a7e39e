import { auditorActions, type AuditorActions } from "./actions/decorators/auditor.ts";
import { keeperActions, type KeeperActions } from "./actions/decorators/keeper.ts";
import { providerActions, type ProviderActions } from "./actions/decorators/provider.ts";
import { requesterActions, type RequesterActions } from "./actions/decorators/requester.ts";
import { verifierActions, type VerifierActions } from "./actions/decorators/verifier.ts";
import { getDeployment, type HashworkDeployment } from "./deployments.ts";
import { InvalidParameterError } from "./errors/sdk.ts";
import type { IndexerOption } from "./utils/indexer.ts";
import { assertDeploymentChain, type HashworkBaseClient, type HashworkPublicClient, type HashworkWalletClient } from "./utils/client.ts";

export type CreateHashworkClientParameters = {
  /** Reads, simulations, receipts and logs. */
  publicClient: HashworkPublicClient;
  /** Signs and sends; without it only read actions work (writes throw `MissingWalletClientError`). */
  walletClient?: HashworkWalletClient | undefined;
  /**
   * The contracts to talk to. Default: `hashworkDeployments[publicClient.chain.id]`. Pass one
   * from `defineDeployment` or `loadIgnitionDeployment` for your own market.
   */
  deployment?: HashworkDeployment | undefined;
  /** Largest block span per `eth_getLogs` request (for RPC providers that cap it). */
  maxLogBlockRange?: bigint | undefined;
  /** A Hashwork indexer the auditor actions read history from, falling back to logs. */
  indexer?: IndexerOption | undefined;
};

export type HashworkClient = HashworkBaseClient &
  RequesterActions &
  ProviderActions &
  AuditorActions &
  VerifierActions &
  KeeperActions & {
    /** Adds more actions bound to this client (viem-style). */
    extend: <const actions extends Record<string, unknown>>(decorator: (client: HashworkBaseClient) => actions) => HashworkClient & actions;
  };

/**
 * A Hashwork client: viem clients plus a deployment, decorated with every action bound to them.
 * It is a thin layer — each method calls the action of the same name (`postJob(client, …)`),
 * which can also be imported and called directly so unused actions tree-shake away.
 *
 * @example
 * const client = createHashworkClient({
 *   publicClient: createPublicClient({ chain: hardhat, transport: http() }),
 *   walletClient: createWalletClient({ account, chain: hardhat, transport: http() }),
 *   deployment: await loadIgnitionDeployment({ chainId: 31337 }),
 * })
 * const { jobId } = await client.postJob({ programHash, inputHash, fuelLimit, reward, executionTime: 600, challengeWindow: 600 })
 * const { result } = await client.waitForResult({ jobId })
 */
export function createHashworkClient(parameters: CreateHashworkClientParameters): HashworkClient {
  let deployment = parameters.deployment;
  if (!deployment) {
    const chainId = parameters.publicClient.chain?.id;
    if (chainId === undefined) {
      throw new InvalidParameterError({
        parameter: "deployment",
        reason: "required when the public client has no chain to look a deployment up by",
      });
    }
    deployment = getDeployment(chainId);
  }
  const base: HashworkBaseClient = {
    publicClient: parameters.publicClient,
    walletClient: parameters.walletClient,
    deployment,
    maxLogBlockRange: parameters.maxLogBlockRange,
    indexer: parameters.indexer,
  };
  assertDeploymentChain(base);
  return decorate(base, {
    ...requesterActions(base),
    ...providerActions(base),
    ...auditorActions(base),
    ...verifierActions(base),
    ...keeperActions(base),
  });
}

function decorate<T extends Record<string, unknown>>(base: HashworkBaseClient, actions: T) {
  const client = { ...base, ...actions } as HashworkBaseClient & T;
  const extend = <const more extends Record<string, unknown>>(decorator: (c: HashworkBaseClient) => more) =>
    decorate(base, { ...actions, ...decorator(base) });
  return Object.assign(client, { extend }) as unknown as HashworkClient;
}
