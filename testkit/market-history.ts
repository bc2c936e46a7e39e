/**
 * A long market history for the indexer's bench: `jobs` jobs through the whole happy path, 100
 * per transaction (postJobs, claimJobs, submitResults, finalizeJobs), by the market story's actors.
 */
import { keccak256, maxUint256, parseEventLogs, toBytes, type Hex } from "viem";

import { hashworkMarketAbi, hashworkTokenAbi } from "../sdk/src/abi/index.ts";
import { OUTPUT_URI, RESULT_HASH } from "./fixtures.ts";
import type { System } from "./local-cluster.ts";
import { ACTOR, advance } from "./market-story.ts";

const BATCH = 100;

async function send(system: System, index: number, functionName: string, args: unknown[]) {
  const wallet = system.clientFor(index).walletClient;
  const hash = await wallet.writeContract({
    address: system.deployment.market,
    abi: hashworkMarketAbi,
    functionName,
    args,
    account: wallet.account!,
    chain: wallet.chain,
  } as never);
  // A generous timeout: anvil mining a 100-job batch on a busy machine can take seconds.
  const receipt = await system.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return receipt;
}

export async function writeHistory(system: System, jobs: number) {
  const now = (await system.publicClient.getBlock()).timestamp;
  // postJobs pulls each batch's rewards from the requester's allowance.
  const requester = system.clientFor(ACTOR.requester).walletClient;
  const approval = await requester.writeContract({
    address: system.deployment.token!,
    abi: hashworkTokenAbi,
    functionName: "approve",
    args: [system.deployment.market, maxUint256],
    account: requester.account!,
    chain: requester.chain,
  });
  await system.publicClient.waitForTransactionReceipt({ hash: approval });
  for (let done = 0; done < jobs; done += BATCH) {
    const n = Math.min(BATCH, jobs - done);
    const requests = Array.from({ length: n }, (_, i) => ({
      programHash: keccak256(toBytes("bench.wasm")),
      inputHash: keccak256(toBytes(`bench-${done + i}`)),
      fuelLimit: 1_000_000n,
      reward: 10n ** 17n,
      collateralPct: 100,
      claimDeadline: Number(now) + 86_400,
      executionTime: 3600,
      challengeWindow: 1,
      minReputation: 0,
      designatedProvider: "0x0000000000000000000000000000000000000000",
      programURI: "",
      inputURI: "",
    }));
    const posted = await send(system, ACTOR.requester, "postJobs", [requests]);
    const ids = parseEventLogs({ abi: hashworkMarketAbi, logs: posted.logs, eventName: "JobPosted" }).map((l) => l.args.jobId);
    await send(system, ACTOR.honest, "claimJobs", [ids]);
    const submitted = await send(system, ACTOR.honest, "submitResults", [ids, ids.map(() => RESULT_HASH), ids.map(() => OUTPUT_URI)]);
    const terms = parseEventLogs({ abi: hashworkMarketAbi, logs: submitted.logs, eventName: "ResultSubmitted" }).map(({ args: a }) => ({
      reward: a.reward,
      collateralPct: a.collateralPct,
      provider: a.provider,
      resultHash: a.resultHash as Hex,
      submittedBlock: a.submittedBlock,
    }));
    await advance(system, 2);
    await send(system, ACTOR.keeper, "finalizeJobs", [ids, terms]);
    if ((done / BATCH) % 10 === 0) console.log(`  history: ${done + n} / ${jobs} jobs`);
  }
}
