/** Providers from the registry's and the reputation module's events: stake, locks, reputation. */
import { ponder } from "ponder:registry";
import { reputationChange } from "ponder:schema";
import { hexToString } from "viem";

import { eventId, updateMarketDay, updateProtocol, updateProvider, updateProviderDay } from "../lib/records.ts";

ponder.on("HashworkMarket:ProviderRegistered", async ({ event, context }) => {
  const { provider, providerId } = event.args;
  await updateProvider(context.db, provider, () => ({ providerId, registeredBlock: event.block.number }));
});

ponder.on("HashworkMarket:ProviderProfileUpdated", async ({ event, context }) => {
  const { provider, endpoint, pricePerFuel, maxFuel } = event.args;
  await updateProvider(context.db, provider, () => ({ endpoint, pricePerFuel, maxFuel }));
});

ponder.on("HashworkMarket:Staked", async ({ event, context }) => {
  const { provider, amount, totalStaked } = event.args;
  await updateProvider(context.db, provider, () => ({ staked: totalStaked }));
  await updateProtocol(context.db, event, (p) => ({ owed: p.owed + amount }));
});

ponder.on("HashworkMarket:UnstakeRequested", async ({ event, context }) => {
  const { provider, amount, unlockAt } = event.args;
  await updateProvider(context.db, provider, (p) => ({ staked: p.staked - amount, unbonding: p.unbonding + amount, unlockAt }));
});

ponder.on("HashworkMarket:UnstakeWithdrawn", async ({ event, context }) => {
  const { provider, amount } = event.args;
  await updateProvider(context.db, provider, () => ({ unbonding: 0n }));
  await updateProtocol(context.db, event, (p) => ({ owed: p.owed - amount }));
});

ponder.on("HashworkMarket:StakeUnlocked", async ({ event, context }) => {
  const { provider, totalLocked } = event.args;
  await updateProvider(context.db, provider, () => ({ locked: totalLocked }));
});

ponder.on("HashworkMarket:StakeSlashed", async ({ event, context }) => {
  const { provider, amount } = event.args;
  await updateProvider(context.db, provider, (p) => ({
    staked: p.staked - amount,
    locked: p.locked - amount,
    slashed: p.slashed + amount,
  }));
  await updateProviderDay(context.db, event, provider, { slashed: amount });
  await updateMarketDay(context.db, event, { slashed: amount });
});

/** `ReputationChanged.kind` is a bytes32 string; these are the counters it names. */
const COUNTERS = { timedOut: "timedOut", disputeLost: "disputesLost", disputeWon: "disputesWon" } as const;

ponder.on("HashworkMarket:ReputationChanged", async ({ event, context }) => {
  const { provider, newCount } = event.args;
  const kind = hexToString(event.args.kind, { size: 32 }).replace(/\0+$/, "");
  await context.db.insert(reputationChange).values({
    id: eventId(event),
    provider,
    kind,
    newCount,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
  const column = COUNTERS[kind as keyof typeof COUNTERS];
  if (column) await updateProvider(context.db, provider, () => ({ [column]: newCount }));
});
