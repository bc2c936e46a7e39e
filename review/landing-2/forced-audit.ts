/**
 * Forced audits lock `verifierLock * budget / fullBudget`, which is 0 whenever the budget is 0.
 * PASSES WHILE THE ATTACK WORKS.
 *
 * `_lockSeats` says "no seat votes at no risk", but with a lock of 0 every drawn verifier is
 * seated with `locked = 0` (want == 0 skips the pool). The budget of a forced audit is
 * min(auditBudget, the job's reserve share, what the reserve holds), so it is 0:
 *   1. whenever the reserve is empty (at launch, or drained by earlier audits), and
 *   2. for every job that pays no fee (feeBps set to 0 by governance), whatever the reserve holds.
 * Such a committee neither earns anything for showing up nor loses anything for silence or for
 * lying. Honest verifiers have no reason to spend two transactions; the provider's own accounts
 * vote for its hash at no risk. Test 1: the lying provider's account holding 2 of 3 seats decides
 * its own forced audit while the honest seat stays silent; nobody is slashed, the liar is paid.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { COLLATERAL, REWARD, TOKEN_UNIT, createDisputeFixtures, vote } from "../../test/disputes/fixtures.js";
import { bondOf, fmt, mineSeedWhere, postClaimSubmit, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review 2: forced audits with a zero lock", function () {
  this.timeout(300_000);

  it("1: with an empty reserve, a forced audit seats verifiers that lock 0; the liar's account decides it and loses nothing", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    expect(await d.market.auditReserve()).to.equal(0n);
    const lie = ethers.id("provider");
    const job = await postClaimSubmit(networkHelpers, d, lie, { reward: REWARD, challengeWindow: 3600 });
    await mine(300); // nobody pinned the submission block: the job is forced into an audit
    expect(await d.disputes.isSelectedForAudit(job.jobId, job.terms.submittedBlock)).to.equal(true);
    await d.disputes.startAudit(job.jobId, job.terms);
    expect((await d.disputes.getDispute(job.jobId)).bond).to.equal(0n);

    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const c = await mineSeedWhere(ethers, networkHelpers, d, job.jobId, job.terms, (x) => x.votes.length === 2);
    await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
    const committee = await d.disputes.getCommittee(job.jobId, 0);
    for (const s of committee) expect(s.locked).to.equal(0n, "every seat locks 0");
    const seats = signersOf(c.verifiers, everyone);
    const liarIndex = c.votes[0] === 2n ? 0 : 1; // the liar's account: the one holding two seats
    const liar = seats[liarIndex];
    const honest = seats[1 - liarIndex];
    const bonds = [await bondOf(d, liar.address), await bondOf(d, honest.address)];
    const votes: (string | undefined)[] = [undefined, undefined];
    votes[liarIndex] = lie;
    await vote(d.disputes, job.jobId, seats, votes, time);
    await time.increaseTo((await d.disputes.getDispute(job.jobId)).revealDeadline + 1n);
    const stake = await d.market.stakeOf(d.provider.address);
    await d.disputes.resolve(job.jobId, job.terms);
    expect(await d.market.jobState(job.jobId)).to.equal(5n, "Finalized: the lie stands");
    expect(await bondOf(d, liar.address)).to.equal(bonds[0]);
    expect(await bondOf(d, honest.address)).to.equal(bonds[1], "the silent seat was not slashed either");
    const paid = (await d.market.stakeOf(d.provider.address)).staked - stake.staked;
    console.log(
      `      seats locked 0; the liar's 2 seats decided; provider paid ${fmt(paid)} and kept ${fmt(COLLATERAL)} of collateral; the silent honest seat lost 0`,
    );
  });

  it("2: with the fee at 0 a forced audit locks 0 however full the reserve is", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    // A funded reserve.
    const big = await postClaimSubmit(networkHelpers, d, ethers.id("big"), {
      reward: 1_000n * TOKEN_UNIT,
      collateralPct: 100,
      challengeWindow: 1,
    });
    await time.increase(2);
    await d.market.finalizeJob(big.jobId, big.terms);
    const reserve = await d.market.auditReserve();
    expect(reserve).to.be.greaterThan(0n);
    // Governance drops the fee (a launch promotion, say); jobs posted after it takes effect pay 0.
    await d.market.connect(d.owner).setFeeBps(0);
    const [, effectiveAt] = await d.market.feeChange();
    await time.increaseTo(effectiveAt);
    const job = await postClaimSubmit(networkHelpers, d, ethers.id("provider"));
    await mine(300);
    await d.disputes.startAudit(job.jobId, job.terms);
    expect((await d.disputes.getDispute(job.jobId)).bond).to.equal(0n);
    expect(await d.market.auditReserve()).to.equal(reserve, "the reserve paid nothing");
    await mine(1);
    await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
    const committee = await d.disputes.getCommittee(job.jobId, 0);
    for (const s of committee) expect(s.locked).to.equal(0n);
    console.log(`      reserve ${fmt(reserve)}, budget 0, ${committee.length} seat entries locking 0`);
  });
});
