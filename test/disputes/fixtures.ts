/**
 * Fixtures and helpers for the dispute-module tests: the full local system (token, market,
 * disputes), a submitted job, and enough staked providers to seat every committee. The
 * requester and the challenger are staked providers too, so the draw really has to exclude
 * them.
 */
import { expect } from "chai";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { AbiCoder, keccak256, type ContractTransactionReceipt } from "ethers";

import { DISPUTE_PARAMETERS, TOKEN_UNIT } from "../../scripts/lib/defaults.js";
import { deployLocalSystem } from "../../scripts/lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms, type SubmittedJob } from "../../scripts/lib/jobs.js";
import type { HashworkDisputes } from "../../types/ethers-contracts/index.js";
import { expectSolvent } from "../vault/support.js";

export { DISPUTE_PARAMETERS, TOKEN_UNIT };
export type { SubmittedJob };

export const REWARD = 10n * TOKEN_UNIT;
export const STAKE = 1_000n * TOKEN_UNIT;
export const COLLATERAL = (REWARD * 150n + 99n) / 100n;
export const BOND = DISPUTE_PARAMETERS.challengeBond;
export const LOCK = DISPUTE_PARAMETERS.verifierLock;
export const VERIFIER_FEE = DISPUTE_PARAMETERS.verifierFee;
export const SLASH = (LOCK * BigInt(DISPUTE_PARAMETERS.verifierSlashBps)) / 10_000n;

export const Phase = { None: 0n, AwaitingDraw: 1n, Voting: 2n, AwaitingArbiter: 3n, Resolved: 4n, Voided: 5n };
export const Role = { Requester: 0n, Challenger: 1n, Provider: 2n, Verifier: 3n, Treasury: 4n };
export const JobState = { Submitted: 3n, Disputed: 4n, Finalized: 5n, Overturned: 9n, Voided: 10n };

/** The commitment a verifier posts for `resultHash` with `salt`. */
export function voteCommitment(resultHash: string, salt: string, verifier: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "address"], [resultHash, salt, verifier]));
}

export function createDisputeFixtures(ethers: HardhatEthers, networkHelpers: NetworkHelpers) {
  const { time, mine } = networkHelpers;

  /** Token, market and dispute module; requester, provider, challenger and 7 verifiers staked. */
  async function deployed() {
    const d = await deployLocalSystem(ethers);
    const signers = await ethers.getSigners();
    const [, , requester, provider, keeper, challenger] = signers;
    const verifiers = signers.slice(6, 13);
    const marketAddress = await d.market.getAddress();
    const disputesAddress = await d.disputes.getAddress();
    for (const s of [requester, provider, keeper, challenger, ...verifiers]) {
      await d.token.connect(d.owner).mint(s.address, 1_000_000n * TOKEN_UNIT);
      await d.token.connect(s).approve(marketAddress, ethers.MaxUint256);
      await d.token.connect(s).approve(disputesAddress, ethers.MaxUint256);
    }
    for (const s of [provider, requester, challenger, ...verifiers]) {
      await d.market.connect(s).stake(STAKE);
    }
    return { ...d, requester, provider, keeper, challenger, verifiers, marketAddress, disputesAddress };
  }

  /** `deployed` with one job posted, claimed and submitted with result hash "provider". */
  async function submitted() {
    const d = await deployed();
    const request = jobRequest(Number(await time.latest()), { reward: REWARD, challengeWindow: 3600 });
    const posted = await (await d.market.connect(d.requester).postJob(request)).wait();
    const [jobId] = postedJobIds(d.market, posted);
    await d.market.connect(d.provider).claimJob(jobId);
    const providerHash = ethers.id("provider");
    const receipt = await (await d.market.connect(d.provider).submitResult(jobId, providerHash, "")).wait();
    const terms = submittedTerms(d.market, receipt).get(jobId)!;
    return { ...d, jobId, terms, providerHash, challengerHash: ethers.id("challenger") };
  }

  /** `submitted`, challenged by `challenger` naming `challengerHash`. */
  async function challenged() {
    const d = await submitted();
    await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash);
    return d;
  }

  /** `challenged` with the seed block mined and the first committee drawn. */
  async function drawn() {
    const d = await challenged();
    await mine(1);
    const receipt = await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait();
    const committee = committeeOf(d.disputes, receipt);
    return { ...d, committee, seat: seatsBy(committee, [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers]) };
  }

  return { deployed, submitted, challenged, drawn };
}

/** The verifier addresses from the CommitteeDrawn event in a receipt. */
export function committeeOf(disputes: HashworkDisputes, receipt: ContractTransactionReceipt | null): string[] {
  for (const log of receipt?.logs ?? []) {
    const parsed = disputes.interface.parseLog(log);
    if (parsed?.name === "CommitteeDrawn") return [...parsed.args.verifiers];
  }
  throw new Error("no CommitteeDrawn event in the receipt");
}

/** The signers holding the committee's seats, in seat order. */
function seatsBy(committee: string[], signers: HardhatEthersSigner[]): HardhatEthersSigner[] {
  return committee.map((address) => {
    const s = signers.find((x) => x.address === address);
    if (!s) throw new Error(`no signer for verifier ${address}`);
    return s;
  });
}

/**
 * Commits then reveals `votes[i]` for seat i (undefined: that seat stays silent). With silent
 * seats, reveals open only after the commit deadline, so `time` must be given to get there.
 */
export async function vote(
  disputes: HashworkDisputes,
  jobId: bigint,
  seats: HardhatEthersSigner[],
  votes: (string | undefined)[],
  time?: NetworkHelpers["time"],
  seatIndexOf: (i: number) => number = (i) => i,
): Promise<void> {
  const salts = seats.map((s, i) => keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256"], [s.address, i])));
  for (const [i, s] of seats.entries()) {
    if (votes[i] !== undefined) {
      await disputes.connect(s).commitVote(jobId, seatIndexOf(i), voteCommitment(votes[i]!, salts[i], s.address));
    }
  }
  const { committed, size, commitDeadline } = await disputes.getDispute(jobId);
  if (committed < size) {
    if (!time) throw new Error("silent seats: pass `time` so reveals can wait for the commit deadline");
    await time.increaseTo(commitDeadline + 1n);
  }
  for (const [i, s] of seats.entries()) {
    if (votes[i] !== undefined) await disputes.connect(s).revealVote(jobId, seatIndexOf(i), votes[i]!, salts[i]);
  }
}

/** Both solvency properties: the market holds what it owes, and the module's ledger balance
 * in the market equals what the module says it holds. */
export async function expectSystemSolvent(d: {
  market: Parameters<typeof expectSolvent>[0] & { balanceOf(a: string): Promise<bigint> };
  token: Parameters<typeof expectSolvent>[1];
  disputes: HashworkDisputes;
  disputesAddress: string;
}): Promise<void> {
  await expectSolvent(d.market, d.token);
  expect(await d.market.balanceOf(d.disputesAddress)).to.equal(await d.disputes.totalHeld());
}

export type DisputeFixtures = ReturnType<typeof createDisputeFixtures>;
export type Drawn = Awaited<ReturnType<DisputeFixtures["drawn"]>>;
export type SubmittedFixture = Awaited<ReturnType<DisputeFixtures["submitted"]>>;
