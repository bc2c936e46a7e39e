import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { HashworkDisputes, HashworkMarket, HashworkToken, VerifierPool } from "../../types/ethers-contracts/index.js";
import {
  DISPUTE_PARAMETERS,
  INITIAL_SUPPLY,
  LOCAL_PARAMETERS,
  marketConfig,
  type DisputeParameters,
  type MarketParameters,
} from "../../ignition/parameters/defaults.js";

export interface LocalDeployment {
  token: HashworkToken;
  market: HashworkMarket;
  owner: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
}

export interface LocalSystem extends LocalDeployment {
  disputes: HashworkDisputes;
  /** The verifier pool the dispute module created (`disputes.verifierPool()`): verifiers bond here. */
  verifierPool: VerifierPool;
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
  const token = await ethers.deployContract("HashworkToken", [owner.address, INITIAL_SUPPLY]);
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

/**
 * `deployLocal` plus the dispute module, installed in the market, and the verifier pool it
 * created; the owner is the arbiter.
 */
export async function deployLocalSystem(
  ethers: HardhatEthers,
  parameters: MarketParameters = LOCAL_PARAMETERS,
  disputeParameters: DisputeParameters = DISPUTE_PARAMETERS,
): Promise<LocalSystem> {
  const d = await deployLocal(ethers, parameters);
  const disputes = await ethers.deployContract("HashworkDisputes", [
    await d.market.getAddress(),
    d.owner.address,
    d.owner.address,
    disputeConfig(disputeParameters),
  ]);
  await d.market.connect(d.owner).setDisputeModule(await disputes.getAddress());
  const verifierPool = await ethers.getContractAt("VerifierPool", await disputes.verifierPool());
  return { ...d, disputes, verifierPool };
}

/** The DisputeConfig tuple the dispute module takes. */
export function disputeConfig(p: DisputeParameters) {
  return { ...p };
}
