import { expect } from "chai";
import { network } from "hardhat";

import { MissingWalletClientError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { DISPUTE_PARAMETERS, RESULT_HASH, VERIFIERS, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { commitVote } from "./commit-vote.ts";
import { listCommitteeDuties } from "./list-committee-duties.ts";
import { revealVote } from "./reveal-vote.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

type D = Awaited<ReturnType<typeof fixtures.drawnJob>>;
const deadlines = (d: D) => d.disputesRead<{ commitDeadline: number; revealDeadline: number }>("getDispute", [d.jobId]);
const dutyOf = async (d: D, seat: number) => {
  const { duties } = await listCommitteeDuties(d.clients[d.seats[seat]!]);
  expect(duties).to.have.length(1);
  return duties[0]!;
};

describe("listCommitteeDuties", function () {
  it("asks every seated verifier to commit by the commit deadline, and nobody else", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const { commitDeadline, revealDeadline } = await deadlines(d);
    for (const [i, seat] of d.seats.entries()) {
      const { duties } = await listCommitteeDuties(d.clients[seat]);
      expect(duties).to.deep.equal([
        {
          jobId: d.jobId,
          round: 0,
          seatIndex: i,
          verifier: d.address[seat],
          status: "Drawn",
          next: "commit",
          deadline: BigInt(commitDeadline),
          commitDeadline: BigInt(commitDeadline),
          revealDeadline: BigInt(revealDeadline),
          everyoneCommitted: false,
          commitment: undefined,
          votes: 1,
          locked: DISPUTE_PARAMETERS.verifierLock,
          lockPerSeat: DISPUTE_PARAMETERS.verifierLock,
        },
      ]);
    }
    const outsider = [...VERIFIERS, "provider2" as const].find((v) => !d.seats.includes(v))!;
    expect((await listCommitteeDuties(d.clients[outsider])).duties).to.deep.equal([]);
    // Any client can ask about any verifier.
    expect((await listCommitteeDuties(d.reader, { verifier: d.committee[2] })).duties[0]!.seatIndex).to.equal(2);
  });

  it("follows the seat through commit, waiting for the others, reveal and done", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const { revealDeadline } = await deadlines(d);
    const secrets = [await commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: RESULT_HASH })];
    const waiting = await dutyOf(d, 0);
    expect(waiting).to.include({ status: "Committed", next: "waitForReveal", deadline: BigInt(revealDeadline) });
    expect(waiting.commitment).to.equal(secrets[0]!.commitment);
    expect((await dutyOf(d, 1)).next).to.equal("commit");
    for (const i of [1, 2]) secrets.push(await commitVote(d.clients[d.seats[i]!], { jobId: d.jobId, resultHash: RESULT_HASH }));
    expect(await dutyOf(d, 0)).to.include({ next: "reveal", everyoneCommitted: true });
    await revealVote(d.clients[d.seats[0]!], secrets[0]!);
    expect(await dutyOf(d, 0)).to.include({ status: "Revealed", next: "none", deadline: undefined });
  });

  it("gives a verifier drawn twice one duty with both votes and twice the lock; its one commit leaves one vote to wait for", async function () {
    const d = await loadFixture(fixtures.drawnJobWithRepeat);
    const twice = d.votes.indexOf(2);
    const once = 1 - twice;
    expect(await dutyOf(d, twice)).to.include({ seatIndex: twice, votes: 2, locked: 2n * DISPUTE_PARAMETERS.verifierLock });
    await commitVote(d.clients[d.seats[twice]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    expect(await dutyOf(d, twice)).to.include({ next: "waitForReveal", everyoneCommitted: false });
    await commitVote(d.clients[d.seats[once]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    expect(await dutyOf(d, twice)).to.include({ next: "reveal", everyoneCommitted: true });
  });

  it("marks missed commits after the commit deadline, and opens the reveal for those who committed", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    await time.increaseTo((await deadlines(d)).commitDeadline + 1);
    expect((await dutyOf(d, 0)).next).to.equal("reveal");
    expect(await dutyOf(d, 1)).to.include({ next: "missed", deadline: undefined });
  });

  it("lists nothing once the round is resolved", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const secrets = [];
    for (const seat of d.seats) secrets.push(await commitVote(d.clients[seat], { jobId: d.jobId, resultHash: RESULT_HASH }));
    for (const [i, seat] of d.seats.entries()) await revealVote(d.clients[seat], secrets[i]!);
    await d.disputesWrite("keeper", "resolve", [d.jobId, d.terms]);
    for (const seat of d.seats) expect((await listCommitteeDuties(d.clients[seat])).duties).to.deep.equal([]);
  });

  it("needs a verifier or a wallet account", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await expectRejection(listCommitteeDuties(d.reader), MissingWalletClientError);
  });
});
