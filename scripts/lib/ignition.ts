/**
 * Deploying the whole system through the Ignition module (`ignition/modules/Hashwork.ts`) from a
 * script or task that runs inside Hardhat (`hardhat run`, a task, a mocha test): the same module,
 * parameters file format and journal as `npm run deploy`, but into a deployment folder the caller
 * chooses (a temporary one for the demo), against any EIP-1193 provider.
 */
import { basename, dirname, resolve } from "node:path";

import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import type { DeploymentParameters, EIP1193Provider } from "@nomicfoundation/ignition-core";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import HashworkModule from "../../ignition/modules/Hashwork.ts";
import { deployModule } from "../../testkit/ignition.ts";
import { type HashworkDeployment, loadIgnitionDeployment } from "../../sdk/src/index.ts";

/** The module id of `ignition/modules/Hashwork.ts` (futures are `Hashwork#<Contract>`). */
export const HASHWORK_MODULE_ID = "Hashwork";

/** `ignition/parameters/` in this repository. */
export const IGNITION_PARAMETERS_DIR = resolve(import.meta.dirname, "../../ignition/parameters");

/** The parameters file of a network: `ignition/parameters/<network>.json`. */
export function parametersFileFor(network: string): string {
  return resolve(IGNITION_PARAMETERS_DIR, `${network}.json`);
}

/**
 * Reads an Ignition parameters file exactly as `hardhat ignition deploy --parameters` does
 * (JSON5; `"123n"` strings become bigints).
 */
export function readIgnitionParameters(file: string): Promise<DeploymentParameters> {
  return readDeploymentParameters(resolve(file)) as Promise<DeploymentParameters>;
}

/**
 * The value a module parameter takes under `parameters`: the module's own entry, else `$global`,
 * else `fallback` (the module's default).
 */
export function parameterValue<T>(parameters: DeploymentParameters, moduleId: string, name: string, fallback: T): T {
  const own = parameters[moduleId]?.[name];
  if (own !== undefined) return own as T;
  const global = parameters.$global?.[name];
  return global === undefined ? fallback : (global as T);
}

export type DeployHashworkParameters = {
  hre: HardhatRuntimeEnvironment;
  provider: EIP1193Provider;
  /** Ignition parameters (see `readIgnitionParameters`). Default: none (the module's defaults). */
  parameters?: DeploymentParameters;
  /** Where Ignition keeps the journal and `deployed_addresses.json`; its last segment is the deployment id. */
  deploymentDir: string;
};

/**
 * Deploys `ignition/modules/Hashwork.ts` (token, market, dispute module, `setDisputeModule`)
 * from the provider's first account and returns the deployment as the SDK reads it back from
 * Ignition's files (`loadIgnitionDeployment`, including `fromBlock`).
 *
 * @example
 * const connection = await hre.network.create({ network: "localhost", override: { url } })
 * const deployment = await deployHashwork({ hre, provider: connection.provider, deploymentDir: join(tmp, "demo") })
 */
export async function deployHashwork({
  hre,
  provider,
  parameters = {},
  deploymentDir,
}: DeployHashworkParameters): Promise<HashworkDeployment> {
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  await deployModule({ artifacts: hre.artifacts, provider, module: HashworkModule, parameters, deploymentDir });
  return loadIgnitionDeployment({
    chainId,
    deploymentsDir: dirname(deploymentDir),
    deploymentId: basename(deploymentDir),
    moduleId: HASHWORK_MODULE_ID,
  });
}
