/** Verifier bonds from the pool's events (the tokens themselves sit in the market's ledger). */
import { ponder } from "ponder:registry";

import { updateVerifier } from "../lib/verifiers.ts";

ponder.on("VerifierPool:Bonded", async ({ event, context }) => {
  await updateVerifier(context.db, event.args.verifier, () => ({ bonded: event.args.bonded }));
});

ponder.on("VerifierPool:WithdrawalRequested", async ({ event, context }) => {
  const { verifier, amount, bonded, unlockAt } = event.args;
  await updateVerifier(context.db, verifier, (v) => ({ bonded, pending: v.pending + amount, unlockAt }));
});

ponder.on("VerifierPool:Withdrawn", async ({ event, context }) => {
  await updateVerifier(context.db, event.args.verifier, (v) => ({ pending: v.pending - event.args.amount }));
});

ponder.on("VerifierPool:BondLocked", async ({ event, context }) => {
  await updateVerifier(context.db, event.args.verifier, () => ({ locked: event.args.locked }));
});

ponder.on("VerifierPool:BondUnlocked", async ({ event, context }) => {
  await updateVerifier(context.db, event.args.verifier, () => ({ locked: event.args.locked }));
});

ponder.on("VerifierPool:BondSlashed", async ({ event, context }) => {
  const { verifier, amount, bonded } = event.args;
  // The slash comes out of the lock. When it reaches past the bond into a pending withdrawal the
  // pool lowers `pending` without an event of its own; `pending` can then overstate (rare: a
  // verifier withdrawing while seated and losing).
  await updateVerifier(context.db, verifier, (v) => ({ bonded, locked: v.locked - amount, slashed: v.slashed + amount }));
});

ponder.on("VerifierPool:SurplusSwept", async () => {
  // A stray ledger deposit sent on to the treasury: no verifier's bond changes.
});
ponder.on("VerifierPool:DisputeModuleAdded", async () => {
  // Which modules may lock bonds: governance wiring, shown by the module's own events.
});
