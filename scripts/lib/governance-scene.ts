/**
 * The demo's governance scene: token holders change the protocol fee through the governor and
 * the timelock. The deployer (holding most of the governance token) delegates its votes,
 * proposes `market.setFeeBps`, votes, queues; the change is shown pending with its eta, time is
 * moved past the delay on the local chain (`evm_increaseTime`), and anyone executes it.
 */
import {
  castVote,
  delegateVotes,
  executeProposal,
  type HashworkBaseClient,
  listProposals,
  proposeChange,
  queueProposal,
} from "../../sdk/src/index.ts";
import { hashworkMarketAbi } from "../../sdk/src/abi/index.ts";

export type GovernanceSceneResult = {
  proposalId: bigint;
  feeBefore: number;
  feeAfter: number;
  /** The fee while the change was queued (unchanged until its eta). */
  feeWhilePending: number;
  delayS: bigint;
  minDelayBoundS: bigint;
  queuedAt: bigint;
  eta: bigint;
};

/** Moves the local chain's clock forward and mines a block (the demo's chain is a hardhat node). */
async function advance(client: HashworkBaseClient, seconds: bigint): Promise<void> {
  await client.publicClient.request({ method: "evm_increaseTime" as never, params: [Number(seconds)] as never });
  await client.publicClient.request({ method: "evm_mine" as never, params: [] as never });
}

/**
 * @example
 * const g = await governanceScene(client(DEPLOYER), { newFeeBps: 150, say })
 */
export async function governanceScene(
  client: HashworkBaseClient,
  { newFeeBps, say }: { newFeeBps: number; say: (line: string) => void },
): Promise<GovernanceSceneResult> {
  const fee = async () =>
    Number(await client.publicClient.readContract({ address: client.deployment.market, abi: hashworkMarketAbi, functionName: "feeBps" }));
  const feeBefore = await fee();
  await delegateVotes(client);
  const description = `Set the protocol fee to ${newFeeBps / 100}%`;
  const { proposalId } = await proposeChange(client, {
    calls: [{ contract: "market", functionName: "setFeeBps", args: [newFeeBps] }],
    description,
  });
  say(`governance: proposed "${description}" (market.setFeeBps(${newFeeBps})), proposal ${proposalId.toString().slice(0, 8)}…`);
  const {
    proposals: [created],
  } = await listProposals(client);
  await advance(client, created!.voteStart - (await client.publicClient.getBlock()).timestamp + 1n);
  const { weight } = await castVote(client, { proposalId, support: "for" });
  say(`governance: the deployer voted for with ${weight / 10n ** 18n} HWK of delegated votes`);
  await advance(client, created!.voteEnd - created!.voteStart + 1n);
  const { eta, receipt } = await queueProposal(client, { proposalId });
  const queuedAt = (await client.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
  const listed = await listProposals(client, { states: ["Queued"] });
  const pending = listed.proposals.find((p) => p.proposalId === proposalId)!;
  const feeWhilePending = await fee();
  say(
    `governance: queued in the timelock; pending: ${pending.calls.map((c) => `${c.contract}.${c.functionName}(${c.args?.join(", ")})`).join("; ")}, ` +
      `takes effect at ${new Date(Number(eta) * 1000).toISOString()} (delay ${listed.timelock.delay} s ≥ bound ${listed.timelock.minDelayBound} s); fee still ${feeWhilePending} bps`,
  );
  await advance(client, eta - queuedAt);
  await executeProposal(client, { proposalId });
  const feeAfter = await fee();
  say(`governance: executed after the delay: fee ${feeBefore} → ${feeAfter} bps`);
  return {
    proposalId,
    feeBefore,
    feeAfter,
    feeWhilePending,
    delayS: listed.timelock.delay,
    minDelayBoundS: listed.timelock.minDelayBound,
    queuedAt,
    eta,
  };
}
