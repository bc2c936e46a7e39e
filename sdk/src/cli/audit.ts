import { phaseNames, type JobStateName, type PhaseName } from "../abi/enums.ts";
import type { LedgerAccount } from "../actions/auditor/check-solvency.ts";
import type { DisputeSummary } from "../actions/auditor/list-disputes.ts";
import { listProposals, type ProposalSummary } from "../actions/governance/list-proposals.ts";
import { isTerminalJobState } from "../utils/job-state.ts";
import { UsageError, type Command } from "./args.ts";
import { connect, connectionOptions, jsonOption, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { describeCalls } from "./gov.ts";
import { jobFields, termsAsPosted } from "./job-read.ts";
import { indexerBlock, indexerOption, parseIndexer } from "./indexer-option.ts";
import {
  committeeTable,
  formatAmount,
  formatFields,
  formatTable,
  formatTime,
  printJson,
  printLine,
  shortHex,
  withProgress,
} from "./output.ts";
import { SCORE_NOTES, checkScoreReward, providerFields, scoreReward, scoreRewardOption } from "./provider-account.ts";
import { resolveJobId } from "./job-ref.ts";
import { parseAddress, parseInteger, stringOption } from "./values.ts";

const OPEN_PHASES: readonly PhaseName[] = ["AwaitingDraw", "Voting", "AwaitingArbiter"];

function disputeTable(disputes: readonly DisputeSummary[], token: TokenInfo): string {
  return formatTable(
    ["job", "kind", "phase", "round", "provider", "challenger", "bond", "opened"],
    disputes.map((d) => [
      d.jobId.toString(),
      d.isAudit ? "audit" : "challenge",
      d.phase,
      d.round.toString(),
      shortHex(d.provider, 8),
      d.isAudit ? "-" : shortHex(d.challenger, 8),
      formatAmount(d.bond, token),
      `block ${d.openedBlock}`,
    ]),
  );
}

/** A dispute module's or verifier pool's ledger account against what it owes, on one line. */
function ledgerLine(account: LedgerAccount, token: TokenInfo): string {
  const surplus = account.surplus === 0n ? "" : `, surplus ${formatAmount(account.surplus, token)}`;
  return `${account.address}: owes ${formatAmount(account.totalHeld, token)}, ledger ${formatAmount(account.ledgerBalance, token)}${surplus} (${account.consistent ? "consistent" : "INCONSISTENT"})`;
}

const limitOption = { limit: { type: "string", placeholder: "N", description: "show at most the N most recent (default 10)" } } as const;

function parseLimit(value: string | string[] | boolean | undefined): number {
  return Number(parseInteger(stringOption(value) ?? "10", "--limit", { min: 1n, max: 100000n }));
}

/** Governance states in which a change may still take effect. */
const PENDING_STATES = ["Pending", "Active", "Succeeded", "Queued"] as const;

/** Proposals that may still change the market (undefined when the deployment has no governor). */
async function pendingChanges(client: Parameters<typeof listProposals>[0]): Promise<ProposalSummary[] | undefined> {
  if (client.deployment.governor === undefined) return undefined;
  return (await listProposals(client, { states: [...PENDING_STATES] })).proposals;
}

function pendingTable(pending: ProposalSummary[]): string {
  return formatTable(
    ["state", "change", "takes effect"],
    pending.map((p) => [p.state, describeCalls(p), p.eta === 0n ? "after the vote and the timelock delay" : formatTime(p.eta)]),
  );
}

/** `hashwork audit`: solvency, totals, recent disputes, pending governance changes. */
export const auditOverview: Command = {
  path: ["audit"],
  summary: "Market overview: solvency (tokens held vs owed), job totals by state, recent disputes, pending governance changes",
  options: { ...limitOption, ...indexerOption, ...connectionOptions, ...jsonOption },
  async run(options) {
    const json = options.json === true;
    const limit = parseLimit(options.limit);
    const indexer = parseIndexer(options);
    const connection = await connect(options);
    const { client } = connection;
    const [solvency, jobs, disputes, token, pending] = await withProgress("reading the market", json, async () => {
      // With an indexer, as of the block it has indexed (it follows the chain a few blocks back).
      const pinned = await indexerBlock(client, indexer);
      const solvency = await client.checkSolvency(pinned === undefined ? {} : { blockNumber: pinned });
      // Pin every read to the solvency block, so the figures agree with each other.
      return Promise.all([
        solvency,
        client.listJobs({ toBlock: solvency.blockNumber, indexer }),
        client.listDisputes({ toBlock: solvency.blockNumber, indexer }),
        connection.token(),
        pendingChanges(client),
      ]);
    });
    const byState: Partial<Record<JobStateName, number>> = {};
    let escrowed = 0n;
    for (const job of jobs) {
      byState[job.state] = (byState[job.state] ?? 0) + 1;
      if (!isTerminalJobState(job.state)) escrowed += job.request.reward;
    }
    const open = disputes.filter((d) => OPEN_PHASES.includes(d.phase));
    const recent = disputes.slice(-limit).reverse();
    if (json) {
      printJson({
        chainId: connection.chainId,
        market: client.deployment.market,
        token,
        solvency,
        jobs: { total: jobs.length, byState, escrowedRewards: escrowed },
        disputes: { total: disputes.length, open: open.length, recent },
        governance: pending,
      });
      return solvency.solvent ? 0 : 1;
    }
    printLine(`Market ${client.deployment.market} on chain ${connection.chainId}, block ${solvency.blockNumber}`);
    printLine();
    printLine(
      formatFields([
        ["solvent", solvency.solvent ? "yes" : "NO"],
        ["token balance", formatAmount(solvency.balance, token)],
        ["total owed", formatAmount(solvency.totalOwed, token)],
        ["accrued fees", formatAmount(solvency.accruedFees, token)],
        ["audit reserve", formatAmount(solvency.auditReserve, token)],
        ["surplus", formatAmount(solvency.surplus, token)],
        ["deficit", solvency.deficit === 0n ? undefined : formatAmount(solvency.deficit, token)],
        ["dispute module", solvency.disputes ? ledgerLine(solvency.disputes, token) : undefined],
        ["verifier pool", solvency.verifierPool ? ledgerLine(solvency.verifierPool, token) : undefined],
      ]),
    );
    printLine();
    printLine(`Jobs: ${jobs.length} (rewards in escrow: ${formatAmount(escrowed, token)})`);
    const states = Object.entries(byState);
    if (states.length > 0)
      printLine(
        formatTable(
          ["state", "jobs"],
          states.map(([s, n]) => [s, String(n)]),
        ),
      );
    printLine();
    printLine(`Disputes: ${disputes.length} (${open.length} open); most recent:`);
    printLine(disputeTable(recent, token));
    if (pending) {
      printLine();
      printLine(`Pending governance changes: ${pending.length === 0 ? "none" : pending.length}`);
      if (pending.length > 0) printLine(pendingTable(pending));
    }
    return solvency.solvent ? 0 : 1;
  },
};

/** `hashwork audit provider ADDR` */
export const auditProvider: Command = {
  path: ["audit", "provider"],
  summary: "One provider: stake, reputation, profile and the disputes over its results",
  args: [{ name: "ADDR", description: "the provider's address" }],
  options: { ...indexerOption, ...connectionOptions, ...scoreRewardOption, ...jsonOption },
  notes: SCORE_NOTES,
  async run(options, args) {
    const provider = parseAddress(args.ADDR, "ADDR");
    checkScoreReward(options);
    const indexer = parseIndexer(options);
    const json = options.json === true;
    const connection = await connect(options);
    const reward = await scoreReward(options, connection);
    const [details, disputes] = await withProgress("reading the provider", json, () =>
      Promise.all([connection.client.getProvider({ provider, reward }), connection.client.listDisputes({ provider, indexer })]),
    );
    if (json) {
      printJson({ ...details, disputes });
      return 0;
    }
    const token = await connection.token();
    printLine(formatFields(providerFields(details, token)));
    printLine();
    printLine(`Disputes over its results: ${disputes.length}`);
    if (disputes.length > 0) printLine(disputeTable(disputes, token));
    return 0;
  },
};

/** `hashwork audit job ID` */
export const auditJob: Command = {
  path: ["audit", "job"],
  summary: "One job: its state, terms, result, dispute (committee and votes) and full event history",
  args: [{ name: "ID", description: "the job id (decimal or 0x-hex)" }],
  options: { ...indexerOption, ...connectionOptions, ...jsonOption },
  async run(options, args) {
    const jobId = await resolveJobId(args.ID, options);
    const json = options.json === true;
    const indexer = parseIndexer(options);
    const connection = await connect(options);
    const { client } = connection;
    const [record, history] = await withProgress(`reading job ${jobId}`, json, async () => {
      const blockNumber = (await indexerBlock(client, indexer)) ?? (await client.publicClient.getBlockNumber());
      return Promise.all([client.getJob({ jobId, blockNumber }), client.getJobHistory({ jobId, toBlock: blockNumber, indexer })]);
    });
    // Past submission the record's windows read 0: show the terms as posted, like `job status`.
    const job = termsAsPosted(record, history);
    if (job.state === "None") throw new CliError(`no job ${jobId} on this market`);
    const disputed = history.some((e) => e.eventName === "JobDisputed");
    const dispute = disputed ? await client.getDispute({ jobId }) : undefined;
    if (json) {
      printJson({ job, dispute: dispute ?? null, history });
      return 0;
    }
    const token = await connection.token();
    printLine(formatFields(jobFields(job, token)));
    if (dispute) {
      printLine();
      printLine(
        formatFields([
          [
            "dispute",
            `${dispute.isAudit ? "random audit" : `challenged by ${dispute.challenger}`}, phase ${dispute.phase}, round ${dispute.round}`,
          ],
          ["challenger hash", dispute.isAudit ? undefined : dispute.challengerHash],
          ["bond", formatAmount(dispute.bond, token)],
          ["votes", `${dispute.committed} committed, ${dispute.revealed} revealed of ${dispute.size} seats (${dispute.members} verifiers)`],
          ["pool snapshot", dispute.phase === "None" ? undefined : `block ${dispute.snapshotBlock}`],
          ["commit by", formatTime(dispute.commitDeadline)],
          ["reveal by", formatTime(dispute.revealDeadline)],
          ["voidable after", dispute.voidableAfter === undefined ? undefined : formatTime(dispute.voidableAfter)],
        ]),
      );
      if (dispute.committee.length > 0) {
        printLine(committeeTable(dispute.committee, token));
      }
    }
    printLine();
    printLine("History:");
    printLine(
      formatTable(
        ["block", "contract", "event", "transaction"],
        history.map((e) => [e.blockNumber.toString(), e.contract, e.eventName, e.transactionHash]),
      ),
    );
    return 0;
  },
};

/** `hashwork audit disputes` */
export const auditDisputes: Command = {
  path: ["audit", "disputes"],
  summary: "List disputes (challenges and random audits) with their phase",
  options: {
    phase: {
      type: "string",
      placeholder: "PHASE",
      description: `only this phase: open, or one of ${phaseNames.filter((p) => p !== "None").join(", ")}`,
    },
    provider: { type: "string", placeholder: "ADDR", description: "only disputes over this provider's results" },
    challenger: { type: "string", placeholder: "ADDR", description: "only challenges by this address" },
    ...limitOption,
    ...indexerOption,
    ...connectionOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const limit = parseLimit(options.limit);
    const indexer = parseIndexer(options);
    const phase = stringOption(options.phase);
    let phases: readonly PhaseName[] | undefined;
    if (phase === "open") phases = OPEN_PHASES;
    else if (phase !== undefined) {
      if (!(phaseNames as readonly string[]).includes(phase) || phase === "None") {
        throw new UsageError(`--phase must be open or one of ${phaseNames.filter((p) => p !== "None").join(", ")}, got "${phase}"`);
      }
      phases = [phase as PhaseName];
    }
    const provider = options.provider === undefined ? undefined : parseAddress(stringOption(options.provider), "--provider");
    const challenger = options.challenger === undefined ? undefined : parseAddress(stringOption(options.challenger), "--challenger");
    const connection = await connect(options);
    const disputes = await withProgress("reading disputes", json, () =>
      connection.client.listDisputes({ phases, provider, challenger, indexer }),
    );
    const shown = disputes.slice(-limit).reverse();
    if (json) {
      printJson(shown);
      return 0;
    }
    printLine(disputeTable(shown, await connection.token()));
    if (disputes.length > shown.length) printLine(`(${disputes.length - shown.length} older not shown; raise --limit)`);
    return 0;
  },
};
