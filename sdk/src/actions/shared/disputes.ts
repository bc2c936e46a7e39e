/**
 * What the dispute, verifier and keeper actions share: where the dispute module is, the
 * settlement terms of a job, the vote commitment, and decoding the module's events from a
 * receipt. Not actions themselves (the action files import these).
 */
import {
  encodeAbiParameters,
  encodeEventTopics,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
  type Address,
  type ContractEventName,
  type Hex,
  type TransactionReceipt,
} from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { verifierPoolAbi } from "../../abi/verifier-pool.ts";
import { payoutRoleNames, phaseNames, seatStatusNames, type PayoutRoleName, type PhaseName, type SeatStatusName } from "../../abi/enums.ts";
import { MissingDeploymentAddressError } from "../../deployments.ts";
import { decodeContractError } from "../../errors/decode.ts";
import { InvalidParameterError, JobResultNotFoundError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, HashworkPublicClient, WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { findJobResult, readJobState } from "../../utils/results.ts";
import { sendContractTransaction } from "../../utils/write.ts";

// ------------------------------------------------------------------ addresses and terms

/**
 * The dispute module's address: the deployment's `disputes`, else the module installed in the
 * market (`market.disputeModule()`). Throws `MissingDeploymentAddressError` (field
 * `"disputes"`) when neither names one.
 *
 * @example
 * const disputes = await getDisputesAddress(client)
 */
export async function getDisputesAddress(client: HashworkBaseClient): Promise<Address> {
  if (client.deployment.disputes) return client.deployment.disputes;
  const installed = await client.publicClient.readContract({
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "disputeModule",
  });
  if (installed === zeroAddress) {
    throw new MissingDeploymentAddressError({
      chainId: client.deployment.chainId,
      field: "disputes",
      details: `The deployment names no dispute module and the market at ${client.deployment.market} has none installed.`,
    });
  }
  return installed;
}

/** Pool addresses already read, by chain id and dispute module (a module's pool never changes). */
const poolAddresses = new Map<string, Address>();

/**
 * The verifier pool committees are drawn from (verifiers bond there): the deployment's
 * `verifierPool`, else `verifierPool()` of the dispute module (`getDisputesAddress`), read once
 * per module and cached (the module creates its pool in its constructor; it never changes).
 *
 * @example
 * const pool = await getVerifierPoolAddress(client)
 */
export async function getVerifierPoolAddress(client: HashworkBaseClient): Promise<Address> {
  if (client.deployment.verifierPool) return client.deployment.verifierPool;
  const disputes = await getDisputesAddress(client);
  const key = `${client.deployment.chainId}:${disputes.toLowerCase()}`;
  const cached = poolAddresses.get(key);
  if (cached) return cached;
  const pool = await client.publicClient.readContract({ address: disputes, abi: hashworkDisputesAbi, functionName: "verifierPool" });
  poolAddresses.set(key, pool);
  return pool;
}

/** `terms` if given, else the job's settlement terms from its `ResultSubmitted` event. */
export async function resolveTerms(
  client: HashworkBaseClient,
  jobId: bigint,
  terms: SubmittedJobTerms | undefined,
): Promise<SubmittedJobTerms> {
  if (terms) return terms;
  const result = await findJobResult(client, { jobId });
  if (!result) throw new JobResultNotFoundError({ jobId, state: await readJobState(client, jobId) });
  return result.terms;
}

/** The dispute-module writes that take `(jobId, terms, ...)`. */
type TermsWrite = "drawCommittee" | "resolve" | "voidDispute" | "startAudit" | "arbitrate";

/**
 * Sends one of the module's `(jobId, terms, ...extraArgs)` writes, as the keeper actions do:
 * finds the module and the job's terms (from `ResultSubmitted` unless given), simulates at the
 * pending block (see `simulatingPending`), sends and waits for the receipt.
 */
export async function sendTermsWrite(
  client: HashworkBaseClient,
  parameters: {
    action: string;
    functionName: TermsWrite;
    jobId: bigint;
    terms: SubmittedJobTerms | undefined;
    extraArgs?: readonly unknown[];
    options: WriteParameters;
  },
) {
  const disputes = await getDisputesAddress(client);
  const terms = await resolveTerms(client, parameters.jobId, parameters.terms);
  const sent = await sendContractTransaction(simulatingPending(client), {
    action: parameters.action,
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: parameters.functionName,
    // The union of functions types its args as a union of tuples; each caller passes its own.
    args: [parameters.jobId, terms, ...(parameters.extraArgs ?? [])] as never,
    options: parameters.options,
  });
  return { disputes, terms, sent };
}

// ------------------------------------------------------------------ simulations

/**
 * `client` with its simulations run in the pending block's context instead of the latest
 * block's. A transaction lands in a later block than "latest", and the dispute module's checks
 * read the block: a draw needs `block.number > seedBlock` (right after the seed block is mined,
 * "latest" *is* the seed block and would wrongly refuse), an audit reads
 * `blockhash(submittedBlock)` (zero in the submission block itself), deadlines compare
 * `block.timestamp`. A node that refuses the "pending" tag gets the usual "latest" simulation.
 */
export function simulatingPending(client: HashworkBaseClient): HashworkBaseClient {
  const publicClient = client.publicClient;
  const simulateContract = (async (args: Parameters<HashworkPublicClient["simulateContract"]>[0]) => {
    try {
      return await publicClient.simulateContract({ ...args, blockNumber: undefined, blockTag: "pending" } as typeof args);
    } catch (error) {
      if (decodeContractError(error)) throw error; // a revert: the module's verdict
      return publicClient.simulateContract(args);
    }
  }) as unknown as HashworkPublicClient["simulateContract"];
  return { ...client, publicClient: { ...publicClient, simulateContract } };
}

// ------------------------------------------------------------------ votes

/**
 * The commitment a verifier posts for `resultHash`: `keccak256(abi.encode(resultHash, salt,
 * verifier))`, exactly what `HashworkDisputes.revealVote` recomputes. Binding the verifier's
 * address means a commitment copied from another seat can never be revealed.
 *
 * @example
 * const commitment = computeVoteCommitment({ resultHash, salt, verifier: account.address })
 */
export function computeVoteCommitment({ resultHash, salt, verifier }: { resultHash: Hex; salt: Hex; verifier: Address }): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "address" }], [resultHash, salt, verifier]));
}

/**
 * The commitment a challenger posts with `commitChallenge` before it reveals the challenge:
 * `keccak256(abi.encode(jobId, challengerHash, challenger, salt))`, exactly what
 * `HashworkDisputes.challenge` recomputes (`DisputeMath.challengeCommitment`). It hides the job
 * and the hash until the reveal, and binds the challenger, so nobody can copy it.
 *
 * @example
 * const commitment = computeChallengeCommitment({ jobId, challengerHash, challenger: account.address, salt })
 */
export function computeChallengeCommitment({
  jobId,
  challengerHash,
  challenger,
  salt,
}: {
  jobId: bigint;
  challengerHash: Hex;
  challenger: Address;
  salt: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "bytes32" }, { type: "address" }, { type: "bytes32" }],
      [jobId, challengerHash, challenger, salt],
    ),
  );
}

/** 32 bytes from the platform's CSPRNG (`crypto.getRandomValues`), as hex: a vote salt. */
export function randomSalt(): Hex {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** Checks that `value` is a 32-byte hex string (result hashes and salts). */
export function checkBytes32(parameter: string, value: Hex): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidParameterError({ parameter, reason: `expected 32 bytes of hex, got ${value}` });
  return value;
}

/**
 * The verifier's seat in a round (from `getCommittee`), or 0 when it holds none: the caller's
 * dry run then fails with the module's own verdict (`DisputeNotOnCommittee`, or
 * `DisputeWrongPhase` before a draw) instead of an SDK guess.
 */
export async function findSeat(
  client: HashworkBaseClient,
  { disputes, jobId, round, verifier }: { disputes: Address; jobId: bigint; round: number; verifier: Address },
): Promise<number> {
  const seats = await client.publicClient.readContract({
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "getCommittee",
    args: [jobId, round],
  });
  const index = seats.findIndex((s) => s.verifier.toLowerCase() === verifier.toLowerCase());
  return Math.max(index, 0);
}

// ------------------------------------------------------------------ names

export function phaseName(value: number): PhaseName {
  const name = phaseNames[value];
  if (name === undefined) throw new InvalidParameterError({ parameter: "phase", reason: `unknown Phase ${value}` });
  return name;
}

export function seatStatusName(value: number): SeatStatusName {
  const name = seatStatusNames[value];
  if (name === undefined) throw new InvalidParameterError({ parameter: "status", reason: `unknown SeatStatus ${value}` });
  return name;
}

export function payoutRoleName(value: number): PayoutRoleName {
  const name = payoutRoleNames[value];
  if (name === undefined) throw new InvalidParameterError({ parameter: "role", reason: `unknown PayoutRole ${value}` });
  return name;
}

// ------------------------------------------------------------------ receipts

export type DisputeEventName = ContractEventName<typeof hashworkDisputesAbi>;

/** The dispute module's events of one kind in a receipt (only logs emitted by `disputes`). */
export function disputeEventsInReceipt<const eventName extends DisputeEventName>(
  disputes: Address,
  receipt: TransactionReceipt,
  eventName: eventName,
) {
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === disputes.toLowerCase());
  return parseEventLogs({ abi: hashworkDisputesAbi, logs, eventName, strict: true });
}

export type PoolEventName = ContractEventName<typeof verifierPoolAbi>;

/** The verifier pool's events of one kind in a receipt (only logs emitted by `pool`). */
export function poolEventsInReceipt<const eventName extends PoolEventName>(
  pool: Address,
  receipt: TransactionReceipt,
  eventName: eventName,
) {
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === pool.toLowerCase());
  return parseEventLogs({ abi: verifierPoolAbi, logs, eventName, strict: true });
}

/** A dispute as opened (`DisputeOpened`), by a challenge or a random audit. */
export type OpenedDispute = {
  jobId: bigint;
  /** Who challenged; the zero address for a random audit. */
  challenger: Address;
  provider: Address;
  /** The result the provider committed. */
  providerHash: Hex;
  /** The result the challenger claims; zero for an audit. */
  challengerHash: Hex;
  /** The challenger's bond, or the audit budget taken from the protocol fees. */
  bond: bigint;
  /** The block whose hash seeds the first draw: `drawCommittee` works once it is mined. */
  seedBlock: bigint;
};

/** The `DisputeOpened` event in a receipt. */
export function openedDisputeInReceipt(disputes: Address, receipt: TransactionReceipt): OpenedDispute {
  const [opened] = disputeEventsInReceipt(disputes, receipt, "DisputeOpened");
  const a = opened!.args;
  return {
    jobId: a.jobId,
    challenger: a.challenger,
    provider: a.provider,
    providerHash: a.providerHash,
    challengerHash: a.challengerHash,
    bond: a.bond,
    seedBlock: a.seedBlock,
  };
}

/** One token movement of a dispute's settlement (`DisputePayout`), a ledger credit the recipient withdraws. */
export type DisputePayout = { to: Address; role: PayoutRoleName; amount: bigint };

/** A verifier that lost part of its lock (`VerifierSlashed`): no reveal, or a minority vote. */
export type VerifierSlash = { verifier: Address; round: number; amount: bigint };

/** A round that ended without a decision (`RoundFailed`). */
export type FailedRound = {
  round: number;
  /** Seats that revealed in the round. */
  revealed: bigint;
  /** The next round's seed block, or `undefined` when the arbiter decides next. */
  nextSeedBlock: bigint | undefined;
  /** Whether the dispute now waits for the arbiter (no rounds left). */
  awaitingArbiter: boolean;
};

/** A decided dispute (`DisputeResolved`). */
export type DisputeResolution = {
  providerRight: boolean;
  challengerRight: boolean;
  /** The majority's hash (or the arbiter's pick). */
  winningHash: Hex;
  /** Verifiers paid for voting with the majority (0 when the arbiter decided). */
  honestVerifiers: bigint;
};

export function payoutsInReceipt(disputes: Address, receipt: TransactionReceipt): DisputePayout[] {
  return disputeEventsInReceipt(disputes, receipt, "DisputePayout").map((l) => ({
    to: l.args.to,
    role: payoutRoleName(l.args.role),
    amount: l.args.amount,
  }));
}

export function slashesInReceipt(disputes: Address, receipt: TransactionReceipt): VerifierSlash[] {
  return disputeEventsInReceipt(disputes, receipt, "VerifierSlashed").map((l) => ({
    verifier: l.args.verifier,
    round: l.args.round,
    amount: l.args.amount,
  }));
}

export function failedRoundInReceipt(disputes: Address, receipt: TransactionReceipt): FailedRound | undefined {
  const [failed] = disputeEventsInReceipt(disputes, receipt, "RoundFailed");
  if (!failed) return undefined;
  const next = failed.args.nextSeedBlock;
  return {
    round: failed.args.round,
    revealed: failed.args.revealed,
    nextSeedBlock: next === 0n ? undefined : next,
    awaitingArbiter: next === 0n,
  };
}

export function resolutionInReceipt(disputes: Address, receipt: TransactionReceipt): DisputeResolution | undefined {
  const [resolved] = disputeEventsInReceipt(disputes, receipt, "DisputeResolved");
  if (!resolved) return undefined;
  const a = resolved.args;
  return {
    providerRight: a.providerRight,
    challengerRight: a.challengerRight,
    winningHash: a.winningHash,
    honestVerifiers: a.honestVerifiers,
  };
}

/**
 * Dispute-module events that concern one job; each has the job id as its first indexed
 * argument, so one topic filter finds them all (`getJobHistory`).
 */
export const disputeJobEvents = [
  "DisputeOpened",
  "DrawRescheduled",
  "CommitteeDrawn",
  "VoteCommitted",
  "VoteRevealed",
  "VerifierSlashed",
  "RoundFailed",
  "ArbiterDecided",
  "DisputePayout",
  "DisputeResolved",
  "DisputeVoided",
] as const satisfies readonly DisputeEventName[];

/** A topic filter matching any of `disputeJobEvents` for one job. */
export function disputeJobEventTopics(jobId: bigint): (Hex | Hex[])[] {
  const selectors = disputeJobEvents.map((eventName) => encodeEventTopics({ abi: hashworkDisputesAbi, eventName })[0] as Hex);
  const [, jobTopic] = encodeEventTopics({ abi: hashworkDisputesAbi, eventName: "DisputeOpened", args: { jobId } });
  return [selectors, jobTopic as Hex];
}
