import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { MarketNotRequesterError, MarketUnexpectedJobStateError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { REWARD, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { jobStatesInMask } from "../../utils/job-state.ts";
import { cancelJob } from "./cancel-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("cancelJob", function () {
  it("cancels an open job and credits the reward to the requester's ledger balance", async function () {
    const d = await loadFixture(fixtures.openJob);
    const { refund } = await cancelJob(d.clients.requester, { jobId: d.jobId });
    expect(refund).to.equal(REWARD);
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Cancelled);
    expect(await d.read("balanceOf", [d.address.requester])).to.equal(REWARD);
  });

  it("throws MarketNotRequesterError when someone else tries", async function () {
    const d = await loadFixture(fixtures.openJob);
    const error = await expectRejection(cancelJob(d.clients.stranger, { jobId: d.jobId }), MarketNotRequesterError);
    expect(error.jobId).to.equal(d.jobId);
    expect(error.caller).to.equal(d.address.stranger);
  });

  it("throws MarketUnexpectedJobStateError once the job is claimed", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const error = await expectRejection(cancelJob(d.clients.requester, { jobId: d.jobId }), MarketUnexpectedJobStateError);
    expect(error.jobId).to.equal(d.jobId);
    expect(error.current).to.equal(JobState.Claimed);
    expect(jobStatesInMask(error.expectedStates)).to.deep.equal(["Open"]);
  });
});
