// `hardhat hashwork:deploy [--parameters FILE] [--deployment-id ID]`: token + market + dispute
// module through the Ignition module, with the network's parameters file by default.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";

import { type HashworkDeployment, loadIgnitionDeployment } from "../sdk/src/index.ts";
import { hashworkDisputesAbi } from "../sdk/src/abi/index.ts";
import { HASHWORK_MODULE_ID, deployHashwork, parametersFileFor, readIgnitionParameters } from "../scripts/lib/ignition.ts";
import { deploymentsDir, isSimulated, rememberDeployment, taskConnection, withOneLineErrors } from "./lib.ts";

export type DeployTaskArguments = { parameters: string; deploymentId: string };

export type DeployTaskResult = {
  deployment: HashworkDeployment;
  /** The parameters file used, if any. */
  parametersFile?: string;
  /** Where Ignition keeps the journal and addresses; none for the in-process network. */
  deploymentDir?: string;
};

export default withOneLineErrors(async function deployTask(
  { parameters, deploymentId }: DeployTaskArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<DeployTaskResult> {
  const connection = await taskConnection(hre);
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  if (chainId !== 31337 && process.env.HARDHAT_IGNITION_CONFIRM_DEPLOYMENT === undefined) {
    throw new Error(
      `hashwork:deploy is for local chains; chain ${chainId} is not one. For a real network use ` +
        `\`npm run deploy -- --network ${connection.networkName} --parameters ignition/parameters/${connection.networkName}.json\` ` +
        "(it asks for confirmation), or set HARDHAT_IGNITION_CONFIRM_DEPLOYMENT=1.",
    );
  }
  const fallback = parametersFileFor(connection.networkName);
  const parametersFile = parameters !== "" ? parameters : existsSync(fallback) ? fallback : undefined;
  const id = deploymentId !== "" ? deploymentId : `chain-${chainId}`;
  // Like `ignition deploy`, nothing is kept for the in-process network (its chain ends with the
  // process): its journal goes to a temporary folder, removed once the addresses are read.
  const simulated = isSimulated(connection);
  const deploymentDir = simulated ? join(await mkdtemp(join(tmpdir(), "hashwork-deploy-")), id) : join(deploymentsDir(hre), id);
  if (!simulated && chainId === 31337) await dropStaleLocalDeployment(hre, connection, chainId, id);
  const deployment = await deployHashwork({
    hre,
    provider: connection.provider,
    parameters: parametersFile ? await readIgnitionParameters(parametersFile) : {},
    deploymentDir,
  });
  if (simulated) await rm(dirname(deploymentDir), { recursive: true, force: true });
  rememberDeployment(connection, deployment);

  const publicClient = await connection.viem.getPublicClient();
  const config = await publicClient.readContract({ address: deployment.disputes!, abi: hashworkDisputesAbi, functionName: "config" });
  const rel = (p: string) => relative(hre.config.paths.root, p);
  console.log(
    `Hashwork deployed on ${connection.networkName} (chain ${chainId}) with ${parametersFile ? rel(parametersFile) : "the module's defaults"}`,
  );
  console.log(`  token     ${deployment.token}`);
  console.log(`  market    ${deployment.market}   (from block ${deployment.fromBlock})`);
  console.log(
    `  disputes  ${deployment.disputes}   (committee ${config.committeeSize}, commit ${config.commitPeriod} s, reveal ${config.revealPeriod} s, audits ${config.auditRateBps / 100}%)`,
  );
  const verifierPool =
    deployment.verifierPool ??
    (await publicClient.readContract({ address: deployment.disputes!, abi: hashworkDisputesAbi, functionName: "verifierPool" }));
  console.log(`  pool      ${verifierPool}   (verifier bonds: committees are drawn from here)`);
  if (!simulated)
    console.log(`  Ignition files: ${rel(deploymentDir)} (loadIgnitionDeployment({ chainId: ${chainId}, deploymentId: "${id}" }))`);
  return { deployment, ...(parametersFile ? { parametersFile } : {}), ...(simulated ? {} : { deploymentDir }) };
});

/**
 * A local node forgets everything when it restarts, but `ignition/deployments/chain-31337` stays:
 * Ignition would then try to continue a deployment whose contracts no longer exist. Like
 * `ignition deploy` (which compares node instance ids), start over when the recorded market has
 * no code on the node.
 */
async function dropStaleLocalDeployment(hre: HardhatRuntimeEnvironment, connection: NetworkConnection, chainId: number, id: string) {
  let recorded: HashworkDeployment;
  try {
    recorded = await loadIgnitionDeployment({
      chainId,
      deploymentsDir: deploymentsDir(hre),
      deploymentId: id,
      moduleId: HASHWORK_MODULE_ID,
    });
  } catch {
    return; // nothing recorded (or nothing readable): Ignition starts fresh anyway
  }
  const publicClient = await connection.viem.getPublicClient();
  if ((await publicClient.getCode({ address: recorded.market })) === undefined) {
    console.log(
      `(${relative(hre.config.paths.root, join(deploymentsDir(hre), id))} belongs to an earlier run of the local node: starting over)`,
    );
    await rm(join(deploymentsDir(hre), id), { recursive: true, force: true });
  }
}
