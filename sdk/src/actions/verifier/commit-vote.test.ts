import { expect } from "chai";
import { network } from "hardhat";

import { SeatStatus } from "../../abi/enums.ts";
import {
  DisputeAlreadyCommittedError,
  DisputeCommitClosedError,
  DisputeNotOnCommitteeError,
  DisputeWrongPhaseError,
} from "../../errors/contract-errors.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGER_HASH, RESULT_HASH, VERIFIERS, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { computeVoteCommitment } from "../shared/disputes.ts";
import { commitVote, type VoteSecret } from "./commit-vote.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

type Seat = { verifier: string; status: number; vote: string };
type D = Awaited<ReturnType<typeof fixtures.drawnJob>>;
const seatsOf = (d: D) => d.disputesRead<readonly Seat[]>("getCommittee", [d.jobId, 0]);

describe("commitVote", function () {
  it("finds each verifier's seat, commits keccak256(abi.encode(hash, salt, verifier)) and returns the secret", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const secrets: VoteSecret[] = [];
    for (const seat of d.seats) secrets.push(await commitVote(d.clients[seat], { jobId: d.jobId, resultHash: RESULT_HASH }));
    expect(secrets.map((s) => s.seatIndex)).to.deep.equal([0, 1, 2]);
    expect(secrets.map((s) => s.verifier)).to.deep.equal(d.committee);
    expect(new Set(secrets.map((s) => s.salt)).size).to.equal(3);
    const onChain = await seatsOf(d);
    for (const [i, s] of secrets.entries()) {
      expect(s).to.include({ jobId: d.jobId, round: 0, resultHash: RESULT_HASH, disputes: d.deployment.disputes, chainId: 31337 });
      expect(s.salt).to.match(/^0x[0-9a-f]{64}$/);
      expect(s.commitment).to.equal(computeVoteCommitment({ resultHash: RESULT_HASH, salt: s.salt, verifier: s.verifier }));
      expect(onChain[i]).to.include({ status: SeatStatus.Committed, vote: s.commitment });
    }
  });

  it("hands the secret to saltStore before sending (the seat is still uncommitted when it is saved)", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const saved: { secret: VoteSecret; status: number }[] = [];
    const save = async (secret: VoteSecret) => {
      saved.push({ secret, status: (await seatsOf(d))[secret.seatIndex]!.status });
    };
    const viaFunction = await commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: CHALLENGER_HASH, saltStore: save });
    const viaObject = await commitVote(d.clients[d.seats[1]!], { jobId: d.jobId, resultHash: CHALLENGER_HASH, saltStore: { save } });
    expect(saved.map((s) => s.status)).to.deep.equal([SeatStatus.Drawn, SeatStatus.Drawn]);
    expect(saved[0]!.secret.salt).to.equal(viaFunction.salt);
    const { transactionHash, receipt, ...secret } = viaObject;
    expect(saved[1]!.secret).to.deep.equal(secret);
    expect(receipt.transactionHash).to.equal(transactionHash);
  });

  it("sends nothing when saltStore fails", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const failing = () => Promise.reject(new Error("disk full"));
    await commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: RESULT_HASH, saltStore: failing }).then(
      () => expect.fail("resolved"),
      (e: Error) => expect(e.message).to.equal("disk full"),
    );
    expect((await seatsOf(d))[0]!.status).to.equal(SeatStatus.Drawn);
  });

  it("throws DisputeNotOnCommitteeError for a verifier without a seat, before saving anything", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const outsider = [...VERIFIERS, "provider2" as const].find((v) => !d.seats.includes(v))!;
    let saved = 0;
    for (const who of [outsider, "stranger"] as const) {
      const error = await expectRejection(
        commitVote(d.clients[who], { jobId: d.jobId, resultHash: RESULT_HASH, saltStore: () => void saved++ }),
        DisputeNotOnCommitteeError,
      );
      expect(error.jobId).to.equal(d.jobId);
      expect(error.caller).to.equal(d.address[who]);
    }
    expect(saved).to.equal(0);
  });

  it("throws DisputeWrongPhaseError before the committee is drawn", async function () {
    const d = await loadFixture(fixtures.challengedJob);
    const error = await expectRejection(
      commitVote(d.clients.verifier1, { jobId: d.jobId, resultHash: RESULT_HASH }),
      DisputeWrongPhaseError,
    );
    expect(error.current).to.equal(1); // AwaitingDraw
  });

  it("throws DisputeAlreadyCommittedError for a second commit", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: RESULT_HASH });
    await expectRejection(
      commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: CHALLENGER_HASH }),
      DisputeAlreadyCommittedError,
    );
  });

  it("throws DisputeCommitClosedError after the commit deadline", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const { commitDeadline } = await d.disputesRead<{ commitDeadline: number }>("getDispute", [d.jobId]);
    await time.increaseTo(commitDeadline + 1);
    const error = await expectRejection(
      commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: RESULT_HASH }),
      DisputeCommitClosedError,
    );
    expect(error.commitDeadline).to.equal(BigInt(commitDeadline));
  });

  it("refuses a result hash that is not 32 bytes with InvalidParameterError", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await expectRejection(commitVote(d.clients[d.seats[0]!], { jobId: d.jobId, resultHash: "0x1234" }), InvalidParameterError);
  });
});
