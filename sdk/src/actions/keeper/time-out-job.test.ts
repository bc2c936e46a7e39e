import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { MarketExecutionDeadlineNotReachedError, MarketUnexpectedJobStateError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { COLLATERAL_PCT, EXECUTION_TIME, REWARD, STAKE, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { timeOutJob } from "./time-out-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

const COLLATERAL = (REWARD * BigInt(COLLATERAL_PCT) + 99n) / 100n;

describe("timeOutJob", function () {
  it("slashes a provider that missed its execution deadline and pays the requester reward and collateral", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    await time.increase(EXECUTION_TIME + 1);
    const r = await timeOutJob(d.clients.keeper, { jobId: d.jobId });
    expect(r).to.include({ provider: d.address.provider, requester: d.address.requester, refund: REWARD, collateralSlashed: COLLATERAL });
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.TimedOut);
    expect(await d.read("balanceOf", [d.address.requester])).to.equal(REWARD + COLLATERAL);
    const stake = await d.read<{ staked: bigint; locked: bigint }>("stakeOf", [d.address.provider]);
    expect(stake).to.include({ staked: STAKE - COLLATERAL, locked: 0n });
  });

  it("throws MarketExecutionDeadlineNotReachedError before the deadline", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const { deadline } = await d.read<{ deadline: bigint }>("getJob", [d.jobId]);
    const error = await expectRejection(timeOutJob(d.clients.keeper, { jobId: d.jobId }), MarketExecutionDeadlineNotReachedError);
    expect(error.executionDeadline).to.equal(deadline);
  });

  it("throws MarketUnexpectedJobStateError once the result is in", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await time.increase(EXECUTION_TIME + 1);
    const error = await expectRejection(timeOutJob(d.clients.keeper, { jobId: d.jobId }), MarketUnexpectedJobStateError);
    expect(error.current).to.equal(JobState.Submitted);
  });
});
