import type { Address, Hex, ReadContractErrorType } from "viem";

import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import { hashworkTimelockAbi } from "../../abi/hashwork-timelock.ts";
import { proposalStateNames, type ProposalStateName } from "../../abi/enums.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { decodeGovernanceCalls, getGovernorAddress, getTimelockAddress, readProposals, type DecodedCall } from "./shared.ts";

export type ListProposalsParameters = {
  /** Only proposals in these states. Default: all. */
  states?: readonly ProposalStateName[] | undefined;
};

export type ProposalSummary = {
  proposalId: bigint;
  state: ProposalStateName;
  proposer: Address;
  description: string;
  descriptionHash: Hex;
  calls: DecodedCall[];
  /** Voting opens after this time (the votes snapshot) and closes at `voteEnd`, in seconds. */
  voteStart: bigint;
  voteEnd: bigint;
  votes: { against: bigint; for: bigint; abstain: bigint };
  /** Votes needed (for + abstain) at the snapshot. */
  quorum: bigint;
  /** When a queued change takes effect (can be executed), in seconds; 0 when not queued. */
  eta: bigint;
};

export type ListProposalsReturnType = {
  proposals: ProposalSummary[];
  /** The timelock's current delay and the bound it may never go below, in seconds. */
  timelock: { address: Address; delay: bigint; minDelayBound: bigint };
  /** The chain's latest block time, in seconds, the states are read at. */
  now: bigint;
};

export type ListProposalsErrorType = MissingDeploymentAddressError | ReadContractErrorType;

/**
 * Every governance proposal with its state, votes, decoded calls and, once queued, the time its
 * change takes effect (eta): what is pending, and how long everyone has to react.
 *
 * @example
 * const { proposals } = await listProposals(client, { states: ["Queued"] })
 * for (const p of proposals) console.log(p.description, new Date(Number(p.eta) * 1000))
 */
export async function listProposals(
  client: HashworkBaseClient,
  parameters: ListProposalsParameters = {},
): Promise<ListProposalsReturnType> {
  const governor = getGovernorAddress(client);
  const timelock = await getTimelockAddress(client);
  const block = await client.publicClient.getBlock();
  const at = { blockNumber: block.number };
  const read = <F extends "state" | "proposalVotes" | "proposalEta" | "quorum">(functionName: F, args: readonly [bigint]) =>
    client.publicClient.readContract({ address: governor, abi: hashworkGovernorAbi, functionName, args, ...at } as never) as Promise<
      F extends "proposalVotes" ? readonly [bigint, bigint, bigint] : F extends "state" ? number : bigint
    >;
  const [delay, minDelayBound] = await Promise.all([
    client.publicClient.readContract({ address: timelock, abi: hashworkTimelockAbi, functionName: "getMinDelay", ...at }),
    client.publicClient.readContract({ address: timelock, abi: hashworkTimelockAbi, functionName: "minDelayBound", ...at }),
  ]);
  const proposals: ProposalSummary[] = [];
  for (const p of await readProposals(client)) {
    const [state, votes, eta, calls] = await Promise.all([
      read("state", [p.proposalId]),
      read("proposalVotes", [p.proposalId]),
      read("proposalEta", [p.proposalId]),
      decodeGovernanceCalls(client, p.targets, p.values, p.calldatas),
    ]);
    // The quorum is read at the snapshot, which must be in the past.
    const quorum = p.voteStart < block.timestamp ? await read("quorum", [p.voteStart]) : 0n;
    const name = proposalStateNames[state as number]!;
    if (parameters.states && !parameters.states.includes(name)) continue;
    proposals.push({
      proposalId: p.proposalId,
      state: name,
      proposer: p.proposer,
      description: p.description,
      descriptionHash: p.descriptionHash,
      calls,
      voteStart: p.voteStart,
      voteEnd: p.voteEnd,
      votes: { against: votes[0], for: votes[1], abstain: votes[2] },
      quorum,
      eta: eta as bigint,
    });
  }
  return { proposals, timelock: { address: timelock, delay, minDelayBound }, now: block.timestamp };
}
