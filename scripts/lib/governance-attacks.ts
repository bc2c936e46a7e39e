/**
 * Governance figures measured from chain state on the real stack (the Ignition deployment the
 * governance tests use): how long a timelocked change waits, and the floor the timelock enforces.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { createPublicClient, custom } from "viem";

import { hashworkTimelockAbi } from "../../sdk/src/abi/index.ts";
import { deployGoverned } from "./governance.ts";

export type GovernanceMeasurement = {
  /** The timelock's delay (`getMinDelay()`), in seconds. */
  timelockDelayS: number;
  /** `minDelayBound()`: unbonding + max claim delay + max execution + max challenge window + max dispute duration, in seconds. */
  minDelayBoundS: number;
};

/**
 * Deploys the governed system on a fresh in-process chain with `ignition/parameters/<network>.json`
 * and reads the timelock's delay and bound.
 *
 * @example
 * const { timelockDelayS, minDelayBoundS } = await measureGovernance(hre, { network: "remote" })
 */
export async function measureGovernance(
  hre: HardhatRuntimeEnvironment,
  { network = "remote" }: { network?: string } = {},
): Promise<GovernanceMeasurement> {
  const connection = await hre.network.create();
  try {
    const { deployment } = await deployGoverned({ hre, provider: connection.provider, network });
    const client = createPublicClient({ transport: custom(connection.provider) });
    const read = (functionName: "getMinDelay" | "minDelayBound") =>
      client.readContract({ address: deployment.timelock, abi: hashworkTimelockAbi, functionName });
    return { timelockDelayS: Number(await read("getMinDelay")), minDelayBoundS: Number(await read("minDelayBound")) };
  } finally {
    await connection.close();
  }
}
