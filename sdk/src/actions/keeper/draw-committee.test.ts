import { expect } from "chai";
import { network } from "hardhat";

import { Phase } from "../../abi/enums.ts";
import { DisputeSeedNotReadyError, DisputeTermsMismatchError, DisputeWrongPhaseError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { DISPUTE_PARAMETERS, VERIFIERS, VERIFIER_BOND, challengeWithViem, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { drawCommittee } from "./draw-committee.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

type DisputeView = { phase: number; round: number; size: number; seedBlock: number; commitDeadline: number; revealDeadline: number };
type D = Awaited<ReturnType<typeof fixtures.disputableJob>>;
const disputeOf = (d: D) => d.disputesRead<DisputeView>("getDispute", [d.jobId]);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** `disputableJob` where the provider, the challenger and the requester bond far more than all the verifiers, then the challenge. */
async function partiesBonded() {
  const d = await fixtures.disputableJob();
  for (const p of ["provider", "challenger", "requester"] as const) {
    await d.tokenWrite(p, "approve", [d.deployment.verifierPool!, 100n * VERIFIER_BOND]);
    await d.poolWrite(p, "bond", [100n * VERIFIER_BOND]);
  }
  await challengeWithViem(d, "challenger", d.jobId, d.terms);
  return d;
}

describe("drawCommittee", function () {
  it("seats a committee as soon as the seed block is mined, locking each seat's bond in the pool", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    await mine(1);
    const draw = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    if (draw.outcome !== "drawn") expect.fail(`expected drawn, got ${draw.outcome}`);
    expect(draw.round).to.equal(0);
    expect(sum(draw.votes)).to.equal(DISPUTE_PARAMETERS.committeeSize);
    expect(draw.votes).to.have.length(draw.verifiers.length);
    expect(new Set(draw.verifiers).size).to.equal(draw.verifiers.length); // one entry per verifier
    expect(draw.lockPerSeat).to.equal(DISPUTE_PARAMETERS.verifierLock);
    const dispute = await disputeOf(d);
    expect(dispute.phase).to.equal(Phase.Voting);
    expect(draw.commitDeadline).to.equal(BigInt(dispute.commitDeadline));
    expect(draw.revealDeadline).to.equal(BigInt(dispute.revealDeadline));
    for (const [i, v] of draw.verifiers.entries()) {
      const member = await d.poolRead<{ locked: bigint }>("memberOf", [v]);
      expect(member.locked).to.equal(DISPUTE_PARAMETERS.verifierLock * BigInt(draw.votes[i]!));
    }
    expect(draw.terms).to.deep.equal(d.terms); // recovered from ResultSubmitted
  });

  it("never seats the provider, the challenger or the requester, however much they bonded", async function () {
    const d = await loadFixture(partiesBonded);
    await mine(1);
    const draw = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    if (draw.outcome !== "drawn") expect.fail(`expected drawn, got ${draw.outcome}`);
    for (const v of draw.verifiers) expect(VERIFIERS.map((n) => d.address[n])).to.include(v);
  });

  it("draws from the pool as it stood when the dispute opened: withdrawals after it change nothing", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    for (const v of VERIFIERS) await d.poolWrite(v, "requestWithdrawal", [VERIFIER_BOND]);
    expect(await d.poolRead<bigint>("totalWeight")).to.equal(0n);
    const draw = await drawCommittee(d.clients.keeper, { jobId: d.jobId });
    if (draw.outcome !== "drawn") expect.fail(`expected drawn, got ${draw.outcome}`);
    expect(sum(draw.votes)).to.equal(DISPUTE_PARAMETERS.committeeSize);
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

  it("fails the round when the pool had no weight as the dispute opened, then hands over to the arbiter after the last round", async function () {
    const d = await loadFixture(fixtures.challengedWithEmptyPool);
    await mine(1);
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
