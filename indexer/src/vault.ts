/**
 * The solvency figure's two sides. `held`: the token's transfers into and out of the market.
 * `owed`: tokens that entered through the market (`Deposited`; `Staked` is in stakes.ts) minus
 * tokens it paid out (`Withdrawn`, `UnstakeWithdrawn`, `FeesWithdrawn`) — the only places the
 * market changes `totalOwed()`. A plain transfer to the market raises `held` only (a surplus).
 */
import { ponder } from "ponder:registry";

import { updateProtocol } from "../lib/records.ts";

ponder.on("TokenIntoMarket:Transfer", async ({ event, context }) => {
  if (event.args.from.toLowerCase() === event.args.to.toLowerCase()) return; // a self-transfer moves nothing
  await updateProtocol(context.db, event, (p) => ({ held: p.held + event.args.value }));
});

ponder.on("TokenOutOfMarket:Transfer", async ({ event, context }) => {
  if (event.args.from.toLowerCase() === event.args.to.toLowerCase()) return;
  await updateProtocol(context.db, event, (p) => ({ held: p.held - event.args.value }));
});

ponder.on("HashworkMarket:Deposited", async ({ event, context }) => {
  await updateProtocol(context.db, event, (p) => ({ owed: p.owed + event.args.amount }));
});

ponder.on("HashworkMarket:Withdrawn", async ({ event, context }) => {
  await updateProtocol(context.db, event, (p) => ({ owed: p.owed - event.args.amount }));
});

ponder.on("HashworkMarket:FeesWithdrawn", async ({ event, context }) => {
  const { amount } = event.args;
  await updateProtocol(context.db, event, (p) => ({ owed: p.owed - amount, feesWithdrawn: p.feesWithdrawn + amount }));
});

ponder.on("HashworkMarket:SurplusSwept", async ({ event, context }) => {
  await updateProtocol(context.db, event, (p) => ({ surplusSwept: p.surplusSwept + event.args.amount }));
});

ponder.on("HashworkMarket:AuditFunded", async ({ event, context }) => {
  const { amount, reserveLeft } = event.args;
  await updateProtocol(context.db, event, (p) => ({ auditFunded: p.auditFunded + amount, auditReserveLeft: reserveLeft }));
});

ponder.on("HashworkMarket:AuditRefunded", async ({ event, context }) => {
  const { amount, reserveLeft } = event.args;
  await updateProtocol(context.db, event, (p) => ({ auditRefunded: p.auditRefunded + amount, auditReserveLeft: reserveLeft }));
});
