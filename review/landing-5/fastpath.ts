/**
 * Landing review 5: the fast path's batch (`claimAndSubmitJobs`) against a griefing requester.
 * Each test PASSES WHILE THE DEFENCE HOLDS; the first FAILS now (a finding).
 *
 * The batch skips members no longer Open (taken, cancelled, expired by `expireJob`) but reverts as
 * a whole for any other refusal, including `MarketClaimDeadlinePassed`. A job that is still Open
 * but past its claim deadline is exactly what a fast-path provider meets when it ran a job that
 * a griefer posted with a claim deadline a few seconds out: by the time the run is done and the
 * batch is mined, the deadline has passed, and every other member of the batch is lost with it
 * (the daemon counts a reverted fast-path batch as lost for all its members: their runs are
 * wasted and no collateral protects them).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { createFixtures, jobRequest, postedJobIds } from "../../test/helpers/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const URI = "http://127.0.0.1:8700/o/";

/** Two honest open jobs and one a griefer (`stranger`) posted with a claim deadline 5 s out. */
async function withGrief() {
  const d = await fixtures.staked();
  const now = await d.now();
  const honest = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs([jobRequest(now), jobRequest(now)])).wait());
  const grief = postedJobIds(
    d.market,
    await (await d.market.connect(d.stranger).postJob(jobRequest(now, { claimDeadline: now + 5 }))).wait(),
  );
  return { ...d, jobIds: [honest[0]!, grief[0]!, honest[1]!], griefId: grief[0]! };
}

describe("landing review 5: the fast-path batch and a griefer", function () {
  this.timeout(60_000);

  it("a member whose claim deadline passed while the batch was on its way is skipped; the others land", async function () {
    const d = await loadFixture(withGrief);
    await time.increase(10); // the run and the batch's way to a block
    const hashes = d.jobIds.map((id) => ethers.id(`result ${id}`));
    const uris = d.jobIds.map(() => URI);
    let submitted: bigint | undefined;
    let reverted: string | undefined;
    try {
      submitted = await d.market.connect(d.provider).claimAndSubmitJobs.staticCall(d.jobIds, hashes, uris);
    } catch (error) {
      reverted = (error as Error).message.split("\n")[0];
    }
    if (reverted) console.log(`      the whole batch reverted: ${reverted}`);
    expect(reverted, "the batch reverted").to.equal(undefined);
    expect(submitted).to.equal(2n);
  });

  it("the griefer's other levers are skipped: its member cancelled, or taken by a rival first", async function () {
    const d = await loadFixture(withGrief);
    await d.market.connect(d.stranger).cancelJob(d.griefId);
    await d.market.connect(d.provider2).claimAndSubmit(d.jobIds[0]!, ethers.id("rival"), URI);
    const hashes = d.jobIds.map((id) => ethers.id(`result ${id}`));
    const uris = d.jobIds.map(() => URI);
    expect(await d.market.connect(d.provider).claimAndSubmitJobs.staticCall(d.jobIds, hashes, uris)).to.equal(1n);
    await d.market.connect(d.provider).claimAndSubmitJobs(d.jobIds, hashes, uris);
  });

  it("the griefer's cost: its escrow comes back in full once the job expires (gas only)", async function () {
    const d = await loadFixture(withGrief);
    const before = await d.market.balanceOf(d.stranger.address);
    await time.increase(10);
    await d.market.connect(d.stranger).expireJob(d.griefId);
    const after = await d.market.balanceOf(d.stranger.address);
    // This documents the attack's price rather than a defence: the whole reward is returned.
    expect(after - before).to.equal(jobRequest(0).reward);
  });
});
