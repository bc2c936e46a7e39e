/**
 * Forced audits after the issue-11 fix (the budget is capped at the job's own reserve share).
 * PASSES WHILE THE ATTACK WORKS.
 *
 * The cap protects the reserve but not the verifiers: a forced audit of a minimum-reward job
 * (0.01 token) is funded with 0.00005 tokens, yet it still draws a full committee, locks 10
 * tokens per seat and slashes 5 tokens from every seat that does not commit and reveal. Anyone
 * (the provider itself, with its own requester account) can force such audits at will by not
 * pinning its block: each one makes three honest verifiers re-run the program and pay two
 * transactions for a few millionths of a token, or lose 5 tokens each.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { TOKEN_UNIT, createDisputeFixtures, seatsBy, vote } from "../../test/disputes/fixtures.js";
import { fmt, postClaimSubmit } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review: forced audits of minimum jobs", function () {
  this.timeout(300_000);

  it("a forced audit of a 0.01-token job pays its committee 0.00005 tokens for work whose refusal costs 5 tokens a seat", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    // A funded reserve (a 1,000-token job settled earlier).
    const big = await postClaimSubmit(networkHelpers, d, ethers.id("big"), {
      reward: 1_000n * TOKEN_UNIT,
      collateralPct: 100,
      challengeWindow: 1,
    });
    await time.increase(2);
    await d.market.finalizeJob(big.jobId, big.terms);

    // The attacker's own minimum job (requester and provider both its accounts here), result right, block never pinned.
    const minReward = (await d.market.config()).minReward;
    let attackerGas = 0n;
    const job = await postClaimSubmit(networkHelpers, d, ethers.id("right"), {
      reward: minReward,
      collateralPct: 100,
      challengeWindow: 3600,
    });
    attackerGas += job.receipt!.gasUsed;
    await mine(300);
    const before = await d.market.auditReserve();
    attackerGas += (await (await d.disputes.startAudit(job.jobId, job.terms)).wait())!.gasUsed;
    const budget = before - (await d.market.auditReserve());
    await mine(1);
    await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
    const committee = await d.disputes.getCommittee(job.jobId, 0);
    const seats = seatsBy(
      committee.map((s) => s.verifier),
      d.verifiers,
    );
    const balances = await Promise.all(seats.map((s) => d.market.balanceOf(s.address)));
    const gasBefore = await Promise.all(seats.map((s) => ethers.provider.getTransactionCount(s.address)));
    await vote(
      d.disputes,
      job.jobId,
      seats,
      seats.map(() => ethers.id("right")),
    );
    const txs = (await Promise.all(seats.map((s) => ethers.provider.getTransactionCount(s.address)))).reduce(
      (a, n, i) => a + n - gasBefore[i],
      0,
    );
    await d.disputes.resolve(job.jobId, job.terms);
    const paid = (await Promise.all(seats.map((s) => d.market.balanceOf(s.address)))).reduce((a, b, i) => a + b - balances[i], 0n);
    const lockPerSeat = committee[0].locked / committee[0].votes;
    console.log(
      `      budget funded ${fmt(budget)}; ${committee.reduce((a, s) => a + Number(s.votes), 0)} seats locked ${fmt(lockPerSeat)} each ` +
        `(silence costs ${fmt(lockPerSeat / 2n)}); ${txs} verifier transactions paid ${fmt(paid)} in total; attacker spent ${attackerGas} gas + ${fmt(minReward / 100n)} fee`,
    );
    expect(paid).to.be.lessThanOrEqual(budget);
    expect(budget * 100_000n).to.be.lessThan(lockPerSeat);
  });
});
