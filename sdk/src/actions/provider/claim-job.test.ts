import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import {
  MarketClaimDeadlinePassedError,
  MarketReputationTooLowError,
  MarketUnexpectedJobStateError,
  RegistryNotProviderError,
} from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { COLLATERAL_PCT, EXECUTION_TIME, REWARD, createSdkFixtures, postWithViem } from "../../../../testkit/fixtures.ts";
import { encodeJobId } from "../../utils/job-id.ts";
import { jobStatesInMask } from "../../utils/job-state.ts";
import { claimJob } from "./claim-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("claimJob", function () {
  it("claims an open job, locking the collateral, and returns the execution deadline", async function () {
    const d = await loadFixture(fixtures.openJob);
    const r = await claimJob(d.clients.provider, { jobId: d.jobId });
    const block = await d.publicClient.getBlock({ blockNumber: r.receipt.blockNumber });
    expect(r.collateral).to.equal((REWARD * BigInt(COLLATERAL_PCT)) / 100n);
    expect(r.executionDeadline).to.equal(block.timestamp + BigInt(EXECUTION_TIME));
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Claimed);
  });

  it("throws MarketUnexpectedJobStateError (state None) for a job that was never posted", async function () {
    const d = await loadFixture(fixtures.openJob);
    const unposted = encodeJobId({ requester: d.address.requester, nonce: 7n });
    const error = await expectRejection(claimJob(d.clients.provider, { jobId: unposted }), MarketUnexpectedJobStateError);
    expect(error.jobId).to.equal(unposted);
    expect(error.current).to.equal(JobState.None);
    expect(jobStatesInMask(error.expectedStates)).to.deep.equal(["Open"]);
    expect(error.shortMessage).to.equal("The job is not in one of the states the call needs");
  });

  it("throws MarketUnexpectedJobStateError (state Claimed) for a job already claimed", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const error = await expectRejection(claimJob(d.clients.provider2, { jobId: d.jobId }), MarketUnexpectedJobStateError);
    expect(error.current).to.equal(JobState.Claimed);
  });

  it("throws MarketClaimDeadlinePassedError after the claim deadline", async function () {
    const d = await loadFixture(fixtures.openJob);
    await time.increaseTo(d.claimDeadline + 1);
    const error = await expectRejection(claimJob(d.clients.provider, { jobId: d.jobId }), MarketClaimDeadlinePassedError);
    expect(error.claimDeadline).to.equal(BigInt(d.claimDeadline));
  });

  it("throws MarketReputationTooLowError (score 0) when a newcomer claims a job with any reputation gate", async function () {
    const d = await loadFixture(fixtures.staked);
    const gated = await postWithViem(d, { minReputation: 1 });
    const error = await expectRejection(claimJob(d.clients.provider, { jobId: gated }), MarketReputationTooLowError);
    expect(error.jobId).to.equal(gated);
    expect(error.score).to.equal(0n);
    expect(error.required).to.equal(1n);
  });

  it("throws RegistryNotProviderError for an unregistered caller", async function () {
    const d = await loadFixture(fixtures.openJob);
    const error = await expectRejection(claimJob(d.clients.stranger, { jobId: d.jobId }), RegistryNotProviderError);
    expect(error.account).to.equal(d.address.stranger);
  });
});
