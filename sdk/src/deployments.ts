import { getAddress, isAddress, type Address } from "viem";

import { HashworkError } from "./errors/base.ts";
import { DeploymentNotFoundError, InvalidParameterError } from "./errors/sdk.ts";

/** Where the Hashwork contracts live on one chain. */
export type HashworkDeployment = {
  chainId: number;
  /** The `HashworkMarket` contract. */
  market: Address;
  /**
   * The ERC20 the market settles in. Optional: when absent, actions read `market.token()`
   * (the market is token-agnostic and may be deployed against any ERC20).
   */
  token?: Address;
  /**
   * The `HashworkDisputes` module (challenges, committees, audits). Optional: when absent, the
   * dispute actions read `market.disputeModule()`, so a market-only entry still works once a
   * module is installed; if the market has none either they throw `MissingDeploymentAddressError`.
   */
  disputes?: Address;
  /**
   * The `VerifierPool` the dispute module draws committees from (it creates the pool in its
   * constructor). Optional: when absent, the verifier actions read `disputes.verifierPool()`.
   */
  verifierPool?: Address;
  /**
   * The `HashworkTimelock` that owns the market and the dispute module (every owner power runs
   * through it, after its delay). Optional: the governance actions read `market.owner()` when absent.
   */
  timelock?: Address;
  /** The `HashworkGovernor` (token-holder votes; the timelock's proposer). Needed by the governance actions. */
  governor?: Address;
  /**
   * The block the market was deployed in. Event queries (job lists, histories, results) start
   * here; without it they start at block 0, which some RPC providers refuse for long chains.
   */
  fromBlock?: bigint;
};

/**
 * Known deployments by chain id. Public networks are added here as they are deployed.
 *
 * 31337 is what `npm run deploy -- --network localhost` produces on a fresh `hardhat node`:
 * Ignition sends from the first account the token (nonce 0), the market (1), the dispute module
 * (2) — which creates its verifier pool as its own first contract — and then
 * `market.setDisputeModule` (3), then the timelock (4) and the governor (5) before the ownership
 * hand-over (`ignition/modules/governance.ts`), so the addresses are fixed (the test in `deployments.test.ts`
 * checks this against a real Ignition run). For any other local setup,
 * use `loadIgnitionDeployment` or pass the deployment explicitly.
 */
export const hashworkDeployments: Readonly<Record<number, HashworkDeployment>> = Object.freeze({
  31337: Object.freeze({
    chainId: 31337,
    token: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    market: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    disputes: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    verifierPool: "0x75537828f2ce51be7289709686A69CbFDbB714F1",
    timelock: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
    governor: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
    fromBlock: 0n,
  }),
});

/**
 * Checks and normalises a deployment given explicitly (checksummed addresses, a positive chain
 * id), for callers who deploy their own market.
 *
 * @example
 * const deployment = defineDeployment({ chainId: 8453, market: "0x…", token: "0x…", disputes: "0x…", fromBlock: 21_000_000n })
 */
export function defineDeployment(deployment: HashworkDeployment): HashworkDeployment {
  if (!Number.isSafeInteger(deployment.chainId) || deployment.chainId <= 0) {
    throw new InvalidParameterError({ parameter: "chainId", reason: `must be a positive integer, got ${deployment.chainId}` });
  }
  const checked: HashworkDeployment = { chainId: deployment.chainId, market: checkAddress("market", deployment.market) };
  if (deployment.token !== undefined) checked.token = checkAddress("token", deployment.token);
  if (deployment.disputes !== undefined) checked.disputes = checkAddress("disputes", deployment.disputes);
  if (deployment.verifierPool !== undefined) checked.verifierPool = checkAddress("verifierPool", deployment.verifierPool);
  if (deployment.timelock !== undefined) checked.timelock = checkAddress("timelock", deployment.timelock);
  if (deployment.governor !== undefined) checked.governor = checkAddress("governor", deployment.governor);
  if (deployment.fromBlock !== undefined) {
    if (deployment.fromBlock < 0n) throw new InvalidParameterError({ parameter: "fromBlock", reason: "must not be negative" });
    checked.fromBlock = deployment.fromBlock;
  }
  return checked;
}

/**
 * The deployment for a chain: from `deployments` (default: `hashworkDeployments`).
 * Throws `DeploymentNotFoundError` when the chain has none.
 *
 * @example
 * const deployment = getDeployment(await publicClient.getChainId())
 */
export function getDeployment(
  chainId: number,
  { deployments = hashworkDeployments }: { deployments?: Readonly<Record<number, HashworkDeployment>> } = {},
): HashworkDeployment {
  const found = deployments[chainId];
  if (!found) {
    throw new DeploymentNotFoundError({
      chainId,
      details: "Pass the deployment explicitly (defineDeployment) or load it with loadIgnitionDeployment.",
    });
  }
  return found;
}

/**
 * Which deployment field each contract of an Ignition module fills. Ignition names a contract's
 * future `<ModuleId>#<ContractName>`; adding a contract to the SDK is one line here.
 */
export const ignitionContracts = {
  market: "HashworkMarket",
  token: "HashworkToken",
  disputes: "HashworkDisputes",
  verifierPool: "VerifierPool",
  timelock: "HashworkTimelock",
  governor: "HashworkGovernor",
} as const satisfies Partial<Record<keyof HashworkDeployment, string>>;

export type LoadIgnitionDeploymentParameters = {
  chainId: number;
  /** The Ignition deployments folder. Default: `ignition/deployments` under the working directory. */
  deploymentsDir?: string;
  /** The deployment id. Default: `chain-<chainId>` (what `hardhat ignition deploy` uses). */
  deploymentId?: string;
  /**
   * The Ignition module id. Default: `Hashwork` (token, market, dispute module and its verifier
   * pool, `ignition/modules/Hashwork.ts`); `HashworkMarket` for a market (and its dispute module)
   * settling in an existing token (the token is then read from the market).
   */
  moduleId?: string;
};

/**
 * Reads a deployment written by Hardhat Ignition: addresses from `deployed_addresses.json`
 * (futures `Hashwork#HashworkMarket`, `Hashwork#HashworkToken`, `Hashwork#HashworkDisputes`,
 * `Hashwork#VerifierPool`)
 * and, when the journal is there, the market's deployment block as `fromBlock`.
 *
 * @example
 * // after `npm run deploy -- --network localhost`
 * const deployment = await loadIgnitionDeployment({ chainId: 31337 })
 * const client = createHashworkClient({ publicClient, walletClient, deployment })
 */
export async function loadIgnitionDeployment({
  chainId,
  deploymentsDir,
  deploymentId = `chain-${chainId}`,
  moduleId = "Hashwork",
}: LoadIgnitionDeploymentParameters): Promise<HashworkDeployment> {
  // Node modules loaded here, not on import: the rest of this module (and the SDK's main entry) runs in browsers.
  const [{ readFile }, { join }] = await Promise.all([import("node:fs/promises"), import("node:path")]);
  const dir = join(deploymentsDir ?? join(process.cwd(), "ignition", "deployments"), deploymentId);
  let addresses: Record<string, string>;
  try {
    addresses = JSON.parse(await readFile(join(dir, "deployed_addresses.json"), "utf8")) as Record<string, string>;
  } catch (cause) {
    throw new DeploymentNotFoundError({ chainId, details: `Could not read ${join(dir, "deployed_addresses.json")}: ${String(cause)}` });
  }
  const pick = (contract: string): Address | undefined => {
    const value = addresses[`${moduleId}#${contract}`];
    return value === undefined ? undefined : checkAddress(`${moduleId}#${contract}`, value);
  };
  const market = pick(ignitionContracts.market);
  if (!market) {
    throw new DeploymentNotFoundError({
      chainId,
      details: `${join(dir, "deployed_addresses.json")} has no ${moduleId}#${ignitionContracts.market}`,
    });
  }
  const deployment: HashworkDeployment = { chainId, market };
  const token = pick(ignitionContracts.token);
  if (token) deployment.token = token;
  const disputes = pick(ignitionContracts.disputes);
  if (disputes) deployment.disputes = disputes;
  const verifierPool = pick(ignitionContracts.verifierPool);
  if (verifierPool) deployment.verifierPool = verifierPool;
  const timelock = pick(ignitionContracts.timelock);
  if (timelock) deployment.timelock = timelock;
  const governor = pick(ignitionContracts.governor);
  if (governor) deployment.governor = governor;
  const fromBlock = await deploymentBlock(await readFile(join(dir, "journal.jsonl"), "utf8").catch(() => undefined), market);
  if (fromBlock !== undefined) deployment.fromBlock = fromBlock;
  return deployment;
}

/**
 * A deployment lacks the address of a contract an action needs (for the dispute actions:
 * no `disputes` in the deployment and no module installed in the market).
 */
export class MissingDeploymentAddressError extends HashworkError {
  override name = "MissingDeploymentAddressError";
  readonly chainId: number;
  /** The deployment field that is missing, e.g. `"disputes"`. */
  readonly field: keyof HashworkDeployment;
  constructor({ chainId, field, details }: { chainId: number; field: keyof HashworkDeployment; details?: string }) {
    super(`The deployment for chain ${chainId} has no \`${field}\` address`, { details });
    this.chainId = chainId;
    this.field = field;
  }
}

/** The block of the receipt that created `address`, from an Ignition journal's text (if present). */
function deploymentBlock(journal: string | undefined, address: Address): bigint | undefined {
  if (journal === undefined) return undefined;
  for (const line of journal.split("\n")) {
    if (!line.includes("contractAddress")) continue;
    let entry: { receipt?: { contractAddress?: string; blockNumber?: number | string } };
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a torn last line from an interrupted deployment
    }
    const receipt = entry.receipt;
    if (receipt?.contractAddress && receipt.contractAddress.toLowerCase() === address.toLowerCase()) {
      return receipt.blockNumber === undefined ? undefined : BigInt(receipt.blockNumber);
    }
  }
  return undefined;
}

function checkAddress(parameter: string, value: string): Address {
  if (!isAddress(value, { strict: false })) throw new InvalidParameterError({ parameter, reason: `not an address: ${value}` });
  return getAddress(value);
}
