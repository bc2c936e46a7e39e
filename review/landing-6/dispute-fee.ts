/**
 * Landing review 6: a fee change scheduled between a fast-path submit and a dispute of that job.
 * `_withdrawFromBucket` recomputes the job's fee from the fee state at dispute time; if it ever
 * differed from the rate `_defer` used, the subtraction from a one-job bucket would underflow and
 * the dispute would revert (a dispute dodge). PASSES WHILE THE DEFENCE HOLDS: a fee change's
 * `changeDay` is at least the longest job lifetime away, so a disputable job keeps its rate.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, postedJobIds, submittedTerms } from "../../scripts/lib/jobs.js";
import { REWARD, challenge, createDisputeFixtures, expectSystemSolvent } from "../../test/disputes/fixtures.js";
import { JobState, bucketsOf } from "../../test/market/shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

/** The full system with one job fast-pathed alone into bucket 0 (a 1-day window). */
async function oneDeferred() {
  const d = await fixtures.deployed();
  const request = jobRequest(Number(await time.latest()), { reward: REWARD, challengeWindow: 86_400 });
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  const receipt = await (await d.market.connect(d.provider).claimAndSubmit(jobId!, ethers.id("provider"), "")).wait();
  return { ...d, jobId: jobId!, terms: submittedTerms(d.market, receipt).get(jobId!)! };
}

describe("landing review 6: a fee change between a deferred submit and its dispute", function () {
  this.timeout(120_000);

  for (const bps of [0, 1_000]) {
    it(`holds: after setFeeBps(${bps}) the job is still disputable and leaves its one-job bucket exactly empty`, async function () {
      const d = await loadFixture(oneDeferred);
      const [before] = await bucketsOf(d.market, d.provider.address);
      expect(before.jobs).to.equal(1n);
      await d.market.connect(d.owner).setFeeBps(bps);
      await time.increase(3_600);
      await challenge(d.disputes, d.jobId, d.terms, d.challenger, ethers.id("challenger"));
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
      const [b0] = await bucketsOf(d.market, d.provider.address);
      expect([b0.jobs, b0.payout, b0.fee, b0.collateral, b0.feeUnits]).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      await expectSystemSolvent(d);
    });
  }
});
