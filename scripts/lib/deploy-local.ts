import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { HashworkMarket, HashworkToken } from "../../types/ethers-contracts/index.js";
import { LOCAL_PARAMETERS, TOKEN_UNIT, marketConfig, type MarketParameters } from "./defaults.js";

export interface LocalDeployment {
  token: HashworkToken;
  market: HashworkMarket;
  owner: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
}

/**
 * Deploys the token and the market with ethers (tests, benchmarks). Deployments to real
 * networks go through the Ignition module instead, with the same constructor arguments.
 */
export async function deployLocal(
  ethers: HardhatEthers,
  parameters: MarketParameters = LOCAL_PARAMETERS,
): Promise<LocalDeployment> {
  const [owner, treasury] = await ethers.getSigners();
  const token = await ethers.deployContract("HashworkToken", [owner.address, 1_000_000_000n * TOKEN_UNIT]);
  const market = await ethers.deployContract("HashworkMarket", [
    await token.getAddress(),
    owner.address,
    treasury.address,
    marketConfig(parameters),
    parameters.feeBps,
    parameters.maxDisputeDuration,
  ]);
  return { token, market, owner, treasury };
}
