import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { MarketUnexpectedJobStateError, MarketZeroResultHashError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import {
  CHALLENGE_WINDOW,
  COLLATERAL_PCT,
  OUTPUT_URI,
  RESULT_HASH,
  REWARD,
  createSdkFixtures,
  postManyWithViem,
} from "../../../../testkit/fixtures.ts";
import { claimAndSubmit, claimAndSubmitJobs } from "./claim-and-submit.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const ZERO = `0x${"00".repeat(32)}` as const;

describe("claimAndSubmit", function () {
  it("claims an open job and commits its result in one transaction, returning the settlement terms", async function () {
    const d = await loadFixture(fixtures.openJob);
    const r = await claimAndSubmit(d.clients.provider, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI });
    const block = await d.publicClient.getBlock({ blockNumber: r.receipt.blockNumber });
    expect(r.collateral).to.equal((REWARD * BigInt(COLLATERAL_PCT)) / 100n);
    expect(r.result.challengeEnd).to.equal(block.timestamp + BigInt(CHALLENGE_WINDOW));
    expect(r.result.terms).to.deep.equal({
      reward: REWARD,
      collateralPct: COLLATERAL_PCT,
      provider: d.address.provider,
      resultHash: RESULT_HASH,
      submittedBlock: r.receipt.blockNumber,
    });
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Submitted);
  });

  it("throws MarketUnexpectedJobStateError (Submitted) to the provider that lost the race, before signing", async function () {
    const d = await loadFixture(fixtures.openJob);
    await claimAndSubmit(d.clients.provider2, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI });
    const error = await expectRejection(
      claimAndSubmit(d.clients.provider, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI }),
      MarketUnexpectedJobStateError,
    );
    expect(error.current).to.equal(JobState.Submitted);
  });

  it("throws MarketZeroResultHashError for a zero commitment", async function () {
    const d = await loadFixture(fixtures.openJob);
    await expectRejection(
      claimAndSubmit(d.clients.provider, { jobId: d.jobId, resultHash: ZERO, outputURI: OUTPUT_URI }),
      MarketZeroResultHashError,
    );
  });
});

describe("claimAndSubmitJobs", function () {
  it("submits a batch, reporting the jobs another provider took first as skipped", async function () {
    const d = await loadFixture(fixtures.staked);
    const jobIds = await postManyWithViem(d, 4);
    await claimAndSubmit(d.clients.provider2, { jobId: jobIds[2]!, resultHash: RESULT_HASH, outputURI: OUTPUT_URI });
    const submissions = jobIds.map((jobId) => ({ jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI }));
    const r = await claimAndSubmitJobs(d.clients.provider, { submissions });
    expect(r.results.map((x) => x.jobId)).to.deep.equal([jobIds[0], jobIds[1], jobIds[3]]);
    expect(r.skipped).to.deep.equal([jobIds[2]]);
    for (const x of r.results) expect(x.terms.provider).to.equal(d.address.provider);
  });
});
