/**
 * Disputes of jobs paid through a pay bucket (IPayBuckets), on the full system (market, dispute
 * module, verifier pool): a challenge at the last second of the window takes the job out of its
 * bucket before the bucket can mature; a release racing that challenge in the same block cannot
 * pay the job; the dispute then settles the job exactly once, whichever way it goes.
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
  challengeCommitment,
  CHALLENGE_SALT,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
} from "../disputes/fixtures.js";
import { bucketsOf, feeOf } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;
const PAYOUT = REWARD - feeOf(REWARD);

/** The full system with two jobs fast-pathed in one call into the provider's bucket 0. */
async function twoDeferred() {
  const d = await fixtures.deployed();
  const request = jobRequest(Number(await time.latest()), { reward: REWARD, challengeWindow: 600 });
  const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs([request, request])).wait());
  const providerHash = ethers.id("provider");
  const receipt = await (await d.market.connect(d.provider).claimAndSubmitJobs(ids, [providerHash, providerHash], ["", ""])).wait();
  const all = submittedTerms(d.market, receipt);
  const [b0] = await bucketsOf(d.market, d.provider.address);
  return {
    ...d,
    ids,
    jobId: ids[0],
    terms: all.get(ids[0])!,
    otherTerms: all.get(ids[1])!,
    providerHash,
    challengerHash: ethers.id("challenger"),
    end: b0.maturesAt,
  };
}

/** `twoDeferred` with the first job challenged at the last second of its window. */
async function challengedAtTheLastSecond() {
  const d = await twoDeferred();
  await d.disputes
    .connect(d.challenger)
    .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
  await time.setNextBlockTimestamp(d.end);
  const challengeTx = await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
  return { ...d, challengeTx };
}

describe("HashworkMarket: disputes of deferred-pay jobs", function () {
  describe("attack: a dispute at the last second of the window", function () {
    it("opens, and takes the job out of its bucket: the bucket holds only the other job", async function () {
      const d = await loadFixture(challengedAtTheLastSecond);
      await expect(d.challengeTx).to.emit(d.market, "JobDisputed");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
      const [b0] = await bucketsOf(d.market, d.provider.address);
      expect([b0.jobs, b0.payout, b0.fee, b0.collateral]).to.deep.equal([1n, PAYOUT, feeOf(REWARD), COLLATERAL]);
      // Still locked: one job's collateral for the dispute, one in the bucket.
      expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(2n * COLLATERAL);
    });

    it("one second later the challenge is refused (the window has closed)", async function () {
      const d = await loadFixture(twoDeferred);
      await d.disputes
        .connect(d.challenger)
        .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
      await time.increaseTo(d.end + 1n);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT))
        .to.be.revertedWithCustomError(d.market, "MarketChallengeWindowClosed")
        .withArgs(d.jobId, d.end);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
    });

    it("the bucket then releases only the undisputed job; the dispute settles the other once (provider wins)", async function () {
      const d = await loadFixture(challengedAtTheLastSecond);
      // The seed block must be the next one: draw before anything else is mined.
      const drawn = await fixtures.drawRound(d, distinct);
      await expect(d.market.releasePay(d.provider.address))
        .to.emit(d.market, "PayReleased")
        .withArgs(d.provider.address, 0n, 1n, PAYOUT, feeOf(REWARD), COLLATERAL, COLLATERAL);
      // The committee backs the provider: the market pays the job through the dispute.
      await vote(
        d.disputes,
        d.jobId,
        drawn.seat,
        drawn.seat.map(() => d.providerHash),
      );
      await expect(d.disputes.connect(d.keeper).resolve(d.jobId, d.terms)).to.emit(d.market, "JobFinalized");
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 2n * PAYOUT, 0n, 2n]);
      await expect(d.market.finalizeJob(d.jobId, d.terms)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
      expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(0n);
      await expectSystemSolvent(d);
    });

    it("a lost dispute slashes the job's collateral; the bucket still pays the other job", async function () {
      const d = await loadFixture(challengedAtTheLastSecond);
      const drawn = await fixtures.drawRound(d, distinct);
      await vote(
        d.disputes,
        d.jobId,
        drawn.seat,
        drawn.seat.map(() => d.challengerHash),
      );
      await expect(d.disputes.connect(d.keeper).resolve(d.jobId, d.terms)).to.emit(d.market, "DisputeSettled");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
      await d.market.releasePay(d.provider.address);
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE - COLLATERAL + PAYOUT, 0n, 1n]);
      await expectSystemSolvent(d);
    });
  });

  describe("attack: a release racing a dispute in the same block", function () {
    async function race(afterEnd: bigint, releaseFirst: boolean) {
      const d = await loadFixture(twoDeferred);
      const timestamp = d.end + afterEnd;
      await d.disputes
        .connect(d.challenger)
        .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
      await ethers.provider.send("evm_setAutomine", [false]);
      let hashes: string[];
      try {
        const release = () => d.market.connect(d.keeper).releasePay(d.provider.address, { gasLimit: 500_000 });
        const dispute = () =>
          d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT, { gasLimit: 2_000_000 });
        const sent = releaseFirst ? [await release(), await dispute()] : [await dispute(), await release()];
        hashes = sent.map((t) => t.hash);
        // evm_mine with a timestamp: the block holding both transactions is mined at `timestamp`.
        await ethers.provider.send("evm_mine", [Number(timestamp)]);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      const receipts = await Promise.all(hashes.map((h) => ethers.provider.getTransactionReceipt(h)));
      expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1, "one block");
      expect(BigInt((await ethers.provider.getBlock(receipts[0]!.blockNumber))!.timestamp)).to.equal(timestamp, "the block's time");
      const [b0] = await bucketsOf(d.market, d.provider.address);
      return { d, b0, state: await d.market.jobState(d.jobId) };
    }

    for (const releaseFirst of [true, false]) {
      const order = releaseFirst ? "release first" : "dispute first";
      it(`at the window's last second (${order}): the dispute opens, nothing is released`, async function () {
        const { d, b0, state } = await race(0n, releaseFirst);
        expect(state).to.equal(JobState.Disputed);
        expect(b0.jobs).to.equal(1n);
        expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE);
        await expectSystemSolvent(d);
      });

      it(`one second later (${order}): the release pays both jobs, the dispute is refused`, async function () {
        const { d, b0, state } = await race(1n, releaseFirst);
        expect(state).to.equal(JobState.Finalized);
        expect(b0.jobs).to.equal(0n);
        expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE + 2n * PAYOUT);
        await expectSystemSolvent(d);
      });
    }
  });

  it("a plain challenge helper works on a bucketed job mid-window too", async function () {
    const d = await loadFixture(twoDeferred);
    await challenge(d.disputes, d.ids[1], d.otherTerms, d.challenger, d.challengerHash);
    expect(await d.market.jobState(d.ids[1])).to.equal(JobState.Disputed);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect(b0.jobs).to.equal(1n);
  });
});
