/**
 * Retroactive changes left after issue 13 (config versions, fee changes, withdrawal delay).
 * Each test PASSES WHILE THE ATTACK WORKS. The owner here is an EOA (the dispute fixtures); in
 * production each change is a timelocked proposal, and every change below fits in ONE batch
 * (or two proposals queued side by side), so the delay argument does not cover jobs posted
 * while it was pending.
 *
 * A. Fee: lowering the job bounds in the same batch as `setFeeBps` shortens the lifetime used
 *    for `changeDay`; a job posted before the batch executed (under the old, longer bounds)
 *    pays the new fee.
 * B. Fee: raising `maxDisputeDuration` right after a fee change: an old job's dispute deadline
 *    (which is the `deadline` `_feeBpsFor` reads) lands after `changeDay`; the provider, who won
 *    its dispute, pays the new fee.
 * C. Audit selection reads the CURRENT config's `auditRateBps` for jobs submitted long before:
 *    a rate change re-draws the lottery of every open job (0 frees every selected liar).
 * D. A forced audit's cap ("this job's reserve share") is computed with the CURRENT `feeBps()`,
 *    not the fee the job pays: after a 1% -> 10% change it takes 10x what the job pays in.
 * E. Verifier withdrawal delay is read at request time from the current bounds: after
 *    `maxChallengeWindow` / `maxDisputeDuration` / unbonding are lowered, verifiers in the
 *    snapshot of a job posted under the old bounds withdraw before its dispute is drawn, and sit
 *    on the committee with nothing locked.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  CHALLENGE_SALT,
  STAKE,
  TOKEN_UNIT,
  challengeCommitment,
  createDisputeFixtures,
  seatsBy,
  vote,
} from "../../test/disputes/fixtures.js";
import { finalizedFee, fmt, postClaimSubmit, jobRequest, postedJobIds, submittedTerms, type Deployed } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;
const DAY = 24 * 3600;
async function auditableNoFees() {
  return fixtures.auditable(200, false, 1);
}
async function auditableWithFees() {
  return fixtures.auditable(200, true, 1);
}

async function configObject(d: Deployed) {
  const c = await d.disputes.config();
  return {
    challengeBond: c.challengeBond,
    verifierLock: c.verifierLock,
    verifierFee: c.verifierFee,
    verifierSlashBps: c.verifierSlashBps,
    challengerRewardBps: c.challengerRewardBps,
    auditRateBps: c.auditRateBps,
    committeeSize: c.committeeSize,
    maxRounds: c.maxRounds,
    commitPeriod: c.commitPeriod,
    revealPeriod: c.revealPeriod,
  };
}

describe("landing review: retroactive changes", function () {
  this.timeout(600_000);

  it("A: bounds lowered in the fee change's batch make a job posted before it pay the new fee", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    const request = jobRequest(await time.latest(), {
      reward: 10n * TOKEN_UNIT,
      claimDeadline: (await time.latest()) + 6 * DAY,
      challengeWindow: 3600,
    });
    const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
    // One batch: shorten every bound (benign-looking), then raise the fee 1% -> 10%.
    await d.market.connect(d.owner).setMaxClaimDelay(60);
    await d.market.connect(d.owner).setExecutionTimeBounds(1, 60);
    await d.market.connect(d.owner).setChallengeWindowBounds(1, 60);
    await d.market.connect(d.owner).setMaxDisputeDuration(await d.disputes.minDisputeDuration());
    await d.market.connect(d.owner).setFeeBps(1_000);
    const [, effectiveAt] = await d.market.feeChange();
    await time.increase(5 * DAY);
    await d.market.connect(d.provider).claimJob(jobId);
    const terms = submittedTerms(d.market, await (await d.market.connect(d.provider).submitResult(jobId, ethers.id("ok"), "")).wait()).get(
      jobId,
    )!;
    await time.increase(3601);
    const fee = finalizedFee(d, await (await d.market.finalizeJob(jobId, terms)).wait());
    console.log(
      `      job posted under 1% (old bounds: 6-day claim); the batch's changeDay is ${Number(effectiveAt) - Number(request.claimDeadline) + 6 * DAY}s after the post; fee paid ${fmt(fee)} (1% = 0.1), 5 extra gas-free calls in the batch`,
    );
    expect(fee).to.equal(TOKEN_UNIT); // 10% of 10 tokens
  });

  it("B: maxDisputeDuration raised after a fee change: an old job's dispute ends after changeDay and pays the new fee", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    const request = jobRequest(await time.latest(), { reward: 10n * TOKEN_UNIT, challengeWindow: 3600 });
    const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
    await d.market.connect(d.owner).setFeeBps(1_000); // proposal 1
    await d.market.connect(d.owner).setMaxDisputeDuration(180 * DAY); // proposal 2, queued alongside
    await d.market.connect(d.provider).claimJob(jobId);
    const terms = submittedTerms(
      d.market,
      await (await d.market.connect(d.provider).submitResult(jobId, ethers.id("provider"), "")).wait(),
    ).get(jobId)!;
    const wrong = ethers.id("challenger");
    await d.disputes.connect(d.challenger).commitChallenge(challengeCommitment(jobId, wrong, d.challenger.address, CHALLENGE_SALT));
    await d.disputes.connect(d.challenger).challenge(jobId, terms, wrong, CHALLENGE_SALT);
    await mine(1);
    await d.disputes.connect(d.keeper).drawCommittee(jobId, terms);
    const committee = await d.disputes.getCommittee(jobId, 0);
    const seats = seatsBy(
      committee.map((s) => s.verifier),
      d.verifiers,
    );
    await vote(
      d.disputes,
      jobId,
      seats,
      seats.map(() => ethers.id("provider")),
    );
    const receipt = await (await d.disputes.resolve(jobId, terms)).wait();
    const fee = finalizedFee(d, receipt);
    console.log(`      provider was right and won its dispute; fee paid ${fmt(fee)} (posted under 1% = 0.1)`);
    expect(fee).to.equal(TOKEN_UNIT);
  });

  it("C: a change of auditRateBps re-draws the audit lottery of jobs already submitted", async function () {
    const d = await networkHelpers.loadFixture(auditableNoFees);
    const count = async () => {
      let n = 0;
      for (const [id, t] of d.terms) if (await d.disputes.isSelectedForAudit(id, t.submittedBlock)) n++;
      return n;
    };
    const at5 = d.selected.length;
    const cfg = await configObject(d);
    await d.disputes.connect(d.owner).setConfig({ ...cfg, auditRateBps: 0 });
    const at0 = await count();
    const liar = d.selected[0];
    await expect(d.disputes.startAudit(liar, d.terms.get(liar)!)).to.be.revertedWithCustomError(d.disputes, "DisputeNotSelectedForAudit");
    await d.disputes.connect(d.owner).setConfig({ ...cfg, auditRateBps: 2_000 });
    const at20 = await count();
    console.log(`      200 jobs submitted at 5%: selected ${at5}; after setConfig(0%): ${at0}; after setConfig(20%): ${at20}`);
    expect(at0).to.equal(0);
    expect(at20).to.be.greaterThan(at5);
  });

  it("D: a forced audit's cap uses the current feeBps, not the fee the job pays", async function () {
    const d = await networkHelpers.loadFixture(auditableWithFees);
    await d.market.connect(d.owner).setFeeBps(1_000); // jobs already submitted keep paying 1%
    await mine(300); // their seeds age out unpinned: every unselected job is now "forced"
    const id = d.unselected[0];
    const before = await d.market.auditReserve();
    await d.disputes.startAudit(id, d.terms.get(id)!);
    const taken = before - (await d.market.auditReserve());
    const paysIn = (TOKEN_UNIT * 100n) / 10_000n / 2n; // 1 token at 1%, half to the reserve
    console.log(
      `      forced audit of a 1-token job took ${fmt(taken)} from the reserve; the job pays in ${fmt(paysIn)} (${Number(taken / paysIn)}x)`,
    );
    expect(taken).to.equal(paysIn * 10n);
  });

  it("E: after the bounds are lowered, snapshot verifiers of an old job withdraw before its dispute and sit with nothing locked", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    // A job under the old bounds: a 6-day challenge window.
    const { jobId, terms } = await postClaimSubmit(networkHelpers, d, ethers.id("provider"), { challengeWindow: 6 * DAY });
    await d.market.connect(d.owner).setChallengeWindowBounds(1, 60);
    await d.market.connect(d.owner).setMaxDisputeDuration(await d.disputes.minDisputeDuration());
    await d.market.connect(d.owner).setUnbondingPeriod(3600);
    const delay = await d.pool.withdrawalDelay();
    for (const v of d.verifiers) await d.pool.connect(v).requestWithdrawal(STAKE);
    await time.increase(Number(delay) + 1);
    for (const v of d.verifiers) await d.pool.connect(v).withdraw(v.address);
    await time.increase(5 * DAY);
    const lie = ethers.id("challenger");
    await d.disputes.connect(d.challenger).commitChallenge(challengeCommitment(jobId, lie, d.challenger.address, CHALLENGE_SALT));
    await d.disputes.connect(d.challenger).challenge(jobId, terms, lie, CHALLENGE_SALT);
    await mine(1);
    await d.disputes.connect(d.keeper).drawCommittee(jobId, terms);
    const committee = await d.disputes.getCommittee(jobId, 0);
    console.log(
      `      withdrawal delay ${delay}s < the job's 6-day window; committee of withdrawn verifiers: ` +
        committee.map((s) => `${s.votes} seat(s) locked ${fmt(s.locked)}`).join(", "),
    );
    expect(committee.length).to.be.greaterThan(0);
    for (const s of committee) expect(s.locked).to.equal(0n);
  });
});
