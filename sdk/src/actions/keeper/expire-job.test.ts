import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { MarketClaimDeadlineNotReachedError, MarketUnexpectedJobStateError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { REWARD, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { expireJob } from "./expire-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("expireJob", function () {
  it("refunds an unclaimed job after its claim deadline to the requester's ledger", async function () {
    const d = await loadFixture(fixtures.openJob);
    await time.increaseTo(d.claimDeadline + 1);
    const { requester, refund } = await expireJob(d.clients.keeper, { jobId: d.jobId });
    expect(requester).to.equal(d.address.requester);
    expect(refund).to.equal(REWARD);
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Expired);
    expect(await d.read("balanceOf", [d.address.requester])).to.equal(REWARD);
  });

  it("throws MarketClaimDeadlineNotReachedError before the deadline", async function () {
    const d = await loadFixture(fixtures.openJob);
    const error = await expectRejection(expireJob(d.clients.keeper, { jobId: d.jobId }), MarketClaimDeadlineNotReachedError);
    expect(error.claimDeadline).to.equal(BigInt(d.claimDeadline));
  });

  it("throws MarketUnexpectedJobStateError for a claimed job", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    await time.increaseTo(d.claimDeadline + 1);
    const error = await expectRejection(expireJob(d.clients.keeper, { jobId: d.jobId }), MarketUnexpectedJobStateError);
    expect(error.current).to.equal(JobState.Claimed);
  });
});
