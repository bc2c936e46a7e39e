/**
 * Local deployments for Hardhat-run code (contract tests, `bench:gas`, `bench:attacks`,
 * `bench:governance`): the Ignition modules deployed on the connection's chain with
 * `connection.ignition.deploy`, returned as typechain-typed ethers contracts. The deployer
 * (account #0) owns everything, account #1 is the treasury; every other parameter takes its
 * default from `ignition/parameters/defaults.ts`, as on any network.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import type { HashworkDisputes, HashworkMarket, HashworkToken, VerifierPool } from "../../types/ethers-contracts/index.js";
import HashworkLocal from "../../ignition/modules/HashworkLocal.ts";
import HashworkLocalDisputes from "../../ignition/modules/HashworkLocalDisputes.ts";
import HashworkLocalMarket from "../../ignition/modules/HashworkLocalMarket.ts";
import HashworkLocalMarketOnToken from "../../ignition/modules/HashworkLocalMarketOnToken.ts";
import type { DisputeParameters } from "../../ignition/parameters/defaults.js";

/** What the local deployments need of a network connection (`await network.create()`). */
export type LocalConnection = Pick<NetworkConnection, "ethers" | "ignition">;

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

/** Ignition parameters of the local deployments: the treasury is account #1. */
async function localParameters(ethers: HardhatEthers) {
  const [owner, treasury] = await ethers.getSigners();
  return { owner, treasury, parameters: { $global: { treasury: treasury.address } } };
}

/** The contract at `contract`'s address, typed by its typechain name. */
async function typed<T>(ethers: HardhatEthers, name: string, contract: { getAddress(): Promise<string> }): Promise<T> {
  return (await ethers.getContractAt(name, await contract.getAddress())) as T;
}

/** Token and market through `ignition/modules/HashworkLocalMarket.ts`: no dispute module installed. */
export async function deployLocal({ ethers, ignition }: LocalConnection): Promise<LocalDeployment> {
  const { owner, treasury, parameters } = await localParameters(ethers);
  const d = await ignition.deploy(HashworkLocalMarket, { parameters });
  return {
    token: await typed<HashworkToken>(ethers, "HashworkToken", d.token),
    market: await typed<HashworkMarket>(ethers, "HashworkMarket", d.market),
    owner,
    treasury,
  };
}

/**
 * Token, market, dispute module (installed; the owner is the arbiter) and the verifier pool it
 * created, through `ignition/modules/HashworkLocal.ts`.
 */
export async function deployLocalSystem({ ethers, ignition }: LocalConnection): Promise<LocalSystem> {
  const { owner, treasury, parameters } = await localParameters(ethers);
  const d = await ignition.deploy(HashworkLocal, { parameters });
  return {
    token: await typed<HashworkToken>(ethers, "HashworkToken", d.token),
    market: await typed<HashworkMarket>(ethers, "HashworkMarket", d.market),
    disputes: await typed<HashworkDisputes>(ethers, "HashworkDisputes", d.disputes),
    verifierPool: await typed<VerifierPool>(ethers, "VerifierPool", d.verifierPool),
    owner,
    treasury,
  };
}

/**
 * A market alone settling in `token` (a test token: re-entrant, fee-on-transfer), no dispute
 * module, through `ignition/modules/HashworkLocalMarketOnToken.ts`.
 */
export async function deployLocalMarketOn({ ethers, ignition }: LocalConnection, token: string): Promise<HashworkMarket> {
  const { parameters } = await localParameters(ethers);
  const d = await ignition.deploy(HashworkLocalMarketOnToken, { parameters: { ...parameters, HashworkLocalMarketOnToken: { token } } });
  return typed<HashworkMarket>(ethers, "HashworkMarket", d.market);
}

/**
 * A dispute module for `market` and the verifier pool it creates, not installed (the owner calls
 * `setDisputeModule`), through `ignition/modules/HashworkLocalDisputes.ts`.
 */
export async function deployLocalDisputes({ ethers, ignition }: LocalConnection, market: string) {
  const d = await ignition.deploy(HashworkLocalDisputes, { parameters: { HashworkLocalDisputes: { market } } });
  return {
    disputes: await typed<HashworkDisputes>(ethers, "HashworkDisputes", d.disputes),
    verifierPool: await typed<VerifierPool>(ethers, "VerifierPool", d.verifierPool),
  };
}

/** The DisputeConfig tuple the dispute module takes (`setConfig`). */
export function disputeConfig(p: DisputeParameters) {
  return { ...p };
}
