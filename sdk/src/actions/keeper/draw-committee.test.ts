import { expect } from "chai";
import { network } from "hardhat";

import { Phase } from "../../abi/enums.ts";
import {
  DisputeSeedNotReadyError,
  DisputeTermsMismatchError,
  DisputeWrongPhaseError,
} from "../../errors/contract-errors.ts";
import { expectRejection } from "../../test-utils/assertions.ts";
import { DISPUTE_PARAMETERS, STAKE, createSdkFixtures } from "../../test-utils/fixtures.ts";
import { drawCommittee } from "./draw-committee.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

type DisputeView = { phase: number; round: number; size: number; seedBlock: number; commitDeadline: number; revealDeadline: number };
type D = Awaited<ReturnType<typeof fixtures.challengedJob>>;
const disputeOf = (d: D) => d.disputesRead<DisputeView>("getDispute", [d.jobId]);

/** `challengedJob` with only two providers left free to sit (the others asked to unstake). */
async function starved() {
  const d = await fixtures.challengedJob();
  for (const v of ["provider2", "verifier1", "verifier2", "verifier3", "verifier4"] as const) {
    await d.marketWrite(v, "requestUnstake", [STAKE]);
  }
  await mine(1);
  return d;
}

describe("drawCommittee", function () {
  it("seats a committee as soon as the seed block is mined, locking each verifier's stake", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    await mine(1);
    const draw = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    if (draw.outcome !== "drawn") expect.fail(`expected drawn, got ${draw.outcome}`);
    expect(draw.round).to.equal(0);
    expect(draw.verifiers).to.have.length(DISPUTE_PARAMETERS.committeeSize);
    expect(new Set(draw.verifiers).size).to.equal(draw.verifiers.length);
    for (const excluded of [d.address.provider, d.address.challenger, d.address.requester]) {
      expect(draw.verifiers).to.not.include(excluded);
    }
    expect(draw.lockPerSeat).to.equal(DISPUTE_PARAMETERS.verifierLock);
    const dispute = await disputeOf(d);
    expect(dispute.phase).to.equal(Phase.Voting);
    expect(draw.commitDeadline).to.equal(BigInt(dispute.commitDeadline));
    expect(draw.revealDeadline).to.equal(BigInt(dispute.revealDeadline));
    for (const v of draw.verifiers) {
      expect((await d.read<{ locked: bigint }>("stakeOf", [v])).locked).to.equal(DISPUTE_PARAMETERS.verifierLock);
    }
    expect(draw.terms).to.deep.equal(d.terms); // recovered from ResultSubmitted
  });

  it("throws DisputeSeedNotReadyError in the seed block itself", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    const error = await expectRejection(drawCommittee(d.clients.keeper, { jobId: d.jobId, terms: d.terms }), DisputeSeedNotReadyError);
    expect(error.seedBlock).to.equal(BigInt((await disputeOf(d)).seedBlock));
  });

  it("reschedules a stale seed (more than 256 blocks old), then draws from the new one", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    await mine(300);
    const rescheduled = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    if (rescheduled.outcome !== "rescheduled") expect.fail(`expected rescheduled, got ${rescheduled.outcome}`);
    expect(rescheduled.round).to.equal(0);
    expect(rescheduled.seedBlock).to.equal(rescheduled.receipt.blockNumber + 1n);
    const dispute = await disputeOf(d);
    expect(dispute.phase).to.equal(Phase.AwaitingDraw);
    expect(BigInt(dispute.seedBlock)).to.equal(rescheduled.seedBlock);
    await mine(1);
    expect((await drawCommittee(d.clients.keeper, { jobId: d.jobId })).outcome).to.equal("drawn");
  });

  it("fails the round when too few verifiers are free, then hands over to the arbiter after the last round", async function () {
    const d = await loadFixture(starved);
    const first = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    if (first.outcome !== "roundFailed") expect.fail(`expected roundFailed, got ${first.outcome}`);
    expect(first).to.include({ round: 0, revealed: 0n, awaitingArbiter: false });
    expect(first.nextSeedBlock).to.equal(first.receipt.blockNumber + 1n);
    expect((await disputeOf(d)).size).to.equal(DISPUTE_PARAMETERS.committeeSize + 2);
    await mine(1);
    const last = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    expect(last).to.include({ outcome: "roundFailed", round: 1, awaitingArbiter: true, nextSeedBlock: undefined });
    expect((await disputeOf(d)).phase).to.equal(Phase.AwaitingArbiter);
  });

  it("throws DisputeTermsMismatchError for terms that are not the job's", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    await mine(1);
    await expectRejection(
      drawCommittee(d.clients.keeper, { jobId: d.jobId, terms: { ...d.terms, reward: d.terms.reward + 1n } }),
      DisputeTermsMismatchError,
    );
  });

  it("throws DisputeWrongPhaseError for a job nobody disputed", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const error = await expectRejection(drawCommittee(d.clients.keeper, { jobId: d.jobId }), DisputeWrongPhaseError);
    expect(error.current).to.equal(Phase.None);
    expect(error.expected).to.equal(Phase.AwaitingDraw);
  });
});
