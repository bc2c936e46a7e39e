/**
 * Governance changes: the market's and the dispute module's parameter events, the fee schedule,
 * pauses, and the timelock's operations (scheduled → executed or cancelled) and the governor's
 * proposals, so the dashboard can show what is pending and when it takes effect.
 */
import { ponder } from "ponder:registry";
import { governanceChange } from "ponder:schema";
import { eq, replaceBigInts } from "ponder";
import { hexToString, type Hex } from "viem";

import { eventId, updateProtocol, type LogEvent } from "../lib/records.ts";

const name = (b: Hex) => hexToString(b, { size: 32 }).replace(/\0+$/, "");
const text = (v: unknown) => JSON.stringify(replaceBigInts(v as object, (x) => x.toString()));

async function record(
  db: Parameters<typeof updateProtocol>[0],
  e: LogEvent,
  row: {
    contract: string;
    kind: string;
    parameter?: string;
    oldValue?: string;
    newValue?: string;
    reference?: string;
    status?: string;
    effectiveAt?: bigint;
  },
) {
  await db.insert(governanceChange).values({
    id: eventId(e),
    status: "applied",
    ...row,
    blockNumber: e.block.number,
    timestamp: e.block.timestamp,
    txHash: e.transaction.hash,
  });
}

ponder.on("HashworkMarket:ParameterChanged", async ({ event, context }) => {
  const { parameter, oldValue, newValue } = event.args;
  await record(context.db, event, {
    contract: "market",
    kind: "ParameterChanged",
    parameter: name(parameter),
    oldValue: String(oldValue),
    newValue: String(newValue),
  });
});

ponder.on("HashworkMarket:AddressChanged", async ({ event, context }) => {
  const { parameter, oldValue, newValue } = event.args;
  await record(context.db, event, { contract: "market", kind: "AddressChanged", parameter: name(parameter), oldValue, newValue });
});

ponder.on("HashworkMarket:FeeChangeScheduled", async ({ event, context }) => {
  const { previousBps, newBps, effectiveAt } = event.args;
  const pending = effectiveAt > event.block.timestamp;
  await record(context.db, event, {
    contract: "market",
    kind: "FeeChangeScheduled",
    parameter: "feeBps",
    oldValue: String(previousBps),
    newValue: String(newBps),
    status: pending ? "scheduled" : "applied",
    effectiveAt,
  });
  await updateProtocol(context.db, event, () => ({ feeBps: newBps, feePreviousBps: previousBps, feeChangeAt: effectiveAt }));
});

ponder.on("HashworkMarket:MarketPausedChanged", async ({ event, context }) => {
  const { paused, by } = event.args;
  await record(context.db, event, {
    contract: "market",
    kind: "MarketPausedChanged",
    parameter: "paused",
    newValue: String(paused),
    oldValue: by,
  });
  await updateProtocol(context.db, event, () => ({ paused }));
});

for (const c of ["HashworkMarket", "HashworkDisputes"] as const) {
  ponder.on(`${c}:OwnershipTransferred`, async ({ event, context }) => {
    const { previousOwner, newOwner } = event.args;
    await record(context.db, event, {
      contract: c === "HashworkMarket" ? "market" : "disputes",
      kind: "OwnershipTransferred",
      parameter: "owner",
      oldValue: previousOwner,
      newValue: newOwner,
    });
  });
  ponder.on(`${c}:OwnershipTransferStarted`, async ({ event, context }) => {
    const { previousOwner, newOwner } = event.args;
    await record(context.db, event, {
      contract: c === "HashworkMarket" ? "market" : "disputes",
      kind: "OwnershipTransferStarted",
      parameter: "owner",
      oldValue: previousOwner,
      newValue: newOwner,
      status: "scheduled",
    });
  });
}

ponder.on("HashworkDisputes:ConfigChanged", async ({ event, context }) => {
  await record(context.db, event, { contract: "disputes", kind: "ConfigChanged", parameter: "config", newValue: text(event.args.config) });
});

ponder.on("HashworkDisputes:ArbiterChanged", async ({ event, context }) => {
  const { previous, current } = event.args;
  await record(context.db, event, {
    contract: "disputes",
    kind: "ArbiterChanged",
    parameter: "arbiter",
    oldValue: previous,
    newValue: current,
  });
});

// The timelock: a scheduled call is pending until executed (or cancelled); `effectiveAt` is when
// it may run.
ponder.on("HashworkTimelock:CallScheduled", async ({ event, context }) => {
  const { id, index, target, data, delay } = event.args;
  await record(context.db, event, {
    contract: "timelock",
    kind: "CallScheduled",
    parameter: `${target}#${index}`,
    newValue: data,
    reference: id,
    status: "scheduled",
    effectiveAt: event.block.timestamp + delay,
  });
});

async function closeOperation(db: Parameters<typeof updateProtocol>[0], reference: string, status: string) {
  const rows = await db.sql.select().from(governanceChange).where(eq(governanceChange.reference, reference));
  for (const r of rows) if (r.status === "scheduled") await db.update(governanceChange, { id: r.id }).set({ status });
}

ponder.on("HashworkTimelock:CallExecuted", async ({ event, context }) => {
  await closeOperation(context.db, event.args.id, "executed");
  await record(context.db, event, {
    contract: "timelock",
    kind: "CallExecuted",
    reference: event.args.id,
    parameter: event.args.target,
    newValue: event.args.data,
  });
});

ponder.on("HashworkTimelock:Cancelled", async ({ event, context }) => {
  await closeOperation(context.db, event.args.id, "cancelled");
  await record(context.db, event, { contract: "timelock", kind: "Cancelled", reference: event.args.id });
});

ponder.on("HashworkTimelock:MinDelayChange", async ({ event, context }) => {
  const { oldDuration, newDuration } = event.args;
  await record(context.db, event, {
    contract: "timelock",
    kind: "MinDelayChange",
    parameter: "minDelay",
    oldValue: String(oldDuration),
    newValue: String(newDuration),
  });
});

ponder.on("HashworkGovernor:ProposalCreated", async ({ event, context }) => {
  const { proposalId, proposer, voteStart, voteEnd, description } = event.args;
  await record(context.db, event, {
    contract: "governor",
    kind: "ProposalCreated",
    reference: String(proposalId),
    parameter: proposer,
    newValue: description,
    status: "scheduled",
    effectiveAt: voteEnd,
    oldValue: String(voteStart),
  });
});

ponder.on("HashworkGovernor:ProposalQueued", async ({ event, context }) => {
  const { proposalId, etaSeconds } = event.args;
  await record(context.db, event, {
    contract: "governor",
    kind: "ProposalQueued",
    reference: String(proposalId),
    status: "scheduled",
    effectiveAt: etaSeconds,
  });
});

for (const [ev, status] of [
  ["ProposalExecuted", "executed"],
  ["ProposalCanceled", "cancelled"],
] as const) {
  ponder.on(`HashworkGovernor:${ev}`, async ({ event, context }) => {
    await closeOperation(context.db, String(event.args.proposalId), status);
    await record(context.db, event, { contract: "governor", kind: ev, reference: String(event.args.proposalId) });
  });
}

ponder.on("HashworkGovernor:VoteCast", async ({ event, context }) => {
  const { voter, proposalId, support, weight } = event.args;
  await record(context.db, event, {
    contract: "governor",
    kind: "VoteCast",
    reference: String(proposalId),
    parameter: voter,
    newValue: `${support}:${weight}`,
  });
});
