/**
 * Landing review 7: a job the hostage rule sends down the eager path from inside a fast-path
 * batch (its window too long for the bucket) must be paid exactly once, by its own settlement,
 * never by the bucket: finalized twice? timed out, expired or cancelled after? disputed, won
 * and lost, while its batch-mate sits in the bucket? On the full system (market, dispute
 * module, verifier pool). Each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, postedJobIds, submittedTerms } from "../../scripts/lib/jobs.js";
import {
  COLLATERAL,
  JobState,
  REWARD,
  STAKE,
  challenge,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
} from "../../test/disputes/fixtures.js";
import { bucketsOf, feeOf } from "../../test/market/shared.js";
import { deferredIn, fastPath } from "./support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;
const PAYOUT = REWARD - feeOf(REWARD);

/** One batch: a 600 s job (bucketed) and a 3600 s job (eager under the hostage rule). */
async function eagerBesideBucketed() {
  const d = await fixtures.deployed();
  const now = Number(await time.latest());
  const requests = [600, 3600].map((challengeWindow) => jobRequest(now, { reward: REWARD, challengeWindow }));
  const [shortId, longId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(requests)).wait());
  const providerHash = ethers.id("provider");
  const receipt = await fastPath(d.market, d.provider, [shortId!, longId!], providerHash);
  const terms = submittedTerms(d.market, receipt);
  return {
    ...d,
    deferred: deferredIn(d.market, receipt),
    shortId: shortId!,
    jobId: longId!,
    terms: terms.get(longId!)!,
    providerHash,
    challengerHash: ethers.id("challenger"),
  };
}

/** `eagerBesideBucketed` with the eager job challenged. */
async function eagerChallenged() {
  const d = await eagerBesideBucketed();
  const before = await bucketsOf(d.market, d.provider.address);
  const challengeTx = await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
  return { ...d, before, challengeTx };
}

describe("landing review 7: an eagerly-finalized fast-path job is paid once", function () {
  this.timeout(180_000);

  it("holds: finalized once; a second finalize, a time-out, expiry, cancel, settleOverdueJobs and releasePay all leave it alone", async function () {
    const d = await loadFixture(eagerBesideBucketed);
    expect(d.deferred).to.deep.equal([d.shortId]);
    await time.increase(3601);
    expect(await d.market.releasePay.staticCall(d.provider.address), "the bucket pays only the short job").to.equal(PAYOUT);
    await d.market.releasePay(d.provider.address);
    await expect(d.market.finalizeJob(d.jobId, d.terms)).to.emit(d.market, "JobFinalized");
    await expect(d.market.finalizeJob(d.jobId, d.terms)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    expect(await d.market.finalizeJobs.staticCall([d.jobId], [d.terms])).to.equal(0n);
    await expect(d.market.timeOutJob(d.jobId)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    await expect(d.market.expireJob(d.jobId)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    await expect(d.market.connect(d.requester).cancelJob(d.jobId)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    expect(await d.market.settleOverdueJobs.staticCall([d.jobId, d.shortId])).to.equal(0n);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(0n);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 2n * PAYOUT, 0n, 2n]);
    await expectSystemSolvent(d);
  });

  it("holds: a challenge of the eager job leaves the bucket untouched; the provider wins: paid once by the dispute", async function () {
    const d = await loadFixture(eagerChallenged);
    await expect(d.challengeTx).to.emit(d.market, "JobDisputed");
    expect(await bucketsOf(d.market, d.provider.address)).to.deep.equal(d.before);
    const drawn = await fixtures.drawRound(d, distinct);
    await vote(
      d.disputes,
      d.jobId,
      drawn.seat,
      drawn.seat.map(() => d.providerHash),
    );
    await expect(d.disputes.connect(d.keeper).resolve(d.jobId, d.terms)).to.emit(d.market, "JobFinalized");
    await expect(d.market.finalizeJob(d.jobId, d.terms)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    await time.increase(3601);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(PAYOUT);
    await d.market.releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 2n * PAYOUT, 0n, 2n]);
    await expectSystemSolvent(d);
  });

  it("holds: the provider loses the eager job's dispute: its collateral slashed once, the bucketed job still paid", async function () {
    const d = await loadFixture(eagerChallenged);
    const drawn = await fixtures.drawRound(d, distinct);
    await vote(
      d.disputes,
      d.jobId,
      drawn.seat,
      drawn.seat.map(() => d.challengerHash),
    );
    await d.disputes.connect(d.keeper).resolve(d.jobId, d.terms);
    expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
    await time.increase(3601);
    await d.market.releasePay(d.provider.address);
    await expect(d.market.finalizeJob(d.jobId, d.terms)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE - COLLATERAL + PAYOUT, 0n, 1n]);
    await expectSystemSolvent(d);
  });
});
