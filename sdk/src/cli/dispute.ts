/**
 * `hashwork dispute show|arbitrate|void ID`: a dispute's phase, committee and deadlines; the
 * arbiter's decision on a dispute that ran out of rounds; and voiding a dispute that outlived
 * the market's dispute deadline (anyone may, so no money waits on a party that has gone).
 */
import type { Hex } from "viem";

import type { DisputeDetails } from "../actions/auditor/get-dispute.ts";
import type { DisputePayout } from "../actions/shared/disputes.ts";
import { UsageError, type Command } from "./args.ts";
import { connect, connectionOptions, jsonOption, writeOptions, type Connection, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { jobIdArgument, resolveJobId } from "./job-ref.ts";
import { keyOptions } from "./keys.ts";
import { committeeTable, formatAmount, formatFields, formatTable, formatTime, printJson, printLine, withProgress } from "./output.ts";
import { parseHash } from "./values.ts";

export function disputeFields(d: DisputeDetails, token: TokenInfo): [string, string | undefined][] {
  return [
    ["job", d.jobId.toString()],
    ["dispute", d.isAudit ? `random audit${d.forced ? " (forced)" : ""}` : `challenged by ${d.challenger}`],
    ["phase", d.phase],
    ["round", String(d.round)],
    ["challenger hash", d.isAudit ? undefined : d.challengerHash],
    [d.isAudit ? "audit budget" : "bond", formatAmount(d.bond, token)],
    ["pot", d.pot === 0n ? undefined : formatAmount(d.pot, token)],
    ["votes", `${d.committed} committed, ${d.revealed} revealed of ${d.size} seats (${d.members} verifiers)`],
    ["commit by", formatTime(d.commitDeadline)],
    ["reveal by", formatTime(d.revealDeadline)],
    ["voidable after", d.voidableAfter === undefined ? undefined : formatTime(d.voidableAfter)],
  ];
}

/** The dispute of `jobId`, or one line when there is none. */
async function readDispute(connection: Connection, jobId: bigint): Promise<DisputeDetails> {
  const dispute = await connection.client.getDispute({ jobId });
  if (dispute.phase === "None") {
    const job = await connection.client.getJob({ jobId, includeResult: false });
    throw new CliError(job.state === "None" ? `no job ${jobId} on this market` : `job ${jobId} (${job.state}) was never disputed`);
  }
  return dispute;
}

function payoutTable(payouts: readonly DisputePayout[], token: TokenInfo): string {
  return formatTable(
    ["to", "role", "amount"],
    payouts.map((p) => [p.to, p.role, formatAmount(p.amount, token)]),
  );
}

/** `hashwork dispute show ID` */
export const disputeShow: Command = {
  path: ["dispute", "show"],
  summary: "Show a job's dispute: phase, round, bond, committee votes and deadlines",
  args: jobIdArgument,
  options: { ...connectionOptions, ...keyOptions, ...jsonOption },
  async run(options, args) {
    const jobId = await resolveJobId(args.ID, options);
    const json = options.json === true;
    const connection = await connect(options);
    const dispute = await withProgress(`reading the dispute of job ${jobId}`, json, () => readDispute(connection, jobId));
    if (json) {
      printJson(dispute);
      return 0;
    }
    const token = await connection.token();
    printLine(formatFields(disputeFields(dispute, token)));
    if (dispute.committee.length > 0) {
      printLine(committeeTable(dispute.committee, token));
    }
    return 0;
  },
};

/** `hashwork dispute arbitrate ID --hash HASH | --provider-right` */
export const disputeArbitrate: Command = {
  path: ["dispute", "arbitrate"],
  summary: "As the dispute module's arbiter, decide a dispute that ran out of committee rounds",
  args: jobIdArgument,
  options: {
    hash: { type: "string", placeholder: "HASH", description: "the correct result hash (from re-executing the job)" },
    "provider-right": { type: "boolean", description: "the provider's result hash is the correct one (the result stands)" },
    ...writeOptions,
    ...jsonOption,
  },
  notes: `Only the dispute module's arbiter (governance) may arbitrate, and only in phase AwaitingArbiter
(\`hashwork dispute show ID\`); the settlement pays as a committee decision would.`,
  async run(options, args) {
    const hash = options.hash === undefined ? undefined : parseHash(String(options.hash), "--hash");
    const providerRight = options["provider-right"] === true ? true : undefined;
    if ((hash === undefined) === (providerRight === undefined)) throw new UsageError("pass --hash HASH or --provider-right (one of them)");
    const json = options.json === true;
    const connection = await connect(options, { sign: true });
    const jobId = await resolveJobId(args.ID, options, connection.account);
    const dispute = await readDispute(connection, jobId);
    if (dispute.phase !== "AwaitingArbiter")
      throw new CliError(`the dispute of job ${jobId} is in phase ${dispute.phase}; only one AwaitingArbiter can be arbitrated`);
    const decided = await withProgress(`arbitrating job ${jobId}`, json, () =>
      connection.client.arbitrate(hash !== undefined ? { jobId, correctHash: hash as Hex } : { jobId, providerRight: true }),
    );
    if (json) {
      printJson({
        jobId,
        providerRight: decided.providerRight,
        challengerRight: decided.challengerRight,
        winningHash: decided.winningHash,
        payouts: decided.payouts,
        transactionHash: decided.transactionHash,
      });
      return 0;
    }
    const token = await connection.token();
    const side = decided.providerRight
      ? "the provider was right"
      : decided.challengerRight
        ? "the challenger was right"
        : "neither side was right";
    printLine(`Arbitrated job ${jobId}: ${side} (${decided.winningHash}; ${decided.transactionHash})`);
    if (decided.payouts.length > 0) printLine(payoutTable(decided.payouts, token));
    return 0;
  },
};

/** `hashwork dispute void ID` */
export const disputeVoid: Command = {
  path: ["dispute", "void"],
  summary: "Void a dispute past the market's dispute deadline: everyone gets their money back",
  args: jobIdArgument,
  options: { ...writeOptions, ...jsonOption },
  notes: `Anyone may void a dispute once the market's dispute deadline has passed (\`hashwork dispute show ID\`
prints "voidable after"): the requester is refunded, the provider's collateral unlocked, the
challenger's bond returned and every verifier lock released.`,
  async run(options, args) {
    const json = options.json === true;
    const connection = await connect(options, { sign: true });
    const jobId = await resolveJobId(args.ID, options, connection.account);
    const dispute = await readDispute(connection, jobId);
    if (dispute.voidableAfter === undefined)
      throw new CliError(`the dispute of job ${jobId} is over (phase ${dispute.phase}); only an open dispute can be voided`);
    const now = (await connection.client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
    // The voiding transaction lands in a later block, whose time is past `now`.
    if (now < dispute.voidableAfter)
      throw new CliError(
        `the dispute of job ${jobId} can be voided only after ${formatTime(dispute.voidableAfter)} (the chain's time is ${formatTime(now)})`,
      );
    const voided = await withProgress(`voiding the dispute of job ${jobId}`, json, () => connection.client.voidDispute({ jobId }));
    if (json) {
      printJson({
        jobId,
        bondReturned: voided.bondReturned,
        potToTreasury: voided.potToTreasury,
        refund: voided.refund,
        collateralUnlocked: voided.collateralUnlocked,
        payouts: voided.payouts,
        transactionHash: voided.transactionHash,
      });
      return 0;
    }
    const token = await connection.token();
    printLine(`Voided the dispute of job ${jobId} (${voided.transactionHash})`);
    printLine(
      formatFields([
        ["refund to the requester", voided.refund === undefined ? undefined : formatAmount(voided.refund, token)],
        ["collateral unlocked", voided.collateralUnlocked === undefined ? undefined : formatAmount(voided.collateralUnlocked, token)],
        ["bond returned", formatAmount(voided.bondReturned, token)],
        ["pot to the treasury", voided.potToTreasury === 0n ? undefined : formatAmount(voided.potToTreasury, token)],
      ]),
    );
    return 0;
  },
};
