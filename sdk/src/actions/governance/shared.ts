/**
 * What the governance actions share: where the governor and the timelock are, which owner
 * functions a proposal may call, turning text arguments into ABI values, and a proposal's calls
 * read back from its `ProposalCreated` event (OpenZeppelin's Governor keeps only their hash).
 */
import {
  decodeFunctionData,
  encodeFunctionData,
  keccak256,
  parseEventLogs,
  toHex,
  type Abi,
  type AbiParameter,
  type Address,
  type Hex,
} from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { hashworkTimelockAbi } from "../../abi/hashwork-timelock.ts";
import { MissingDeploymentAddressError } from "../../deployments.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getDisputesAddress } from "../shared/disputes.ts";

/** The contracts whose owner is the timelock (and the timelock itself, for `updateDelay`). */
export type GovernedContract = "market" | "disputes" | "timelock";

/** Every owner function a proposal may call, per contract (docs/governance.md explains each). */
export const GOVERNED_FUNCTIONS = {
  market: [
    "setFeeBps",
    "setAuditReserveBps",
    "setJobValueBounds",
    "setMinStake",
    "setUnbondingPeriod",
    "setMaxClaimDelay",
    "setExecutionTimeBounds",
    "setChallengeWindowBounds",
    "setMaxDisputeDuration",
    "setTreasury",
    "setDisputeModule",
    "pause",
    "unpause",
    "transferOwnership",
  ],
  disputes: ["setConfig", "setArbiter", "transferOwnership"],
  timelock: ["updateDelay", "grantRole", "revokeRole"],
} as const satisfies Record<GovernedContract, readonly string[]>;

const ABIS: Record<GovernedContract, Abi> = { market: hashworkMarketAbi, disputes: hashworkDisputesAbi, timelock: hashworkTimelockAbi };

/** One call of a proposal: a governed contract's owner function and its arguments. */
export type GovernanceCall = {
  contract: GovernedContract;
  functionName: string;
  /** ABI values (bigint, number, boolean, address, tuple object) or their text form (see `parseCallArguments`). */
  args: readonly unknown[];
};

/** A proposal call decoded back into a contract, function and arguments (`contract` undefined for other targets). */
export type DecodedCall = {
  target: Address;
  value: bigint;
  contract?: GovernedContract;
  functionName?: string;
  args?: readonly unknown[];
  data: Hex;
};

/** The governor: `deployment.governor`, else `MissingDeploymentAddressError`. */
export function getGovernorAddress(client: HashworkBaseClient): Address {
  const governor = client.deployment.governor;
  if (!governor) {
    throw new MissingDeploymentAddressError({
      chainId: client.deployment.chainId,
      field: "governor",
      details: "Pass a deployment with its `governor` (loadIgnitionDeployment reads it from Ignition's files).",
    });
  }
  return governor;
}

/** The timelock: `deployment.timelock`, else the governor's `timelock()`. */
export async function getTimelockAddress(client: HashworkBaseClient): Promise<Address> {
  if (client.deployment.timelock) return client.deployment.timelock;
  return client.publicClient.readContract({ address: getGovernorAddress(client), abi: hashworkGovernorAbi, functionName: "timelock" });
}

/** The address of a governed contract in the client's deployment. */
export async function governedAddress(client: HashworkBaseClient, contract: GovernedContract): Promise<Address> {
  if (contract === "market") return client.deployment.market;
  if (contract === "disputes") return getDisputesAddress(client);
  return getTimelockAddress(client);
}

/** The ABI function of a governed owner function, or `InvalidParameterError` naming the choices. */
function ownerFunction(contract: GovernedContract, functionName: string) {
  const allowed = GOVERNED_FUNCTIONS[contract] as readonly string[];
  if (!ABIS[contract] || !allowed.includes(functionName)) {
    const known = ABIS[contract] ? allowed.join(", ") : Object.keys(GOVERNED_FUNCTIONS).join(", ");
    throw new InvalidParameterError({
      parameter: "functionName",
      reason: ABIS[contract]
        ? `${contract}.${functionName} is not an owner function; one of: ${known}`
        : `unknown contract "${contract}"; one of: ${known}`,
    });
  }
  return ABIS[contract].find((item) => item.type === "function" && item.name === functionName) as { inputs: readonly AbiParameter[] };
}

/**
 * Text arguments (a command line's) as the ABI values an owner function takes: integers as
 * decimal text, booleans as `true`/`false`, addresses as hex, structs as JSON objects.
 *
 * @example
 * parseCallArguments("market", "setFeeBps", ["250"]) // [250n]
 */
export function parseCallArguments(contract: GovernedContract, functionName: string, texts: readonly string[]): unknown[] {
  const { inputs } = ownerFunction(contract, functionName);
  if (texts.length !== inputs.length) {
    throw new InvalidParameterError({
      parameter: "args",
      reason: `${contract}.${functionName} takes ${inputs.length} argument(s) (${inputs.map((i) => `${i.name}: ${i.type}`).join(", ")}), got ${texts.length}`,
    });
  }
  return inputs.map((input, i) => parseValue(input, texts[i]!, `${functionName}.${input.name}`));
}

function parseValue(input: AbiParameter, text: unknown, name: string): unknown {
  const fail = (reason: string) => new InvalidParameterError({ parameter: name, reason });
  if (input.type === "tuple") {
    let value: unknown = text;
    if (typeof text === "string") {
      try {
        value = JSON.parse(text);
      } catch {
        throw fail(`expected a JSON object, got ${text}`);
      }
    }
    if (!value || typeof value !== "object") throw fail("expected an object");
    const components = (input as { components: readonly AbiParameter[] }).components;
    return Object.fromEntries(
      components.map((c) => [c.name, parseValue(c, String((value as Record<string, unknown>)[c.name!] ?? ""), `${name}.${c.name}`)]),
    );
  }
  const s = String(text);
  if (/^u?int\d*$/.test(input.type)) {
    if (!/^-?\d+$/.test(s)) throw fail(`expected an integer, got "${s}"`);
    const bits = Number(input.type.replace(/^u?int/, "") || 256);
    return bits <= 48 ? Number(s) : BigInt(s);
  }
  if (input.type === "bool") {
    if (s !== "true" && s !== "false") throw fail(`expected true or false, got "${s}"`);
    return s === "true";
  }
  if (input.type === "address" || input.type.startsWith("bytes")) {
    if (!/^0x[0-9a-fA-F]*$/.test(s)) throw fail(`expected hex, got "${s}"`);
    return s;
  }
  return s;
}

/** Encodes a governed call (checks the function is an owner function; text arguments are parsed). */
export async function encodeGovernanceCall(
  client: HashworkBaseClient,
  call: GovernanceCall,
): Promise<{ target: Address; value: bigint; data: Hex }> {
  ownerFunction(call.contract, call.functionName);
  const args = call.args.every((a) => typeof a === "string")
    ? parseCallArguments(call.contract, call.functionName, call.args as string[])
    : [...call.args];
  const data = encodeFunctionData({ abi: ABIS[call.contract], functionName: call.functionName, args } as never);
  return { target: await governedAddress(client, call.contract), value: 0n, data };
}

/** Decodes proposal calls against the governed contracts' ABIs. */
export async function decodeGovernanceCalls(
  client: HashworkBaseClient,
  targets: readonly Address[],
  values: readonly bigint[],
  calldatas: readonly Hex[],
): Promise<DecodedCall[]> {
  const known = new Map<string, GovernedContract>();
  for (const c of ["market", "disputes", "timelock"] as const) {
    try {
      known.set((await governedAddress(client, c)).toLowerCase(), c);
    } catch {
      // a deployment without a dispute module or a timelock: its calls stay undecoded
    }
  }
  return targets.map((target, i) => {
    const data = calldatas[i]!;
    const contract = known.get(target.toLowerCase());
    const call: DecodedCall = { target, value: values[i] ?? 0n, data, contract };
    if (!contract) return call;
    try {
      const decoded = decodeFunctionData({ abi: ABIS[contract], data });
      return { ...call, functionName: decoded.functionName, args: decoded.args ?? [] };
    } catch {
      return call;
    }
  });
}

/** A proposal as the governor emitted it (`ProposalCreated`). */
export type ProposalRecord = {
  proposalId: bigint;
  proposer: Address;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  description: string;
  descriptionHash: Hex;
  /** Voting opens after this time (the votes snapshot), in seconds (the token's clock). */
  voteStart: bigint;
  /** Voting closes at this time, in seconds. */
  voteEnd: bigint;
  blockNumber: bigint;
};

/** Every proposal the governor created, oldest first (from `deployment.fromBlock`). */
export async function readProposals(client: HashworkBaseClient): Promise<ProposalRecord[]> {
  const governor = getGovernorAddress(client);
  const logs = await client.publicClient.getLogs({
    address: governor,
    event: hashworkGovernorAbi.find((i) => i.type === "event" && i.name === "ProposalCreated") as never,
    fromBlock: client.deployment.fromBlock ?? 0n,
    toBlock: "latest",
  });
  return parseEventLogs({ abi: hashworkGovernorAbi, logs, eventName: "ProposalCreated" }).map((log) => ({
    proposalId: log.args.proposalId,
    proposer: log.args.proposer,
    targets: log.args.targets,
    values: log.args.values,
    calldatas: log.args.calldatas,
    description: log.args.description,
    descriptionHash: keccak256(toHex(log.args.description)),
    voteStart: log.args.voteStart,
    voteEnd: log.args.voteEnd,
    blockNumber: log.blockNumber,
  }));
}

/** One proposal's record, or `InvalidParameterError` when the governor never created it. */
export async function readProposal(client: HashworkBaseClient, proposalId: bigint): Promise<ProposalRecord> {
  const found = (await readProposals(client)).find((p) => p.proposalId === proposalId);
  if (!found) throw new InvalidParameterError({ parameter: "proposalId", reason: `the governor has no proposal ${proposalId}` });
  return found;
}

/** The salt GovernorTimelockControl schedules a proposal with: `bytes20(governor) ^ descriptionHash`. */
export function timelockSalt(governor: Address, descriptionHash: Hex): Hex {
  return toHex((BigInt(governor) << 96n) ^ BigInt(descriptionHash), { size: 32 });
}
