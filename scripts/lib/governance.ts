/**
 * The governed system as every real deployment has it: `ignition/modules/Hashwork.ts` through
 * Ignition (token, market, dispute module, timelock, governor; owners handed to the timelock),
 * from a parameters file of `ignition/parameters/` with optional overrides. Used by the
 * governance tests, `measureGovernance` and the demo's governance scene.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { DeploymentParameters, EIP1193Provider } from "@nomicfoundation/ignition-core";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { HashworkDeployment } from "../../sdk/src/index.ts";
import { deployHashwork, parametersFileFor, readIgnitionParameters } from "./ignition.ts";

export type DeployGovernedParameters = {
  hre: HardhatRuntimeEnvironment;
  provider: EIP1193Provider;
  /** A network name of `ignition/parameters/` (`remote`, `localhost`, `demo`). Default: `demo`. */
  network?: string;
  /** `$global` values laid over the file's (a `guardian` address, say). */
  overrides?: NonNullable<DeploymentParameters["$global"]>;
};

export type GovernedDeployment = {
  deployment: HashworkDeployment & { timelock: `0x${string}`; governor: `0x${string}` };
  parameters: DeploymentParameters;
};

/**
 * @example
 * const { deployment } = await deployGoverned({ hre, provider: connection.provider, overrides: { guardian } })
 */
export async function deployGoverned({
  hre,
  provider,
  network = "demo",
  overrides = {},
}: DeployGovernedParameters): Promise<GovernedDeployment> {
  const raw = await readIgnitionParameters(parametersFileFor(network));
  const parameters: DeploymentParameters = { ...raw, $global: { ...(raw.$global ?? {}), ...overrides } };
  const dir = await mkdtemp(join(tmpdir(), "hashwork-governed-"));
  try {
    const deployment = await deployHashwork({ hre, provider, parameters, deploymentDir: join(dir, network) });
    if (!deployment.timelock || !deployment.governor) throw new Error("the Ignition deployment has no timelock or governor");
    return { deployment: deployment as GovernedDeployment["deployment"], parameters };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
