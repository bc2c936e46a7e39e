/** Disputes from the dispute module's events: the challenge or audit, committees, votes, payouts. */
import { ponder } from "ponder:registry";
import { committeeSeat, dispute, disputePayout, job } from "ponder:schema";
import { zeroAddress } from "viem";

import { payoutRoleNames } from "../../sdk/src/abi/enums.ts";
import { addToTimeline, eventId, updateProtocol } from "../lib/records.ts";
import { updateVerifier } from "../lib/verifiers.ts";

const D = "disputes";

ponder.on("HashworkDisputes:DisputeOpened", async ({ event, context }) => {
  const { jobId, challenger, provider, providerHash, challengerHash, bond, seedBlock } = event.args;
  const isAudit = challenger === zeroAddress;
  // The market's JobDisputed, logged just before, carried the deadline (jobs.ts keeps it on the job).
  const deadline = (await context.db.find(job, { id: jobId }))?.disputeDeadline ?? null;
  await context.db.insert(dispute).values({
    jobId,
    challenger,
    isAudit,
    provider,
    providerHash,
    challengerHash,
    bond,
    seedBlock,
    openedSeedBlock: seedBlock,
    deadline,
    round: 0,
    phase: "AwaitingDraw",
    openedBlock: event.block.number,
    openedLogIndex: event.log.logIndex,
    openedTx: event.transaction.hash,
    openedAt: event.block.timestamp,
  });
  await addToTimeline(context.db, event, D, "DisputeOpened", jobId);
  await updateProtocol(context.db, event, (p) =>
    isAudit ? { auditsOpened: p.auditsOpened + 1 } : { disputesOpened: p.disputesOpened + 1 },
  );
});

ponder.on("HashworkDisputes:DrawRescheduled", async ({ event, context }) => {
  const { jobId, round, seedBlock } = event.args;
  await context.db.update(dispute, { jobId }).set({ round, seedBlock });
  await addToTimeline(context.db, event, D, "DrawRescheduled", jobId);
});

ponder.on("HashworkDisputes:CommitteeDrawn", async ({ event, context }) => {
  const { jobId, round, verifiers, votes, lockPerSeat, commitDeadline, revealDeadline } = event.args;
  await context.db.update(dispute, { jobId }).set({ round, phase: "Voting" });
  for (const [i, v] of verifiers.entries()) {
    await context.db.insert(committeeSeat).values({
      jobId,
      round,
      verifier: v,
      votes: votes[i]!,
      lockPerSeat,
      commitDeadline,
      revealDeadline,
      slashed: 0n,
    });
    await updateVerifier(context.db, v, (r) => ({ seats: r.seats + votes[i]! }));
  }
  await addToTimeline(context.db, event, D, "CommitteeDrawn", jobId);
});

ponder.on("HashworkDisputes:VoteCommitted", async ({ event, context }) => {
  const { jobId, round, verifier, commitment } = event.args;
  await context.db.update(committeeSeat, { jobId, round, verifier }).set({ commitment });
  await addToTimeline(context.db, event, D, "VoteCommitted", jobId);
});

ponder.on("HashworkDisputes:VoteRevealed", async ({ event, context }) => {
  const { jobId, round, verifier, resultHash } = event.args;
  await context.db.update(committeeSeat, { jobId, round, verifier }).set({ revealedHash: resultHash });
  await addToTimeline(context.db, event, D, "VoteRevealed", jobId);
});

ponder.on("HashworkDisputes:VerifierSlashed", async ({ event, context }) => {
  const { jobId, round, verifier, amount } = event.args;
  await context.db.update(committeeSeat, { jobId, round, verifier }).set((s) => ({ slashed: s.slashed + amount }));
  await addToTimeline(context.db, event, D, "VerifierSlashed", jobId);
});

ponder.on("HashworkDisputes:RoundFailed", async ({ event, context }) => {
  const { jobId, nextSeedBlock } = event.args;
  await context.db
    .update(dispute, { jobId })
    .set(nextSeedBlock === 0n ? { phase: "AwaitingArbiter" } : { phase: "AwaitingDraw", seedBlock: nextSeedBlock });
  await addToTimeline(context.db, event, D, "RoundFailed", jobId);
});

ponder.on("HashworkDisputes:ArbiterDecided", async ({ event, context }) => {
  const { jobId, arbiter } = event.args;
  await context.db.update(dispute, { jobId }).set({ arbiter });
  await addToTimeline(context.db, event, D, "ArbiterDecided", jobId);
});

ponder.on("HashworkDisputes:DisputePayout", async ({ event, context }) => {
  const { jobId, to, role, amount } = event.args;
  const roleName = payoutRoleNames[role] ?? String(role);
  await context.db.insert(disputePayout).values({
    id: eventId(event),
    jobId,
    to,
    role: roleName,
    amount,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
  if (roleName === "Verifier") await updateVerifier(context.db, to, (v) => ({ earned: v.earned + amount }));
  await addToTimeline(context.db, event, D, "DisputePayout", jobId);
});

ponder.on("HashworkDisputes:DisputeResolved", async ({ event, context }) => {
  const { jobId, providerRight, challengerRight, winningHash, honestVerifiers } = event.args;
  await context.db.update(dispute, { jobId }).set({
    phase: "Resolved",
    providerRight,
    challengerRight,
    winningHash,
    honestVerifiers,
    closedAt: event.block.timestamp,
  });
  await addToTimeline(context.db, event, D, "DisputeResolved", jobId);
});

ponder.on("HashworkDisputes:DisputeVoided", async ({ event, context }) => {
  const { jobId, bondReturned, potToTreasury } = event.args;
  await context.db.update(dispute, { jobId }).set({ phase: "Voided", bondReturned, potToTreasury, closedAt: event.block.timestamp });
  await addToTimeline(context.db, event, D, "DisputeVoided", jobId);
});

ponder.on("HashworkDisputes:ChallengeCommitted", async () => {
  // A commitment names no job until it is revealed (DisputeOpened): nothing to index yet.
});
ponder.on("HashworkDisputes:AuditSeedPinned", async () => {
  // Keeper housekeeping: no auditor-facing state.
});
ponder.on("HashworkDisputes:SurplusSwept", async () => {
  // A stray ledger deposit sent on to the treasury: the market's Withdrawn/Deposited carry the tokens.
});
