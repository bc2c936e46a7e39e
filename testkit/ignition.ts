/**
 * Deploying an Ignition module from code with `@nomicfoundation/ignition-core`'s `deploy()`, the
 * engine behind `hardhat ignition deploy`, against any EIP-1193 provider: a spawned node
 * (`deploySystem`, the demo) or a Hardhat connection. With a `deploymentDir` Ignition keeps its
 * journal and `deployed_addresses.json` there (and resumes from them); without one the deployment
 * is in memory only. Contracts come from Hardhat's artifacts (`hre.artifacts`).
 */
import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import {
  deploy,
  DeploymentResultType,
  type DeployConfig,
  type DeploymentParameters,
  type EIP1193Provider,
  type IgnitionModule,
  type IgnitionModuleResult,
} from "@nomicfoundation/ignition-core";
import type { ArtifactManager } from "hardhat/types/artifacts";
import { getAddress, type Address } from "viem";

export type DeployModuleParameters = {
  /** Hardhat's artifacts (`hre.artifacts`). */
  artifacts: ArtifactManager;
  provider: EIP1193Provider;
  module: IgnitionModule<string, string, IgnitionModuleResult<string>>;
  /** Ignition parameters (`$global` or per module id). Default: none, the modules' defaults. */
  parameters?: DeploymentParameters;
  /** Where Ignition records the deployment; its last segment is the deployment id. Default: in memory. */
  deploymentDir?: string;
  config?: Partial<DeployConfig>;
};

/**
 * Deploys `module` from the provider's first account and returns the address of each contract
 * the module returns, by result name (`{ market, disputes, … }`).
 *
 * @example
 * const { market } = await deployModule({ artifacts: hre.artifacts, provider, module: HashworkLocal })
 */
export async function deployModule({
  artifacts,
  provider,
  module,
  parameters = {},
  deploymentDir,
  config,
}: DeployModuleParameters): Promise<Record<string, Address>> {
  const accounts = (await provider.request({ method: "eth_accounts" })) as string[];
  const result = await deploy({
    artifactResolver: new HardhatArtifactResolver(artifacts),
    provider,
    deploymentDir,
    ignitionModule: module,
    deploymentParameters: parameters,
    accounts,
    config,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new Error(
      `Ignition deployment of ${module.id} failed (${result.type}): ${JSON.stringify(result, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`,
    );
  }
  return Object.fromEntries(
    Object.entries(module.results).map(([name, future]) => [name, getAddress(result.contracts[future.id]!.address)]),
  );
}
