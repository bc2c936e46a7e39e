/**
 * `hashwork gov …`: token-holder governance through the governor and the timelock
 * (docs/governance.md). propose → vote → queue → (the timelock's delay) → execute; the guardian
 * may cancel a queued change; `gov show` lists proposals with their state and, once queued, the
 * time each change takes effect.
 */
import { getAddress, isAddress, type Address } from "viem";

import { cancelQueuedChange } from "../actions/governance/cancel-queued-change.ts";
import { castVote, VOTE_SUPPORT, type VoteSupport } from "../actions/governance/cast-vote.ts";
import { delegateVotes } from "../actions/governance/delegate-votes.ts";
import { executeProposal } from "../actions/governance/execute-proposal.ts";
import { listProposals, type ProposalSummary } from "../actions/governance/list-proposals.ts";
import { proposeChange } from "../actions/governance/propose-change.ts";
import { queueProposal } from "../actions/governance/queue-proposal.ts";
import { GOVERNED_FUNCTIONS, parseCallArguments, type GovernedContract } from "../actions/governance/shared.ts";
import { InvalidParameterError } from "../errors/sdk.ts";
import type { HashworkBaseClient } from "../utils/client.ts";
import { UsageError, type Command, type OptionValues } from "./args.ts";
import { connect, connectionOptions, jsonOption, writeOptions } from "./connect.ts";
import { CliError } from "./errors.ts";
import { formatFields, formatTable, formatTime, printResult, withProgress } from "./output.ts";
import { parseInteger, stringOption } from "./values.ts";

const governorOption = {
  governor: { type: "string", placeholder: "ADDR", description: "governor address (default: HASHWORK_GOVERNOR, else the deployment's)" },
} as const;

const idArgument = [{ name: "ID", description: "proposal id (decimal, as `gov show` prints it)" }] as const;

function parseProposalId(value: string | undefined): bigint {
  return parseInteger(value, "ID", { min: 1n });
}

/** `market.setFeeBps(250)` → contract, function and text arguments (split at top-level commas). */
export function parseCall(text: string): { contract: GovernedContract; functionName: string; args: string[] } {
  const m = /^(\w+)\.(\w+)\((.*)\)$/s.exec(text.trim());
  if (!m) throw new UsageError(`CALL must look like contract.function(arg, …), e.g. "market.setFeeBps(250)"; got "${text}"`);
  const [, contract, functionName, inner] = m as unknown as [string, GovernedContract, string, string];
  if (!(contract in GOVERNED_FUNCTIONS))
    throw new UsageError(`CALL: unknown contract "${contract}"; one of ${Object.keys(GOVERNED_FUNCTIONS).join(", ")}`);
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of inner) {
    if (ch === "{" || ch === "[") depth++;
    if (ch === "}" || ch === "]") depth--;
    if (ch === "," && depth === 0) {
      args.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "" || args.length > 0) args.push(current.trim());
  try {
    parseCallArguments(contract, functionName, args);
  } catch (error) {
    if (error instanceof InvalidParameterError) throw new UsageError(`CALL: ${error.details ?? error.shortMessage}`);
    throw error;
  }
  return { contract, functionName, args: args.map((a) => a.replace(/^"(.*)"$/s, "$1")) };
}

/** The connection's client with the governor from `--governor` / `HASHWORK_GOVERNOR` when given. */
async function governance(options: OptionValues, sign: boolean): Promise<{ client: HashworkBaseClient; account?: Address }> {
  const given = stringOption(options.governor) ?? process.env.HASHWORK_GOVERNOR;
  if (given !== undefined && !isAddress(given, { strict: false })) throw new UsageError(`--governor must be an address, got "${given}"`);
  const connection = await connect(options, { sign });
  const deployment = { ...connection.client.deployment, ...(given ? { governor: getAddress(given) } : {}) };
  if (!deployment.governor) throw new CliError(`no governor known for chain ${connection.chainId}: pass --governor ADDR`);
  return { client: { ...connection.client, deployment }, account: connection.account };
}

const tx = (r: { transactionHash: string }) => r.transactionHash;

/** `hashwork gov propose CALL --description TEXT` */
export const govPropose: Command = {
  path: ["gov", "propose"],
  summary: "Propose a change to a market or dispute-module parameter (an owner function, by name)",
  args: [{ name: "CALL", description: `contract.function(args), contract one of ${Object.keys(GOVERNED_FUNCTIONS).join(", ")}` }],
  options: {
    description: {
      type: "string",
      required: true,
      placeholder: "TEXT",
      description: "what the change is and why (identifies the proposal)",
    },
    ...governorOption,
    ...writeOptions,
    ...jsonOption,
  },
  notes: `Examples:
  hashwork gov propose "market.setFeeBps(250)" --description "Raise the fee to 2.5%"
  hashwork gov propose "market.setExecutionTimeBounds(60, 86400)" --description "…"
Owner functions: market: ${GOVERNED_FUNCTIONS.market.join(", ")};
disputes: ${GOVERNED_FUNCTIONS.disputes.join(", ")}; timelock: ${GOVERNED_FUNCTIONS.timelock.join(", ")}.
Struct arguments (disputes.setConfig) are JSON objects. You need the proposal threshold in
delegated votes (hashwork gov delegate).`,
  async run(options, args) {
    const json = options.json === true;
    const call = parseCall(args.CALL!);
    const description = stringOption(options.description)!;
    const { client } = await governance(options, true);
    const r = await withProgress("proposing", json, () => proposeChange(client, { calls: [call], description }));
    return printResult(
      json,
      { proposalId: r.proposalId, call, description, transactionHash: r.transactionHash },
      () => `Proposed ${r.proposalId} (${tx(r)})`,
    );
  },
};

/** `hashwork gov vote ID --support for|against|abstain` */
export const govVote: Command = {
  path: ["gov", "vote"],
  summary: "Vote on an active proposal with your delegated votes",
  args: idArgument,
  options: {
    support: { type: "string", required: true, placeholder: "CHOICE", description: "for, against or abstain" },
    reason: { type: "string", placeholder: "TEXT", description: "recorded with the vote" },
    ...governorOption,
    ...writeOptions,
    ...jsonOption,
  },
  async run(options, args) {
    const json = options.json === true;
    const proposalId = parseProposalId(args.ID);
    const support = stringOption(options.support) as VoteSupport;
    if (!(support in VOTE_SUPPORT)) throw new UsageError(`--support must be for, against or abstain; got "${support}"`);
    const { client } = await governance(options, true);
    const r = await withProgress("voting", json, () => castVote(client, { proposalId, support, reason: stringOption(options.reason) }));
    return printResult(
      json,
      { proposalId, support, weight: r.weight, transactionHash: r.transactionHash },
      () => `Voted ${support} on ${proposalId} with ${r.weight} votes (${tx(r)})`,
    );
  },
};

/** `hashwork gov queue ID` */
export const govQueue: Command = {
  path: ["gov", "queue"],
  summary: "Queue a passed proposal in the timelock (it runs after the delay)",
  args: idArgument,
  options: { ...governorOption, ...writeOptions, ...jsonOption },
  async run(options, args) {
    const json = options.json === true;
    const proposalId = parseProposalId(args.ID);
    const { client } = await governance(options, true);
    const r = await withProgress("queueing", json, () => queueProposal(client, { proposalId }));
    return printResult(
      json,
      { proposalId, eta: r.eta, transactionHash: r.transactionHash },
      () => `Queued ${proposalId}; it takes effect at ${formatTime(r.eta)} (${tx(r)})`,
    );
  },
};

/** `hashwork gov execute ID` */
export const govExecute: Command = {
  path: ["gov", "execute"],
  summary: "Execute a queued proposal whose delay has passed (anyone may)",
  args: idArgument,
  options: { ...governorOption, ...writeOptions, ...jsonOption },
  async run(options, args) {
    const json = options.json === true;
    const proposalId = parseProposalId(args.ID);
    const { client } = await governance(options, true);
    const r = await withProgress("executing", json, () => executeProposal(client, { proposalId }));
    return printResult(json, { proposalId, transactionHash: r.transactionHash }, () => `Executed ${proposalId} (${tx(r)})`);
  },
};

/** `hashwork gov cancel ID` */
export const govCancel: Command = {
  path: ["gov", "cancel"],
  summary: "Cancel a queued change in the timelock (the guardian's only power)",
  args: idArgument,
  options: { ...governorOption, ...writeOptions, ...jsonOption },
  async run(options, args) {
    const json = options.json === true;
    const proposalId = parseProposalId(args.ID);
    const { client } = await governance(options, true);
    const r = await withProgress("cancelling", json, () => cancelQueuedChange(client, { proposalId }));
    return printResult(
      json,
      { proposalId, operationId: r.operationId, transactionHash: r.transactionHash },
      () => `Cancelled ${proposalId} (operation ${r.operationId}, ${tx(r)})`,
    );
  },
};

/** `hashwork gov delegate [--to ADDR]` */
export const govDelegate: Command = {
  path: ["gov", "delegate"],
  summary: "Delegate your governance-token votes (to yourself by default)",
  options: {
    to: { type: "string", placeholder: "ADDR", description: "delegatee (default: you)" },
    ...governorOption,
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const to = stringOption(options.to);
    if (to !== undefined && !isAddress(to, { strict: false })) throw new UsageError(`--to must be an address, got "${to}"`);
    const { client } = await governance(options, true);
    const r = await withProgress("delegating", json, () => delegateVotes(client, { delegatee: to ? getAddress(to) : undefined }));
    return printResult(
      json,
      { delegatee: r.delegatee, transactionHash: r.transactionHash },
      () => `Delegated your votes to ${r.delegatee} (${tx(r)})`,
    );
  },
};

export function describeCalls(p: ProposalSummary): string {
  return p.calls
    .map((c) =>
      c.functionName
        ? `${c.contract}.${c.functionName}(${(c.args ?? []).map((a) => (typeof a === "object" ? JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) : String(a))).join(", ")})`
        : `${c.target} ${c.data.slice(0, 10)}`,
    )
    .join("; ");
}

/** `hashwork gov show [ID]` */
export const govShow: Command = {
  path: ["gov", "show"],
  summary: "List proposals: state, votes, calls, and when each queued change takes effect",
  args: [{ name: "ID", description: "only this proposal", optional: true }],
  options: { ...governorOption, ...connectionOptions, ...jsonOption },
  async run(options, args) {
    const json = options.json === true;
    const only = args.ID === undefined ? undefined : parseProposalId(args.ID);
    const { client } = await governance(options, false);
    const r = await listProposals(client);
    const proposals = only === undefined ? r.proposals : r.proposals.filter((p) => p.proposalId === only);
    if (only !== undefined && proposals.length === 0) throw new CliError(`no proposal ${only}`);
    const value = { ...r, proposals };
    return printResult(json, value, () =>
      [
        formatFields([
          ["timelock", r.timelock.address],
          ["delay", `${r.timelock.delay} s (bound ${r.timelock.minDelayBound} s: unbonding + longest job + longest dispute)`],
          ["now", formatTime(r.now)],
        ]),
        "",
        formatTable(
          ["id", "state", "for/against/abstain", "takes effect", "calls", "description"],
          proposals.map((p) => [
            p.proposalId.toString(),
            p.state,
            `${p.votes.for}/${p.votes.against}/${p.votes.abstain}`,
            p.eta === 0n
              ? "-"
              : `${formatTime(p.eta)}${p.state === "Queued" ? (p.eta > r.now ? ` (in ${p.eta - r.now} s)` : " (ready)") : ""}`,
            describeCalls(p),
            p.description,
          ]),
        ),
      ].join("\n"),
    );
  },
};

/** Every `gov` command, registered in hashwork.ts as one entry. */
export const govCommands: readonly Command[] = [govPropose, govVote, govQueue, govExecute, govCancel, govDelegate, govShow];
