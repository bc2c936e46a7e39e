/**
 * Fixtures and helpers for the dispute-module tests: the full local system (token, market,
 * disputes and the verifier pool the module created), a submitted job, and seven verifiers
 * bonded in the pool. The provider, the requester and the challenger are bonded verifiers too,
 * so the draw really has to exclude them.
 *
 * Draws are stake-weighted WITH replacement, so a verifier may hold several seats (one seat
 * entry with `votes = k`). Block hashes differ from run to run, so fixtures that need a given
 * committee shape (`drawn`: three distinct verifiers) mine the seed block again, with another
 * timestamp, until the pool's own `draw` view predicts that shape. The draw itself is always
 * the contract's.
 */
import { expect } from "chai";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { AbiCoder, keccak256, type ContractTransactionReceipt } from "ethers";

import { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT } from "../../ignition/parameters/defaults.js";
import { deployLocalSystem } from "../../scripts/lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms, type JobRequest, type SubmittedJob } from "../../scripts/lib/jobs.js";
import type { HashworkDisputes, HashworkMarket, HashworkToken, VerifierPool } from "../../types/ethers-contracts/index.js";
import type { FixtureConnection } from "../helpers/fixtures.js";
import { expectSolvent } from "../vault/support.js";

export { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT };
export type { SubmittedJob };

export const REWARD = 10n * TOKEN_UNIT;
/** The provider's market stake (job collateral) and every verifier's bond in the pool. */
export const STAKE = 1_000n * TOKEN_UNIT;
export const MIN_BOND = LOCAL_PARAMETERS.minStake;
export const COLLATERAL = (REWARD * 150n + 99n) / 100n;
export const BOND = DISPUTE_PARAMETERS.challengeBond;
export const LOCK = DISPUTE_PARAMETERS.verifierLock;
export const VERIFIER_FEE = DISPUTE_PARAMETERS.verifierFee;
export const SLASH = (LOCK * BigInt(DISPUTE_PARAMETERS.verifierSlashBps)) / 10_000n;
export const CHALLENGE_SALT = keccak256(AbiCoder.defaultAbiCoder().encode(["string"], ["challenge salt"]));

export const Phase = { None: 0n, AwaitingDraw: 1n, Voting: 2n, AwaitingArbiter: 3n, Resolved: 4n, Voided: 5n };
export const SeatStatus = { Empty: 0n, Drawn: 1n, Committed: 2n, Revealed: 3n };
export const Role = { Requester: 0n, Challenger: 1n, Provider: 2n, Verifier: 3n, Treasury: 4n };
export const JobState = { Submitted: 3n, Disputed: 4n, Finalized: 5n, Overturned: 9n, Voided: 10n };

const abi = AbiCoder.defaultAbiCoder();

/** The commitment a verifier posts for `resultHash` with `salt`. */
export function voteCommitment(resultHash: string, salt: string, verifier: string): string {
  return keccak256(abi.encode(["bytes32", "bytes32", "address"], [resultHash, salt, verifier]));
}

/** The commitment a challenger posts before revealing its challenge (DisputeMath.challengeCommitment). */
export function challengeCommitment(jobId: bigint, challengerHash: string, challenger: string, salt: string): string {
  return keccak256(abi.encode(["uint256", "bytes32", "address", "bytes32"], [jobId, challengerHash, challenger, salt]));
}

/** The requester of a job: the top 160 bits of its id. */
export function requesterOf(jobId: bigint): string {
  return `0x${(jobId >> 96n).toString(16).padStart(40, "0")}`;
}

/** A committee as drawn: `verifiers[i]` holds `votes[i]` seats. */
export interface Committee {
  verifiers: string[];
  votes: bigint[];
}

/** Anything with the system's contracts (every dispute fixture). */
export interface System {
  market: HashworkMarket;
  token: HashworkToken;
  disputes: HashworkDisputes;
  pool: VerifierPool;
  disputesAddress: string;
  poolAddress: string;
}

export function createDisputeFixtures(connection: FixtureConnection) {
  const { ethers, networkHelpers } = connection;
  const { time, mine, takeSnapshot } = networkHelpers;

  /**
   * Token, market, dispute module and verifier pool. The provider is staked in the market;
   * the provider, the requester, the challenger and 7 verifiers each bond STAKE in the pool.
   */
  async function deployed() {
    const d = await deployLocalSystem(connection);
    const signers = await ethers.getSigners();
    const [, , requester, provider, keeper, challenger] = signers;
    const verifiers = signers.slice(6, 13);
    const marketAddress = await d.market.getAddress();
    const disputesAddress = await d.disputes.getAddress();
    const poolAddress = await d.disputes.verifierPool();
    const pool = await ethers.getContractAt("VerifierPool", poolAddress);
    for (const s of [requester, provider, keeper, challenger, ...verifiers]) {
      await d.token.connect(d.owner).mint(s.address, 1_000_000n * TOKEN_UNIT);
      await d.token.connect(s).approve(marketAddress, ethers.MaxUint256);
      await d.token.connect(s).approve(disputesAddress, ethers.MaxUint256);
      await d.token.connect(s).approve(poolAddress, ethers.MaxUint256);
    }
    await d.market.connect(provider).stake(STAKE);
    for (const s of [provider, requester, challenger, ...verifiers]) {
      await pool.connect(s).bond(STAKE);
    }
    return { ...d, requester, provider, keeper, challenger, verifiers, marketAddress, disputesAddress, pool, poolAddress };
  }

  /** Posts (requester), claims and submits (provider, result hash "provider") one job. */
  async function submitJob(d: Awaited<ReturnType<typeof deployed>>, overrides: Partial<JobRequest> = {}) {
    const request = jobRequest(Number(await time.latest()), { reward: REWARD, challengeWindow: 3600, ...overrides });
    const posted = await (await d.market.connect(d.requester).postJob(request)).wait();
    const [jobId] = postedJobIds(d.market, posted);
    await d.market.connect(d.provider).claimJob(jobId);
    const providerHash = ethers.id("provider");
    const receipt = await (await d.market.connect(d.provider).submitResult(jobId, providerHash, "")).wait();
    const terms = submittedTerms(d.market, receipt).get(jobId)!;
    return { jobId, terms, providerHash, challengerHash: ethers.id("challenger") };
  }

  /** `deployed` with one job posted, claimed and submitted with result hash "provider". */
  async function submitted() {
    const d = await deployed();
    return { ...d, ...(await submitJob(d)) };
  }

  /** `submitted`, challenged (commitment, then the reveal one block later) by `challenger`. */
  async function challenged() {
    const d = await submitted();
    const challengeTx = await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
    return { ...d, challengeTx };
  }

  /**
   * Mines the current round's seed block, again with another timestamp (so another hash) until
   * the pool predicts a committee whose votes `accept` takes. Returns the predicted committee.
   */
  async function mineSeedFor(d: System, jobId: bigint, terms: SubmittedJob, accept: (votes: bigint[]) => boolean) {
    const { seedBlock } = await d.disputes.getDispute(jobId);
    if (BigInt(await ethers.provider.getBlockNumber()) + 1n !== seedBlock) throw new Error("the seed block is not next");
    for (let attempt = 1; attempt <= 200; attempt++) {
      const snapshot = await takeSnapshot();
      await time.setNextBlockTimestamp((await time.latest()) + attempt);
      await mine(1);
      const predicted = await predictDraw(ethers, d, jobId, terms);
      if (predicted.verifiers.length > 0 && accept(predicted.votes)) return predicted;
      await snapshot.restore();
    }
    throw new Error("no seed block gave the committee shape asked for");
  }

  /** `challenged` with the seed block mined and the first committee drawn: three verifiers, one seat each. */
  async function drawn() {
    const d = await challenged();
    return drawRound(d, distinct);
  }

  /** `challenged` with a first committee of two verifiers, one of them holding two seats. */
  async function drawnWithDoubleSeat() {
    const d = await challenged();
    return drawRound(d, (votes) => votes.length === 2);
  }

  /** Mines a seed block giving a committee `accept` takes and draws it. */
  async function drawRound<T extends Awaited<ReturnType<typeof challenged>>>(d: T, accept: (votes: bigint[]) => boolean) {
    await mineSeedFor(d, d.jobId, d.terms, accept);
    const drawTx = await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    const committee = committeeOf(d.disputes, await drawTx.wait());
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    return { ...d, drawTx, committee, seat: seatsBy(committee.verifiers, everyone) };
  }

  /**
   * `jobs` small jobs (1 token, 100% collateral, one-hour window) submitted in batches of 100,
   * sorted by the audit lottery (at least `minSelected` selected, or the fixture throws). With `fees`, one large job (1,000 tokens at
   * 100% collateral, fee 10 tokens, half of it to the audit reserve) is finalized first.
   */
  async function auditable(jobs: number, fees: boolean, minSelected: number) {
    const d = await deployed();
    const now = async () => Number(await time.latest());
    if (fees) {
      const big = jobRequest(await now(), { reward: 1_000n * TOKEN_UNIT, collateralPct: 100, challengeWindow: 1 });
      const [bigId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(big)).wait());
      await d.market.connect(d.provider).claimJob(bigId);
      const submittedBig = await (await d.market.connect(d.provider).submitResult(bigId, ethers.id("big"), "")).wait();
      await time.increase(2);
      await d.market.finalizeJob(bigId, submittedTerms(d.market, submittedBig).get(bigId)!);
    }
    const terms = new Map<bigint, SubmittedJob>();
    for (let b = 0; b < jobs / 100; b++) {
      const request = jobRequest(await now(), { reward: TOKEN_UNIT, collateralPct: 100, challengeWindow: 3600 });
      const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(Array(100).fill(request))).wait());
      await d.market.connect(d.provider).claimJobs(ids);
      const receipt = await (
        await d.market.connect(d.provider).submitResults(
          ids,
          ids.map(() => ethers.id("provider")),
          ids.map(() => ""),
        )
      ).wait();
      for (const [id, t] of submittedTerms(d.market, receipt)) terms.set(id, t);
    }
    const selected: bigint[] = [];
    const unselected: bigint[] = [];
    for (const [id, t] of terms) {
      ((await d.disputes.isSelectedForAudit(id, t.submittedBlock)) ? selected : unselected).push(id);
    }
    if (selected.length < minSelected) throw new Error(`the lottery selected only ${selected.length} jobs`);
    const blocks = [...new Set([...terms.values()].map((t) => BigInt(t.submittedBlock)))];
    return { ...d, terms, selected, unselected, blocks };
  }

  return { deployed, submitJob, submitted, challenged, drawn, drawnWithDoubleSeat, drawRound, mineSeedFor, auditable };
}

/** Every seat entry holds a single vote. */
export const distinct = (votes: bigint[]) => votes.every((v) => v === 1n);

/** Commits, then reveals in the next block, a challenge of `jobId` naming `challengerHash`. */
export async function challenge(
  disputes: HashworkDisputes,
  jobId: bigint,
  terms: SubmittedJob,
  challenger: HardhatEthersSigner,
  challengerHash: string,
  salt: string = CHALLENGE_SALT,
) {
  await disputes.connect(challenger).commitChallenge(challengeCommitment(jobId, challengerHash, challenger.address, salt));
  return disputes.connect(challenger).challenge(jobId, terms, challengerHash, salt);
}

/** What `drawCommittee` would seat now, from the pool's view over the dispute's snapshot and seed. */
export async function predictDraw(ethers: HardhatEthers, d: System, jobId: bigint, terms: SubmittedJob): Promise<Committee> {
  const dispute = await d.disputes.getDispute(jobId);
  const block = await ethers.provider.getBlock(Number(dispute.seedBlock));
  if (!block?.hash) throw new Error("the seed block is not mined");
  const seed = keccak256(abi.encode(["bytes32", "uint256", "uint8"], [block.hash, jobId, dispute.round]));
  const [verifiers, votes] = await d.pool.draw(dispute.snapshotBlock, seed, dispute.size, [
    terms.provider as string,
    dispute.challenger,
    requesterOf(jobId),
  ]);
  return { verifiers: [...verifiers], votes: [...votes] };
}

/** The committee from the CommitteeDrawn event in a receipt. */
export function committeeOf(disputes: HashworkDisputes, receipt: ContractTransactionReceipt | null): Committee {
  for (const log of receipt?.logs ?? []) {
    const parsed = disputes.interface.parseLog(log);
    if (parsed?.name === "CommitteeDrawn") return { verifiers: [...parsed.args.verifiers], votes: [...parsed.args.votes] };
  }
  throw new Error("no CommitteeDrawn event in the receipt");
}

/** The signers holding the committee's seat entries, in seat order. */
export function seatsBy(committee: string[], signers: HardhatEthersSigner[]): HardhatEthersSigner[] {
  return committee.map((address) => {
    const s = signers.find((x) => x.address === address);
    if (!s) throw new Error(`no signer for verifier ${address}`);
    return s;
  });
}

/**
 * Commits then reveals `votes[i]` for seat entry i (undefined: that entry stays silent). With
 * silent entries, reveals open only after the commit deadline, so `time` must be given to get there.
 */
export async function vote(
  disputes: HashworkDisputes,
  jobId: bigint,
  seats: HardhatEthersSigner[],
  votes: (string | undefined)[],
  time?: NetworkHelpers["time"],
  seatIndexOf: (i: number) => number = (i) => i,
): Promise<void> {
  const salts = seats.map((s, i) => keccak256(abi.encode(["string", "uint256"], [s.address, i])));
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

/**
 * The three solvency properties: the market holds what it owes, and the module's and the
 * pool's ledger balances in the market equal what each says it holds.
 */
export async function expectSystemSolvent(d: System): Promise<void> {
  await expectSolvent(d.market, d.token);
  expect(await d.market.balanceOf(d.disputesAddress)).to.equal(await d.disputes.totalHeld(), "module balance == totalHeld");
  expect(await d.market.balanceOf(d.poolAddress)).to.equal(await d.pool.totalHeld(), "pool balance == totalHeld");
}

export type DisputeFixtures = ReturnType<typeof createDisputeFixtures>;
export type Drawn = Awaited<ReturnType<DisputeFixtures["drawn"]>>;
export type Challenged = Awaited<ReturnType<DisputeFixtures["challenged"]>>;
export type SubmittedFixture = Awaited<ReturnType<DisputeFixtures["submitted"]>>;
