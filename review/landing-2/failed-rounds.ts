/**
 * Failed rounds: who is slashed and who shares the pot. PASSES WHILE THE ATTACK WORKS.
 *
 * A round that fails (no quorum or no strict majority) slashes only the seats that did not
 * reveal and releases every revealer's lock at once; the pot waits for the decision and pays the
 * failed rounds' revealers "of the outcome". Two consequences:
 *
 * A. A liar that reveals its lie in a failed round is never slashed, even once a later round
 *    (or the arbiter) decides against it: its lock was released when the round failed. An honest
 *    verifier who was merely offline loses half its lock in the same round. Lying openly is
 *    strictly cheaper than silence, and a liar who reveals against one honest revealer makes the
 *    round fail (no majority) whenever a third seat is silent.
 * B. For an audit the arbiter overturns, the outcome is "any hash but the provider's": a seat that
 *    revealed junk (a hash nobody computed) in a failed round shares the pot with the seats that
 *    revealed the true result. The junk vote is what made the round fail (1 : 1, no majority).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { LOCK, Phase, SLASH, createDisputeFixtures, distinct, expectSystemSolvent, vote } from "../../test/disputes/fixtures.js";
import { bondOf, fmt, mineSeedWhere, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

async function auditable() {
  return fixtures.auditable(200, true, 1);
}

describe("landing review 2: failed rounds", function () {
  this.timeout(300_000);

  it("A: a liar that reveals its lie in a failed round keeps its whole lock; the offline honest seat of the same round pays half of its", async function () {
    const d = await networkHelpers.loadFixture(fixtures.drawn);
    const truth = d.challengerHash; // the provider's "provider" hash is the lie
    const [honest, liar, offline] = d.seat;
    const liarBond = await bondOf(d, liar.address);
    const offlineBond = await bondOf(d, offline.address);
    await vote(d.disputes, d.jobId, d.seat, [truth, d.providerHash, undefined], time);
    await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
    expect(await d.disputes.resolve.staticCall(d.jobId, d.terms)).to.equal(false);
    await d.disputes.resolve(d.jobId, d.terms); // 2 revealed, 1 : 1, no majority: the round fails
    expect(offlineBond - (await bondOf(d, offline.address))).to.equal(SLASH);
    expect(await bondOf(d, liar.address)).to.equal(liarBond, "the liar's lock came back whole");

    // Round 1 (five seats, the liar and the offline seat not in it) decides for the truth.
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const c1 = await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      d.jobId,
      d.terms,
      (c) => !c.verifiers.includes(liar.address) && !c.verifiers.includes(offline.address),
    );
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    const seats1 = signersOf(c1.verifiers, everyone);
    await vote(
      d.disputes,
      d.jobId,
      seats1,
      seats1.map(() => truth),
    );
    const honestBefore = await d.market.balanceOf(honest.address);
    await d.disputes.resolve(d.jobId, d.terms);
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Resolved);
    expect(await bondOf(d, liar.address)).to.equal(liarBond, "decided against it, the liar still lost nothing");
    const honestGain = (await d.market.balanceOf(honest.address)) - honestBefore;
    console.log(
      `      lying revealer: -0 (lock ${fmt(LOCK)} released at the failed round); offline honest seat: -${fmt(SLASH)}; ` +
        `the round-0 honest revealer got ${fmt(honestGain)} of the pot`,
    );
    await expectSystemSolvent(d);
  });

  it("B: an audit overturned by the arbiter pays a failed round's junk revealer a share of the pot", async function () {
    const d = await networkHelpers.loadFixture(auditable);
    const jobId = d.selected[0];
    const terms = d.terms.get(jobId)!;
    const truth = ethers.id("truth"); // the provider submitted "provider": a lie
    const junk = ethers.id("junk");
    await d.disputes.startAudit(jobId, terms);
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const c0 = await mineSeedWhere(ethers, networkHelpers, d, jobId, terms, (c) => distinct(c.votes));
    await d.disputes.connect(d.keeper).drawCommittee(jobId, terms);
    const seats0 = signersOf(c0.verifiers, everyone);
    const attacker = seats0[1];
    await vote(d.disputes, jobId, seats0, [truth, junk, undefined], time);
    await time.increaseTo((await d.disputes.getDispute(jobId)).revealDeadline + 1n);
    await d.disputes.resolve(jobId, terms); // truth 1 : junk 1, no majority

    // Round 1 (without the attacker or the round-0 truthful revealer) fails too: one reveal of five seats.
    const c1 = await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      jobId,
      terms,
      (c) => distinct(c.votes) && !c.verifiers.includes(attacker.address) && !c.verifiers.includes(seats0[0].address),
    );
    await d.disputes.connect(d.keeper).drawCommittee(jobId, terms);
    const seats1 = signersOf(c1.verifiers, everyone);
    await vote(d.disputes, jobId, seats1, [truth, undefined, undefined, undefined, undefined], time);
    await time.increaseTo((await d.disputes.getDispute(jobId)).revealDeadline + 1n);
    await d.disputes.resolve(jobId, terms);
    const dispute = await d.disputes.getDispute(jobId);
    expect(dispute.phase).to.equal(Phase.AwaitingArbiter);
    const pot = dispute.pot;

    const before = await d.market.balanceOf(attacker.address);
    const honestBefore = await d.market.balanceOf(seats0[0].address);
    await d.disputes.connect(d.owner).arbitrate(jobId, terms, false); // the arbiter overturns the lie
    const attackerGain = (await d.market.balanceOf(attacker.address)) - before;
    const honestGain = (await d.market.balanceOf(seats0[0].address)) - honestBefore;
    console.log(`      pot ${fmt(pot)}: the junk revealer got ${fmt(attackerGain)}, the round-0 truthful revealer ${fmt(honestGain)}`);
    expect(attackerGain).to.be.greaterThan(0n);
    expect(attackerGain).to.equal(honestGain);
    await mine(1);
    await expectSystemSolvent(d);
  });
});
