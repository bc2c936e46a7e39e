import { expect } from "chai";
import { network } from "hardhat";
import { zeroAddress } from "viem";

import {
  CHALLENGE_WINDOW,
  COLLATERAL_PCT,
  EXECUTION_TIME,
  OUTPUT_URI,
  RESULT_HASH,
  REWARD,
  createSdkFixtures,
} from "../../../../testkit/fixtures.ts";
import { encodeJobId } from "../../utils/job-id.ts";
import { collateralOf } from "../../utils/job-request.ts";
import { getJob } from "./get-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("getJob", function () {
  it("reads an open job's stored terms and its claim deadline", async function () {
    const d = await loadFixture(fixtures.openJob);
    const job = await getJob(d.reader, { jobId: d.jobId });
    expect(job).to.deep.include({
      jobId: d.jobId,
      requester: d.address.requester,
      nonce: 0n,
      state: "Open",
      deadline: BigInt(d.claimDeadline),
      reward: REWARD,
      provider: zeroAddress,
      collateralPct: COLLATERAL_PCT,
      collateral: collateralOf(REWARD, COLLATERAL_PCT),
      executionTime: EXECUTION_TIME,
      challengeWindow: CHALLENGE_WINDOW,
      commitment: 0n,
    });
    expect(job.result).to.equal(undefined);
  });

  it("shows the claimant once claimed", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const job = await getJob(d.reader, { jobId: d.jobId });
    expect(job.state).to.equal("Claimed");
    expect(job.provider).to.equal(d.address.provider);
  });

  it("fills a submitted job's terms from ResultSubmitted (the record holds only a commitment)", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const job = await getJob(d.reader, { jobId: d.jobId });
    expect(job.state).to.equal("Submitted");
    expect(job.commitment).to.not.equal(0n);
    expect(job.reward).to.equal(REWARD);
    expect(job.provider).to.equal(d.address.provider);
    expect(job.result?.resultHash).to.equal(RESULT_HASH);
    expect(job.result?.outputURI).to.equal(OUTPUT_URI);
    expect(job.deadline).to.equal(job.result?.challengeEnd);
  });

  it("still describes a finalized job, whose slot is cleared", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const before = await getJob(d.reader, { jobId: d.jobId });
    await time.increase(CHALLENGE_WINDOW + 1);
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, before.result!.terms]);
    const job = await getJob(d.reader, { jobId: d.jobId });
    expect(job.state).to.equal("Finalized");
    expect(job.commitment).to.equal(0n);
    expect(job.reward).to.equal(REWARD);
    expect(job.result?.resultHash).to.equal(RESULT_HASH);
  });

  it("reads the past: the state as of an earlier block", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const claimedAt = await d.publicClient.getBlockNumber();
    await d.marketWrite("provider", "submitResult", [d.jobId, RESULT_HASH, OUTPUT_URI]);
    expect((await getJob(d.reader, { jobId: d.jobId, blockNumber: claimedAt })).state).to.equal("Claimed");
    expect((await getJob(d.reader, { jobId: d.jobId })).state).to.equal("Submitted");
  });

  it("reports None for a job that was never posted", async function () {
    const d = await loadFixture(fixtures.openJob);
    const job = await getJob(d.reader, { jobId: encodeJobId({ requester: d.address.stranger, nonce: 0n }) });
    expect(job.state).to.equal("None");
    expect(job.requester).to.equal(d.address.stranger);
  });
});
