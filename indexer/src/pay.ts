/**
 * Deferred pay (IPayBuckets): a fast-path job's pay goes into one of its provider's two buckets
 * (`PayDeferred`, no `JobFinalized`) and a later `PayReleased` pays a whole bucket. The job reads
 * Finalized once its challenge window has passed (the API derives that from the indexed block's
 * time, as `jobState` does); the money moves, and the provider and protocol totals change, only
 * at the release. A `JobDisputed` takes the job out of its bucket (jobs.ts).
 */
import { ponder, type Context } from "ponder:registry";
import { job, protocol } from "ponder:schema";
import type { Address } from "viem";

import {
  addToTimeline,
  updateJob,
  updateMarketDay,
  updateProtocol,
  updateProvider,
  updateProviderDay,
  type LogEvent,
} from "../lib/records.ts";
import { deferToBucket, releaseBucket } from "../lib/buckets.ts";

const M = "market";

/**
 * The fee rate a job pays: the previous rate if its challenge ends before the scheduled change's
 * effective time, else the new one (the market's `_feeBpsFor`). With no change ever scheduled the
 * deployment's rate is read once from the chain (the constructor emits no event for it).
 */
async function feeRate(context: Context, e: LogEvent, challengeEnd: bigint): Promise<bigint> {
  const row = await context.db.find(protocol, { id: "market" });
  if (row?.feeBps != null) {
    const before = row.feeChangeAt != null && challengeEnd < row.feeChangeAt;
    return BigInt(before ? (row.feePreviousBps ?? row.feeBps) : row.feeBps);
  }
  const bps = await context.client.readContract({
    abi: context.contracts.HashworkMarket.abi,
    address: context.contracts.HashworkMarket.address as Address,
    functionName: "feeBps",
    blockNumber: e.block.number,
  });
  await updateProtocol(context.db, e, () => ({ feeBps: Number(bps) }));
  return BigInt(bps);
}

ponder.on("HashworkMarket:PayDeferred", async ({ event, context }) => {
  const { provider, bucket, jobIds } = event.args;
  for (const id of jobIds) {
    const row = await context.db.find(job, { id });
    if (!row) continue; // posted before the start block
    await deferToBucket(context.db, provider, bucket, id, event.block.number);
    // Its pay and fee as the release will count them (reward × rate ÷ 10,000, rounded down).
    const fee = (row.reward * (await feeRate(context, event, row.challengeEnd ?? 0n))) / 10_000n;
    await updateJob(context.db, event, id, { payBucket: bucket, payStatus: "pending", providerPayout: row.reward - fee, protocolFee: fee });
    await addToTimeline(context.db, event, M, "PayDeferred", id, true);
  }
});

ponder.on("HashworkMarket:PayReleased", async ({ event, context }) => {
  const { provider, bucket, jobs, payout, fee, lockedAfter } = event.args;
  // The bucket's jobs (disputed ones were taken out by JobDisputed); the bucket starts empty again.
  for (const id of await releaseBucket(context.db, provider, bucket, event.block.number)) {
    await updateJob(context.db, event, id, { state: "Finalized", payBucket: null, payStatus: "released" });
    await addToTimeline(context.db, event, M, "PayReleased", id, true);
  }
  const n = Number(jobs);
  // PayoutCreditedToBalance(0, …), logged before, takes the payout back out when the stake was full.
  await updateProvider(context.db, provider, (p) => ({
    staked: p.staked + payout,
    locked: lockedAfter,
    jobsDone: p.jobsDone + n,
    earned: p.earned + payout,
    feesPaid: p.feesPaid + fee,
  }));
  await updateProviderDay(context.db, event, provider, { jobsDone: n, earned: payout, fees: fee });
  await updateProtocol(context.db, event, (p) => ({ escrowed: p.escrowed - payout - fee, feesCharged: p.feesCharged + fee }));
  await updateMarketDay(context.db, event, { jobsFinalized: n, fees: fee });
});
