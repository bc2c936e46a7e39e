/**
 * Disputes and audits keep working on fast-path jobs (`claimAndSubmit`): a committee overturns a
 * wrong fast-path result and slashes its provider, and the audit lottery cannot be dodged through
 * the fast path (its seed is the hash of the submission block, unknown inside that block).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, postedJobIds, submittedTerms, type SubmittedJob } from "../../scripts/lib/jobs.js";
import {
  COLLATERAL,
  JobState,
  REWARD,
  STAKE,
  TOKEN_UNIT,
  challenge,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
} from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time, mine } = networkHelpers;
const ZERO = `0x${"00".repeat(32)}`;

/** The full system with one job posted and taken by the provider through `claimAndSubmit`. */
async function fastPathSubmitted() {
  const d = await fixtures.deployed();
  const request = jobRequest(Number(await time.latest()), { reward: REWARD, challengeWindow: 3600 });
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  const providerHash = ethers.id("provider");
  const receipt = await (await d.market.connect(d.provider).claimAndSubmit(jobId, providerHash, "")).wait();
  const terms = submittedTerms(d.market, receipt).get(jobId)!;
  return { ...d, jobId, terms, providerHash, challengerHash: ethers.id("challenger") };
}

/** 200 small fast-path jobs (two batches of 100), sorted by the audit lottery. */
async function manyFastPath() {
  const d = await fixtures.deployed();
  const terms = new Map<bigint, SubmittedJob>();
  for (let b = 0; b < 2; b++) {
    const request = jobRequest(Number(await time.latest()), { reward: TOKEN_UNIT, collateralPct: 100, challengeWindow: 3600 });
    const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(Array(100).fill(request))).wait());
    const receipt = await (
      await d.market.connect(d.provider).claimAndSubmitJobs(
        ids,
        ids.map(() => ethers.id("provider")),
        ids.map(() => ""),
      )
    ).wait();
    for (const [id, t] of submittedTerms(d.market, receipt)) terms.set(id, t);
  }
  const selected: bigint[] = [];
  for (const [id, t] of terms) if (await d.disputes.isSelectedForAudit(id, t.submittedBlock)) selected.push(id);
  return { ...d, terms, selected };
}

describe("HashworkDisputes: fast-path jobs", function () {
  it("a committee of three overturns a wrong fast-path result: the provider is slashed, the requester refunded", async function () {
    const d = await loadFixture(fastPathSubmitted);
    const challengeTx = await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
    expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
    const drawn = await fixtures.drawRound({ ...d, challengeTx }, distinct);
    const requesterBefore = await d.market.balanceOf(d.requester.address);
    await vote(d.disputes, d.jobId, drawn.seat, [d.challengerHash, d.challengerHash, d.challengerHash]);
    await d.disputes.connect(d.keeper).resolve(d.jobId, d.terms);
    expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked]).to.deep.equal([STAKE - COLLATERAL, 0n]);
    expect((await d.market.balanceOf(d.requester.address)) - requesterBefore).to.be.greaterThanOrEqual(REWARD);
    await expectSystemSolvent(d);
  });

  it("the challenge window of a fast-path job closes on time: a late challenge is refused", async function () {
    const d = await loadFixture(fastPathSubmitted);
    await time.increase(3601);
    await expect(challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash)).to.be.revertedWithCustomError(
      d.market,
      "MarketChallengeWindowClosed",
    );
  });

  describe("attack: dodging the audit lottery through the fast path", function () {
    it("the lottery of a fast-path job is seeded by its submission block's hash, which does not exist inside that block", async function () {
      const d = await loadFixture(fastPathSubmitted);
      const current = BigInt(await ethers.provider.getBlockNumber());
      expect(d.terms.submittedBlock).to.equal(current);
      // An eth_call on "latest" runs in the context of the submission's own block: there, as for
      // any contract the provider might call in that block, the seed does not exist yet and the
      // lottery cannot be read (startAudit refuses).
      expect(await d.disputes.auditSeed(current)).to.equal(ZERO);
      expect(await d.disputes.isSelectedForAudit(d.jobId, current)).to.equal(false);
      await expect(d.disputes.startAudit(d.jobId, d.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeNotSelectedForAudit");
      // Once the block is over, its seed is that block's hash.
      await mine(1);
      const block = await ethers.provider.getBlock(Number(current));
      expect(await d.disputes.auditSeed(current)).to.equal(block!.hash);
    });

    it("the lottery selects fast-path jobs at its rate, and a selected one is audited by a committee", async function () {
      const d = await loadFixture(manyFastPath);
      // 5% of 200: 10 expected; none at all has probability 0.95^200 ≈ 3.5e-5.
      expect(d.selected.length).to.be.within(1, 40);
      const jobId = d.selected[0];
      await expect(d.disputes.connect(d.keeper).startAudit(jobId, d.terms.get(jobId)!)).to.emit(d.disputes, "DisputeOpened");
      expect(await d.market.jobState(jobId)).to.equal(JobState.Disputed);
      await expectSystemSolvent(d);
    });
  });
});
