import { expect } from "chai";
import { network } from "hardhat";

import {
  CHALLENGER_HASH,
  CHALLENGE_WINDOW,
  DISPUTE_PARAMETERS,
  RESULT_HASH,
  createSdkFixtures,
  postWithViem,
  voteWithViem,
} from "../../../../testkit/fixtures.ts";
import { getJobHistory } from "./get-job-history.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("getJobHistory", function () {
  it("returns every event of a job's life in block order", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await time.increase(CHALLENGE_WINDOW + 1);
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, d.terms]);
    const history = await getJobHistory(d.reader, { jobId: d.jobId });
    expect(history.map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobClaimed", "ResultSubmitted", "JobFinalized"]);
    expect(history.every((e) => e.contract === "market")).to.equal(true);
    const blocks = history.map((e) => e.blockNumber);
    expect([...blocks].sort((a, b) => (a < b ? -1 : 1))).to.deep.equal(blocks);
    expect(history.every((e) => e.args.jobId === d.jobId)).to.equal(true);
    expect(history[2]!.args.resultHash).to.equal(RESULT_HASH);
    expect(history[3]!.args.provider).to.equal(d.address.provider);
  });

  it("leaves out other jobs' events", async function () {
    const d = await loadFixture(fixtures.openJob);
    await d.marketWrite("requester", "cancelJob", [d.jobId]);
    const other = await postWithViem(d);
    await d.marketWrite("provider", "claimJob", [other]);
    const history = await getJobHistory(d.reader, { jobId: d.jobId });
    expect(history.map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobCancelled"]);
    expect((await getJobHistory(d.reader, { jobId: other })).map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobClaimed"]);
  });

  describe("for a disputed job", function () {
    it("interleaves the dispute module's events with the market's, in block and log order", async function () {
      const d = await loadFixture(fixtures.drawnJob);
      await voteWithViem(d, [RESULT_HASH, undefined, RESULT_HASH]);
      const { revealDeadline } = await d.disputesRead<{ revealDeadline: number }>("getDispute", [d.jobId]);
      await time.increaseTo(revealDeadline + 1);
      await d.disputesWrite("keeper", "resolve", [d.jobId, d.terms]);
      const history = await getJobHistory(d.reader, { jobId: d.jobId });
      expect(history.map((e) => `${e.contract}:${e.eventName}`)).to.deep.equal([
        "market:JobPosted",
        "market:JobClaimed",
        "market:ResultSubmitted",
        "market:JobDisputed",
        "disputes:DisputeOpened",
        "disputes:CommitteeDrawn",
        "disputes:VoteCommitted",
        "disputes:VoteCommitted",
        "disputes:VoteRevealed",
        "disputes:VoteRevealed",
        "disputes:VerifierSlashed",
        "market:JobFinalized",
        "market:DisputeSettled",
        "disputes:DisputePayout",
        "disputes:DisputePayout",
        "disputes:DisputePayout",
        "disputes:DisputeResolved",
      ]);
      const position = history.map((e) => e.blockNumber * 10_000n + BigInt(e.logIndex));
      expect([...position].sort((a, b) => (a < b ? -1 : 1))).to.deep.equal(position);
      const opened = history.find((e) => e.eventName === "DisputeOpened")!;
      expect(opened.address).to.equal(d.deployment.disputes);
      expect(opened.args).to.include({
        challenger: d.address.challenger,
        challengerHash: CHALLENGER_HASH,
        bond: DISPUTE_PARAMETERS.challengeBond,
      });
      expect(history.find((e) => e.eventName === "VerifierSlashed")!.args.verifier).to.equal(d.committee[1]);
    });

    it("keeps the market's and the module's DisputeVoided apart", async function () {
      const d = await loadFixture(fixtures.drawnJob);
      const { deadline } = await d.read<{ deadline: bigint }>("getJob", [d.jobId]);
      await time.increaseTo(deadline + 1n);
      await d.disputesWrite("keeper", "voidDispute", [d.jobId, d.terms]);
      const voided = (await getJobHistory(d.reader, { jobId: d.jobId })).filter((e) => e.eventName === "DisputeVoided");
      expect(voided.map((e) => e.contract)).to.deep.equal(["market", "disputes"]);
      expect(voided[0]!.args).to.have.property("refund");
      expect(voided[1]!.args).to.have.property("bondReturned");
    });

    it("leaves out another job's dispute", async function () {
      const d = await loadFixture(fixtures.challengedJob);
      const other = await postWithViem(d);
      const history = await getJobHistory(d.reader, { jobId: other });
      expect(history.map((e) => e.eventName)).to.deep.equal(["JobPosted"]);
    });
  });
});
