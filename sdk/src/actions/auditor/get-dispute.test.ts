import { expect } from "chai";
import { network } from "hardhat";
import { zeroAddress, zeroHash } from "viem";

import { CHALLENGER_HASH, DISPUTE_PARAMETERS, RESULT_HASH, createSdkFixtures, voteWithViem } from "../../../../testkit/fixtures.ts";
import { commitVote } from "../verifier/commit-vote.ts";
import { getDispute } from "./get-dispute.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;
const LOCK = DISPUTE_PARAMETERS.verifierLock;

describe("getDispute", function () {
  it("reports phase None for a job nobody disputed", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const dispute = await getDispute(d.reader, { jobId: d.jobId });
    expect(dispute).to.deep.include({
      phase: "None",
      isAudit: false,
      challenger: zeroAddress,
      challengerHash: zeroHash,
      bond: 0n,
      committee: [],
      voidableAfter: undefined,
    });
  });

  it("reads a challenge awaiting its draw: bond, seed block, the snapshot (the block before the submission) and the market's dispute deadline", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    const dispute = await getDispute(d.reader, { jobId: d.jobId });
    const job = await d.read<{ deadline: bigint }>("getJob", [d.jobId]);
    expect(dispute).to.deep.include({
      jobId: d.jobId,
      phase: "AwaitingDraw",
      isAudit: false,
      challenger: d.address.challenger,
      challengerHash: CHALLENGER_HASH,
      bond: DISPUTE_PARAMETERS.challengeBond,
      pot: 0n,
      round: 0,
      size: DISPUTE_PARAMETERS.committeeSize,
      members: 0,
      snapshotBlock: BigInt(d.terms.submittedBlock) - 1n,
      commitDeadline: 0n,
      committee: [],
      voidableAfter: job.deadline,
    });
    expect(dispute.seedBlock).to.equal((await d.publicClient.getBlockNumber()) + 1n);
  });

  it("lists the seats of a voting round with their progress", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const { commitment } = await commitVote(d.clients[d.seats[1]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    const dispute = await getDispute(d.reader, { jobId: d.jobId });
    expect(dispute).to.include({ phase: "Voting", committed: 1, revealed: 0, lockPerSeat: DISPUTE_PARAMETERS.verifierLock });
    expect(dispute.commitDeadline).to.be.a("bigint");
    expect(dispute.revealDeadline - dispute.commitDeadline).to.equal(BigInt(DISPUTE_PARAMETERS.revealPeriod));
    expect(dispute.committee).to.deep.equal([
      { seatIndex: 0, verifier: d.committee[0], status: "Drawn", votes: 1, locked: LOCK, commitment: undefined, resultHash: undefined },
      { seatIndex: 1, verifier: d.committee[1], status: "Committed", votes: 1, locked: LOCK, commitment, resultHash: undefined },
      { seatIndex: 2, verifier: d.committee[2], status: "Drawn", votes: 1, locked: LOCK, commitment: undefined, resultHash: undefined },
    ]);
    expect(dispute.members).to.equal(3);
  });

  it("shows a verifier drawn twice as one entry with two votes and twice the lock; its commit counts both votes", async function () {
    const d = await loadFixture(fixtures.drawnJobWithRepeat);
    const twice = d.votes.indexOf(2);
    await commitVote(d.clients[d.seats[twice]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    const dispute = await getDispute(d.reader, { jobId: d.jobId });
    expect(dispute).to.include({ size: DISPUTE_PARAMETERS.committeeSize, members: 2, committed: 2 });
    expect(dispute.committee.map((s) => [s.verifier, s.votes, s.locked])).to.deep.equal(
      d.committee.map((v, i) => [v, d.votes[i], LOCK * BigInt(d.votes[i]!)]),
    );
  });

  it("shows revealed votes, and can read a past block", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const drawnAt = await d.publicClient.getBlockNumber();
    await voteWithViem(d, [RESULT_HASH, CHALLENGER_HASH, RESULT_HASH]);
    const dispute = await getDispute(d.reader, { jobId: d.jobId });
    expect(dispute.revealed).to.equal(3);
    expect(dispute.committee.map((s) => s.resultHash)).to.deep.equal([RESULT_HASH, CHALLENGER_HASH, RESULT_HASH]);
    const then = await getDispute(d.reader, { jobId: d.jobId, blockNumber: drawnAt });
    expect(then.committee.map((s) => s.status)).to.deep.equal(["Drawn", "Drawn", "Drawn"]);
    expect(then.committee.every((s) => s.resultHash === undefined && s.commitment === undefined)).to.equal(true);
  });

  it("reads a settled challenge's hash from its DisputeOpened event (the module reuses that storage)", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await voteWithViem(d, [CHALLENGER_HASH, CHALLENGER_HASH, CHALLENGER_HASH]);
    await d.disputesWrite("keeper", "resolve", [d.jobId, d.terms]);
    const stored = await d.disputesRead<{ challengerHash: string }>("getDispute", [d.jobId]);
    expect(stored.challengerHash).to.equal(zeroHash);
    const dispute = await getDispute(d.reader, { jobId: d.jobId });
    expect(dispute).to.include({ phase: "Resolved", challenger: d.address.challenger, challengerHash: CHALLENGER_HASH });
  });
});
