/** The job state machine from the market's events: one row per job and its timeline. */
import { ponder } from "ponder:registry";
import { job } from "ponder:schema";

import { addToTimeline, updateJob, updateMarketDay, updateProtocol, updateProvider, updateProviderDay } from "../lib/records.ts";
import { leaveBucket } from "../lib/buckets.ts";

const M = "market";

ponder.on("HashworkMarket:JobPosted", async ({ event, context }) => {
  const { jobId, requester, request: q } = event.args;
  await context.db.insert(job).values({
    id: jobId,
    requester,
    state: "Open",
    reward: q.reward,
    collateralPct: q.collateralPct,
    fuelLimit: q.fuelLimit,
    programHash: q.programHash,
    inputHash: q.inputHash,
    programURI: q.programURI,
    inputURI: q.inputURI,
    claimDeadline: BigInt(q.claimDeadline),
    executionTime: q.executionTime,
    challengeWindow: q.challengeWindow,
    minReputation: q.minReputation,
    designatedProvider: q.designatedProvider,
    disputed: false,
    postedBlock: event.block.number,
    postedLogIndex: event.log.logIndex,
    postedTx: event.transaction.hash,
    postedAt: event.block.timestamp,
    updatedBlock: event.block.number,
    updatedAt: event.block.timestamp,
  });
  await addToTimeline(context.db, event, M, "JobPosted", jobId);
  await updateProtocol(context.db, event, (p) => ({ escrowed: p.escrowed + q.reward, jobsPosted: p.jobsPosted + 1 }));
  await updateMarketDay(context.db, event, { jobsPosted: 1 });
});

ponder.on("HashworkMarket:JobClaimed", async ({ event, context }) => {
  const { jobId, provider, collateral, executionDeadline, totalLocked } = event.args;
  await updateJob(context.db, event, jobId, { state: "Claimed", provider, collateral, executionDeadline });
  await addToTimeline(context.db, event, M, "JobClaimed", jobId);
  await updateProvider(context.db, provider, (p) => ({ locked: totalLocked, jobsClaimed: p.jobsClaimed + 1 }));
});

ponder.on("HashworkMarket:ResultSubmitted", async ({ event, context }) => {
  const { jobId, provider, resultHash, challengeEnd, outputURI } = event.args;
  await updateJob(context.db, event, jobId, { state: "Submitted", provider, resultHash, challengeEnd, outputURI });
  await addToTimeline(context.db, event, M, "ResultSubmitted", jobId);
  await updateProtocol(context.db, event, (p) => ({ jobsSubmitted: p.jobsSubmitted + 1 }));
});

ponder.on("HashworkMarket:JobFinalized", async ({ event, context }) => {
  const { jobId, provider, providerPayout, protocolFee, totalLocked } = event.args;
  await updateJob(context.db, event, jobId, { state: "Finalized", providerPayout, protocolFee });
  await addToTimeline(context.db, event, M, "JobFinalized", jobId);
  // The payout goes into the stake (PayoutCreditedToBalance, logged before, takes it back out
  // when the stake was full).
  await updateProvider(context.db, provider, (p) => ({
    staked: p.staked + providerPayout,
    locked: totalLocked,
    jobsDone: p.jobsDone + 1,
    earned: p.earned + providerPayout,
    feesPaid: p.feesPaid + protocolFee,
  }));
  await updateProviderDay(context.db, event, provider, { jobsDone: 1, earned: providerPayout, fees: protocolFee });
  await updateProtocol(context.db, event, (p) => ({
    escrowed: p.escrowed - providerPayout - protocolFee,
    feesCharged: p.feesCharged + protocolFee,
  }));
  await updateMarketDay(context.db, event, { jobsFinalized: 1, fees: protocolFee });
});

ponder.on("HashworkMarket:PayoutCreditedToBalance", async ({ event, context }) => {
  const { jobId, provider, amount } = event.args;
  // Job 0: a pay bucket's release (pay.ts), which names no job.
  if (jobId !== 0n) await addToTimeline(context.db, event, M, "PayoutCreditedToBalance", jobId);
  await updateProvider(context.db, provider, (p) => ({ staked: p.staked - amount }));
});

for (const name of ["JobCancelled", "JobExpired"] as const) {
  ponder.on(`HashworkMarket:${name}`, async ({ event, context }) => {
    const { jobId, refund } = event.args;
    await updateJob(context.db, event, jobId, { state: name === "JobCancelled" ? "Cancelled" : "Expired", refund });
    await addToTimeline(context.db, event, M, name, jobId);
    await updateProtocol(context.db, event, (p) => ({ escrowed: p.escrowed - refund }));
  });
}

ponder.on("HashworkMarket:JobTimedOut", async ({ event, context }) => {
  // The slash itself is StakeSlashed (stakes.ts).
  const { jobId, refund, collateralSlashed } = event.args;
  await updateJob(context.db, event, jobId, { state: "TimedOut", refund, collateralSlashed });
  await addToTimeline(context.db, event, M, "JobTimedOut", jobId);
  await updateProtocol(context.db, event, (p) => ({ escrowed: p.escrowed - refund }));
});

ponder.on("HashworkMarket:JobDisputed", async ({ event, context }) => {
  const { jobId, deadline } = event.args;
  // A job whose pay was deferred leaves its bucket (pay.ts): it settles as any other job.
  const row = await context.db.find(job, { id: jobId });
  if (row?.payBucket != null) await leaveBucket(context.db, jobId);
  await updateJob(context.db, event, jobId, {
    state: "Disputed",
    disputed: true,
    disputeDeadline: deadline,
    payBucket: null,
    payStatus: null,
    providerPayout: null,
    protocolFee: null,
  });
  await addToTimeline(context.db, event, M, "JobDisputed", jobId);
});

ponder.on("HashworkMarket:DisputeSettled", async ({ event, context }) => {
  const { jobId, providerWon, refund, collateralSlashed } = event.args;
  // A provider win also logged JobFinalized (before this event), which set the state.
  if (!providerWon) {
    await updateJob(context.db, event, jobId, { state: "Overturned", refund, collateralSlashed });
    await updateProtocol(context.db, event, (p) => ({ escrowed: p.escrowed - refund }));
  }
  await addToTimeline(context.db, event, M, "DisputeSettled", jobId);
});

ponder.on("HashworkMarket:DisputeVoided", async ({ event, context }) => {
  const { jobId, refund } = event.args;
  await updateJob(context.db, event, jobId, { state: "Voided", refund });
  await addToTimeline(context.db, event, M, "DisputeVoided", jobId);
  await updateProtocol(context.db, event, (p) => ({ escrowed: p.escrowed - refund }));
});
