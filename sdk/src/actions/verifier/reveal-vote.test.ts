import { expect } from "chai";
import { network } from "hardhat";

import { SeatStatus } from "../../abi/enums.ts";
import {
  DisputeCommitmentMismatchError,
  DisputeNothingToRevealError,
  DisputeRevealClosedError,
  DisputeRevealNotOpenError,
} from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGER_HASH, RESULT_HASH, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { randomSalt } from "../shared/disputes.ts";
import { commitVote } from "./commit-vote.ts";
import { revealVote } from "./reveal-vote.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

/** Every seat committed: seats 0 and 1 for the challenger's hash, seat 2 for the provider's. */
async function committed() {
  const d = await fixtures.drawnJob();
  const votes = [CHALLENGER_HASH, CHALLENGER_HASH, RESULT_HASH];
  const secrets = [];
  for (const [i, seat] of d.seats.entries()) secrets.push(await commitVote(d.clients[seat], { jobId: d.jobId, resultHash: votes[i]! }));
  return { ...d, secrets };
}

describe("revealVote", function () {
  it("reveals with the secret commitVote returned and records the hash in the seat", async function () {
    const d = await loadFixture(committed);
    const revealed = await revealVote(d.clients[d.seats[1]!], d.secrets[1]!);
    expect(revealed).to.include({ jobId: d.jobId, round: 0, seatIndex: 1, resultHash: CHALLENGER_HASH });
    const seats = await d.disputesRead<readonly { status: number; vote: string }[]>("getCommittee", [d.jobId, 0]);
    expect(seats[1]).to.include({ status: SeatStatus.Revealed, vote: CHALLENGER_HASH });
  });

  it("finds the seat itself when only the hash and the salt are given", async function () {
    const d = await loadFixture(committed);
    const { resultHash, salt } = d.secrets[2]!;
    const revealed = await revealVote(d.clients[d.seats[2]!], { jobId: d.jobId, resultHash, salt });
    expect(revealed.seatIndex).to.equal(2);
  });

  it("throws DisputeCommitmentMismatchError for a wrong salt", async function () {
    const d = await loadFixture(committed);
    const error = await expectRejection(
      revealVote(d.clients[d.seats[0]!], { ...d.secrets[0]!, salt: randomSalt() }),
      DisputeCommitmentMismatchError,
    );
    expect(error.jobId).to.equal(d.jobId);
    expect(error.verifier).to.equal(d.committee[0]);
  });

  it("throws DisputeCommitmentMismatchError for another hash than the one committed", async function () {
    const d = await loadFixture(committed);
    await expectRejection(
      revealVote(d.clients[d.seats[0]!], { ...d.secrets[0]!, resultHash: RESULT_HASH }),
      DisputeCommitmentMismatchError,
    );
  });

  it("throws DisputeRevealNotOpenError while other seats may still commit", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const secret = await commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    await expectRejection(revealVote(d.clients[d.seats[0]!], secret), DisputeRevealNotOpenError);
    // After the commit deadline the reveal opens even though two seats never committed.
    await time.increaseTo(BigInt((await d.disputesRead<{ commitDeadline: number }>("getDispute", [d.jobId])).commitDeadline) + 1n);
    expect((await revealVote(d.clients[d.seats[0]!], secret)).resultHash).to.equal(RESULT_HASH);
  });

  it("throws DisputeNothingToRevealError for a second reveal", async function () {
    const d = await loadFixture(committed);
    await revealVote(d.clients[d.seats[0]!], d.secrets[0]!);
    await expectRejection(revealVote(d.clients[d.seats[0]!], d.secrets[0]!), DisputeNothingToRevealError);
  });

  it("throws DisputeRevealClosedError after the reveal deadline", async function () {
    const d = await loadFixture(committed);
    const { revealDeadline } = await d.disputesRead<{ revealDeadline: number }>("getDispute", [d.jobId]);
    await time.increaseTo(revealDeadline + 1);
    const error = await expectRejection(revealVote(d.clients[d.seats[0]!], d.secrets[0]!), DisputeRevealClosedError);
    expect(error.revealDeadline).to.equal(BigInt(revealDeadline));
  });
});
