/**
 * Review: fee-based reputation. The docs' inequality (docs/economics.md, "farming the score a
 * job requires costs more than the job") compares the farming cost with ONE gated job. But the
 * score is not spent by claiming: fees paid are a stock, checked at each claim against that
 * job's reward only. Farmed once, a score opens every job of that reward (or less) at that gate,
 * as many at a time as the provider's stake covers.
 *
 * Attack: a self-posted job of 9,100 tokens (fee 91 tokens) gives score 9,009 on any 10-token
 * job; the attacker then claims 30 ten-token jobs gated at 9,000 in one claimJobs call (300
 * tokens of gated work for 91 tokens of fees, and the ratio grows with every further batch).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { createDisputeFixtures } from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, jobRequest, postClaimSubmit, postedJobIds, sybils } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const R = 10n * TOKEN_UNIT;
const GATE = 9_000;
const GATED_JOBS = 30;

async function farmedAndGatedPosted() {
  const d = await fixtures.deployed();
  const [farmRequester, farmer] = await sybils(ethers, networkHelpers, d, "farmer", 2, 20_000n * TOKEN_UNIT);
  await d.market.connect(farmer).stake(10_000n * TOKEN_UNIT);
  const self = await postClaimSubmit(ethers, networkHelpers, d, farmRequester, farmer, ethers.id("self"), {
    reward: 9_100n * TOKEN_UNIT,
    collateralPct: 100,
    challengeWindow: 10,
  });
  await time.increase(11);
  await d.market.finalizeJob(self.jobId, self.terms);
  const request = jobRequest(Number(await time.latest()), { reward: R, minReputation: GATE, challengeWindow: 3600 });
  const gated = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(Array(GATED_JOBS).fill(request))).wait());
  return { ...d, farmer, gated };
}

describe("Review: a farmed reputation is reusable", function () {
  it("the gate is real: a provider with no fees paid is refused a 10-token job gated at 9,000", async function () {
    const d = await loadFixture(farmedAndGatedPosted);
    await expect(d.market.connect(d.provider).claimJob(d.gated[0])).to.be.revertedWithCustomError(d.market, "MarketReputationTooLow");
  });

  it("91 tokens of fees once give score 9,009 on 10-token jobs", async function () {
    const d = await loadFixture(farmedAndGatedPosted);
    expect((await d.market.reputationOf(d.farmer.address)).feesPaid).to.equal(91n * TOKEN_UNIT);
    expect(await d.market.scoreFor(d.farmer.address, R)).to.equal(9_009n);
  });

  it("then 30 gated 10-token jobs (300 tokens) are claimed in one call, and the score is untouched", async function () {
    const d = await loadFixture(farmedAndGatedPosted);
    const rx = (await (await d.market.connect(d.farmer).claimJobs(d.gated)).wait())!;
    console.log(`      claimJobs(30 gated jobs): ${rx.gasUsed} gas; farming cost 91 tokens of fees, gated value ${GATED_JOBS * 10} tokens`);
    for (const id of d.gated) expect(await d.market.jobState(id)).to.equal(2n); // Claimed
    expect(await d.market.scoreFor(d.farmer.address, R)).to.equal(9_009n);
  });
});
