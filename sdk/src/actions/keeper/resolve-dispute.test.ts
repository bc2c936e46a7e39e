import { expect } from "chai";
import { network } from "hardhat";

import { JobState, Phase } from "../../abi/enums.ts";
import { DisputeVotingOngoingError, DisputeWrongPhaseError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGER_HASH, DISPUTE_PARAMETERS, RESULT_HASH, createSdkFixtures, voteWithViem } from "../../../../testkit/fixtures.ts";
import { resolveDispute } from "./resolve-dispute.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

const FEE = DISPUTE_PARAMETERS.verifierFee;
const SLASH = (DISPUTE_PARAMETERS.verifierLock * BigInt(DISPUTE_PARAMETERS.verifierSlashBps)) / 10_000n;

describe("resolveDispute", function () {
  it("throws DisputeVotingOngoingError while votes can still come in", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const error = await expectRejection(resolveDispute(d.clients.keeper, { jobId: d.jobId }), DisputeVotingOngoingError);
    const { revealDeadline } = await d.disputesRead<{ revealDeadline: number }>("getDispute", [d.jobId]);
    expect(error.revealDeadline).to.equal(BigInt(revealDeadline));
  });

  it("fails a round without quorum: the silent seats' slashes wait in the pot for the decision, and the next round is scheduled", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await voteWithViem(d, [RESULT_HASH, undefined, undefined]);
    const { revealDeadline } = await d.disputesRead<{ revealDeadline: number }>("getDispute", [d.jobId]);
    await time.increaseTo(revealDeadline + 1);
    const r = await resolveDispute(d.clients.keeper, { jobId: d.jobId });
    if (r.outcome !== "roundFailed") expect.fail(`expected roundFailed, got ${r.outcome}`);
    expect(r).to.include({ round: 0, revealed: 1n, awaitingArbiter: false, nextSeedBlock: r.receipt.blockNumber + 1n });
    expect(r.slashed).to.deep.equal([
      { verifier: d.committee[1], round: 0, amount: SLASH },
      { verifier: d.committee[2], round: 0, amount: SLASH },
    ]);
    expect(r.payouts).to.deep.equal([]);
    const dispute = await d.disputesRead<{ phase: number; round: number; pot: bigint }>("getDispute", [d.jobId]);
    expect(dispute).to.include({ phase: Phase.AwaitingDraw, round: 1, pot: 2n * SLASH });
  });

  it("keeps the slashes in the pot when nobody revealed", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const { revealDeadline } = await d.disputesRead<{ revealDeadline: number }>("getDispute", [d.jobId]);
    await time.increaseTo(revealDeadline + 1);
    const r = await resolveDispute(d.clients.keeper, { jobId: d.jobId });
    if (r.outcome !== "roundFailed") expect.fail(`expected roundFailed, got ${r.outcome}`);
    expect(r.slashed).to.have.length(3);
    expect(r.payouts).to.deep.equal([]);
    const dispute = await d.disputesRead<{ pot: bigint }>("getDispute", [d.jobId]);
    expect(dispute.pot).to.equal(3n * SLASH);
  });

  it("counts votes, not verifiers: a verifier holding two seats is a majority on its own", async function () {
    const d = await loadFixture(fixtures.drawnJobWithRepeat);
    const twice = d.votes.indexOf(2);
    await voteWithViem(
      d,
      d.votes.map((_, i) => (i === twice ? CHALLENGER_HASH : RESULT_HASH)),
    );
    const r = await resolveDispute(d.clients.keeper, { jobId: d.jobId });
    if (r.outcome !== "resolved") expect.fail(`expected resolved, got ${r.outcome}`);
    expect(r).to.include({ challengerRight: true, winningHash: CHALLENGER_HASH, honestVerifiers: 2n });
    const toVerifiers = r.payouts.filter((p) => p.role === "Verifier");
    expect(toVerifiers.map((p) => p.to)).to.deep.equal([d.committee[twice]]);
  });

  it("resolves by majority, slashing the minority vote and sharing its slash among the honest", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await voteWithViem(d, [CHALLENGER_HASH, CHALLENGER_HASH, RESULT_HASH]);
    const r = await resolveDispute(d.clients.keeper, { jobId: d.jobId });
    if (r.outcome !== "resolved") expect.fail(`expected resolved, got ${r.outcome}`);
    expect(r).to.include({ providerRight: false, challengerRight: true, winningHash: CHALLENGER_HASH, honestVerifiers: 2n });
    expect(r.slashed).to.deep.equal([{ verifier: d.committee[2], round: 0, amount: SLASH }]);
    const toVerifiers = r.payouts.filter((p) => p.role === "Verifier");
    expect(toVerifiers.map((p) => p.to)).to.deep.equal(d.committee.slice(0, 2));
    expect(toVerifiers.reduce((sum, p) => sum + p.amount, 0n)).to.equal(2n * FEE + SLASH);
    expect(r.payouts.map((p) => p.role)).to.deep.equal(["Challenger", "Requester", "Verifier", "Verifier"]);
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Overturned);
  });

  it("throws DisputeWrongPhaseError once resolved", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await voteWithViem(d, [RESULT_HASH, RESULT_HASH, RESULT_HASH]);
    expect((await resolveDispute(d.clients.keeper, { jobId: d.jobId })).outcome).to.equal("resolved");
    const error = await expectRejection(resolveDispute(d.clients.stranger, { jobId: d.jobId }), DisputeWrongPhaseError);
    expect(error.current).to.equal(Phase.Resolved);
  });
});
