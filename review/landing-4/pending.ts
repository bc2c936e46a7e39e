/**
 * A slash that leaves a bond below the minimum moves the rest to the pending withdrawal and sets
 * the member's single `unlockAt` to now + withdrawalDelay(), which also re-locks a withdrawal
 * that was requested long before and is almost (or already) due. PASSES WHILE THE ATTACK WORKS.
 * (Older than this landing: `_slash` did the same before 4fe5336; `release` now reaches it too.)
 *
 * A verifier keeps the minimum bonded and asks to withdraw the other 900. Two days before they are
 * due it is drawn and misses one vote (offline): a 5-token slash drops the bond to 95 < 100, and
 * the 900 it asked for weeks earlier now waits a whole new withdrawal delay.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { MIN_BOND, SLASH, STAKE, challenge, createDisputeFixtures, expectSystemSolvent, vote } from "../../test/disputes/fixtures.js";
import { mineSeedWhere, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review 4: a slash re-delays an old withdrawal", function () {
  this.timeout(300_000);

  it("a 5-token slash below the minimum bond pushes back a 900-token withdrawal requested weeks earlier by a whole delay", async function () {
    const d = await fixtures.deployed();
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const v = d.verifiers[0];
    const delay = await d.pool.withdrawalDelay();
    await d.pool.connect(v).requestWithdrawal(STAKE - MIN_BOND); // 900 pending, 100 bonded
    const dueAt = (await d.pool.memberOf(v.address)).unlockAt;
    await time.increaseTo(dueAt - 2n * 86_400n);

    const job = await fixtures.submitJob(d);
    await challenge(d.disputes, job.jobId, job.terms, d.challenger, job.challengerHash);
    const c = await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      job.jobId,
      job.terms,
      (c) => c.verifiers.includes(v.address) && c.votes.every((x) => x === 1n),
    );
    await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
    const seats = signersOf(c.verifiers, everyone);
    // Everyone but v reveals the truth; v is offline.
    await vote(
      d.disputes,
      job.jobId,
      seats,
      seats.map((s) => (s.address === v.address ? undefined : job.challengerHash)),
      time,
    );
    await time.increaseTo((await d.disputes.getDispute(job.jobId)).revealDeadline + 1n);
    await d.disputes.resolve(job.jobId, job.terms);

    const m = await d.pool.memberOf(v.address);
    expect(m.bonded).to.equal(0n);
    expect(m.pending).to.equal(STAKE - SLASH);
    const extra = m.unlockAt - dueAt;
    await time.increaseTo(dueAt + 1n);
    await expect(d.pool.connect(v).withdraw(v.address)).to.be.revertedWithCustomError(d.pool, "PoolNothingToWithdraw");
    expect(extra).to.be.greaterThan(delay - 3n * 86_400n);
    console.log(
      `      slash ${Number(SLASH) / 1e18}: the ${Number(STAKE - MIN_BOND) / 1e18} tokens due at ${dueAt} now wait until ${m.unlockAt} (+${Number(extra) / 86_400} days; delay ${Number(delay) / 86_400} days)`,
    );
    await mine(1);
    await expectSystemSolvent(d);
  });
});
