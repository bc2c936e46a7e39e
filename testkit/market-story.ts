/**
 * A short market history on a real node, through the SDK's client: jobs finalized, one left open,
 * one cancelled, one claimed, and a dispute the challenger wins (the lying provider is slashed),
 * then a scheduled fee change. What the indexer tests index and check against the contracts.
 */
import { getAddress, keccak256, toBytes, type Address, type Hex } from "viem";

import { createHashworkClient, type HashworkClient } from "../sdk/src/client.ts";
import { ExecutionStatus } from "../sdk/src/executor/result-hash.ts";
import { hashworkMarketAbi } from "../sdk/src/abi/hashwork-market.ts";
import type { HashworkWalletClient } from "../sdk/src/utils/client.ts";
import { CHALLENGER_HASH, FUEL_USED, OUTPUT, OUTPUT_URI, testJob } from "./fixtures.ts";
import { bondVerifiers, hdAccount, type System } from "./local-cluster.ts";
import { TOKEN_UNIT } from "../ignition/parameters/defaults.ts";

export const ACTOR = { owner: 0, requester: 1, honest: 2, liar: 3, challenger: 4, keeper: 8 } as const;
export const VERIFIER_INDEXES = [5, 6, 7];
export const addressOf = (index: number): Address => getAddress(hdAccount(index).address);

export type Story = {
  finalized: bigint[];
  open: bigint;
  cancelled: bigint;
  claimed: bigint;
  overturned: bigint;
  /** The fee the owner scheduled (basis points). */
  newFeeBps: number;
};

export function clientOf(system: System, index: number): HashworkClient {
  const base = system.clientFor(index);
  return createHashworkClient({
    publicClient: base.publicClient,
    walletClient: base.walletClient as HashworkWalletClient,
    deployment: base.deployment,
  });
}

/** Moves the node's clock forward and mines a block (anvil and hardhat node both answer these). */
export async function advance(system: System, seconds: number) {
  await rpc(system.url, "evm_increaseTime", [seconds]);
  await rpc(system.url, "evm_mine", []);
}

async function rpc(url: string, method: string, params: unknown[]) {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await r.json()) as { error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
}

const outcome = { outputHash: keccak256(OUTPUT), fuelUsed: FUEL_USED, status: ExecutionStatus.Ok };

export async function postJob(system: System, salt: string, overrides: Parameters<typeof testJob>[0] = {}): Promise<bigint> {
  const { jobId } = await clientOf(system, ACTOR.requester).postJob(testJob({ inputHash: keccak256(toBytes(salt)), ...overrides }));
  return jobId;
}

export async function runStory(system: System): Promise<Story> {
  const c = (i: number) => clientOf(system, i);
  for (const p of [ACTOR.honest, ACTOR.liar]) {
    await c(p).registerProvider({ endpoint: `http://127.0.0.1:87${p}0`, pricePerFuel: 1n, maxFuel: 1_000_000_000n });
    await c(p).stake({ amount: 1_000n * TOKEN_UNIT });
  }
  await bondVerifiers(system, VERIFIER_INDEXES);

  // Two jobs the honest provider runs and gets paid for (a one-second challenge window).
  // Terms are passed on from each submission rather than searched for in the logs again.
  const finalized: bigint[] = [];
  const settle = [];
  for (const salt of ["a", "b"]) {
    const jobId = await postJob(system, salt, { challengeWindow: 1 });
    await c(ACTOR.honest).claimJob({ jobId });
    const { result } = await c(ACTOR.honest).submitResult({ jobId, outcome, outputURI: OUTPUT_URI, publishOutcome: false });
    finalized.push(jobId);
    settle.push({ jobId, terms: result.terms });
  }
  await advance(system, 5);
  for (const s of settle) await c(ACTOR.keeper).finalizeJob(s);

  const open = await postJob(system, "open");
  const cancelled = await postJob(system, "cancelled");
  await c(ACTOR.requester).cancelJob({ jobId: cancelled });
  const claimed = await postJob(system, "claimed");
  await c(ACTOR.honest).claimJob({ jobId: claimed });

  // The liar commits a result, a challenger disputes it and the committee sides with the challenger.
  const overturned = await postJob(system, "lie");
  await c(ACTOR.liar).claimJob({ jobId: overturned });
  const { terms } = (await c(ACTOR.liar).submitResult({ jobId: overturned, outcome, outputURI: OUTPUT_URI, publishOutcome: false })).result;
  await c(ACTOR.challenger).challengeJob({ jobId: overturned, challengerHash: CHALLENGER_HASH, terms });
  await rpc(system.url, "evm_mine", []); // the draw's seed block must be mined
  const draw = await c(ACTOR.keeper).drawCommittee({ jobId: overturned, terms });
  if (draw.outcome !== "drawn") throw new Error(`expected a committee, got ${draw.outcome}`);
  const seatOf = (v: Address) => VERIFIER_INDEXES.find((i) => addressOf(i) === getAddress(v))!;
  const secrets = [];
  for (const v of draw.verifiers) secrets.push(await c(seatOf(v)).commitVote({ jobId: overturned, resultHash: CHALLENGER_HASH as Hex }));
  for (const [i, v] of draw.verifiers.entries()) await c(seatOf(v)).revealVote(secrets[i]!);
  const resolved = await c(ACTOR.keeper).resolveDispute({ jobId: overturned, terms });
  if (resolved.outcome !== "resolved") throw new Error(`expected a resolution, got ${resolved.outcome}`);

  // Governance: the owner schedules a fee change (it applies to jobs posted from now on).
  const newFeeBps = 150;
  const owner = system.clientFor(ACTOR.owner).walletClient;
  const hash = await owner.writeContract({
    address: system.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "setFeeBps",
    args: [newFeeBps],
    account: owner.account!,
    chain: owner.chain,
  });
  await system.publicClient.waitForTransactionReceipt({ hash });

  return { finalized, open, cancelled, claimed, overturned, newFeeBps };
}
