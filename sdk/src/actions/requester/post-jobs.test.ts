import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { MarketZeroFuelError } from "../../errors/contract-errors.ts";
import { InvalidParameterError, JobValueOutOfBoundsError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { MINTED, REWARD, createSdkFixtures, testJob } from "../../../../testkit/fixtures.ts";
import { encodeJobId } from "../../utils/job-id.ts";
import { MAX_BATCH, postJobs } from "./post-jobs.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("postJobs", function () {
  it("posts every job in one transaction and returns their ids in order", async function () {
    const d = await loadFixture(fixtures.staked);
    const rewards = [REWARD, 2n * REWARD, 3n * REWARD];
    const { jobIds, funding } = await postJobs(d.clients.requester, { jobs: rewards.map((reward) => testJob({ reward })) });
    expect(jobIds).to.deep.equal([0n, 1n, 2n].map((nonce) => encodeJobId({ requester: d.address.requester, nonce })));
    for (const id of jobIds) expect(await d.read("jobState", [id])).to.equal(JobState.Open);
    expect(funding.pulled).to.equal(6n * REWARD);
    expect(await d.tokenBalance(d.address.requester)).to.equal(MINTED - 6n * REWARD);
  });

  it("names the failing job's error: MarketZeroFuelError", async function () {
    const d = await loadFixture(fixtures.staked);
    await expectRejection(postJobs(d.clients.requester, { jobs: [testJob(), testJob({ fuelLimit: 0n })] }), MarketZeroFuelError);
  });

  it("refuses a batch with one job outside the market's bounds, naming it, with nothing sent", async function () {
    const d = await loadFixture(fixtures.staked);
    const before = await d.publicClient.getBlockNumber();
    const error = await expectRejection(
      postJobs(d.clients.requester, { jobs: [testJob(), testJob(), testJob({ collateralPct: 50 })] }),
      JobValueOutOfBoundsError,
    );
    expect(error).to.include({ parameter: "jobs[2].collateralPct", field: "collateralPct", value: 50n });
    expect(await d.publicClient.getBlockNumber()).to.equal(before);
  });

  it("refuses an empty batch or one over MAX_BATCH before sending", async function () {
    const d = await loadFixture(fixtures.staked);
    await expectRejection(postJobs(d.clients.requester, { jobs: [] }), InvalidParameterError);
    const tooMany = Array.from({ length: MAX_BATCH + 1 }, () => testJob());
    const error = await expectRejection(postJobs(d.clients.requester, { jobs: tooMany }), InvalidParameterError);
    expect(error.parameter).to.equal("jobs");
  });

  it("agrees with the contract's MAX_BATCH", async function () {
    const d = await loadFixture(fixtures.deployed);
    expect(await d.read("MAX_BATCH")).to.equal(BigInt(MAX_BATCH));
  });
});
