/**
 * Failed rounds after 6ac770c (kept locks, slashed at the decision). PASSES WHILE THE ATTACK WORKS.
 *
 * The arbiter decides one bit (`providerRight`), but `_closeFailedRounds` treats it as naming one
 * hash: `terms.resultHash` or `d.challengerHash` (zero for an audit). So:
 *
 * A. A challenge whose hash is NOT the true result (a junk challenge, e.g. the lying provider's own
 *    sybil challenging first: a job is disputed once), decided by the arbiter against the provider:
 *    the outcome becomes the junk hash. Failed-round revealers of the TRUE hash are slashed; the
 *    revealers of the junk hash get their locks back and the whole pot, the honest seat's slash
 *    included. Before 6ac770c the honest revealer was merely not paid; now it pays the junk voter.
 * B. An audit the arbiter overturns (outcome zero): every kept lock is released, so a liar who
 *    revealed the provider's hash, which the arbiter has just ruled wrong, loses nothing. The
 *    landing-2 #1 fix does not reach audits that end at the arbiter.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { Phase, SLASH, createDisputeFixtures, distinct, expectSystemSolvent, vote } from "../../test/disputes/fixtures.js";
import { bondOf, fmt, lockedOf, mineSeedWhere, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

async function auditable() {
  return fixtures.auditable(200, true, 1);
}

describe("landing review 3: failed rounds and the arbiter", function () {
  this.timeout(300_000);

  it("A: the arbiter rules against the provider; the junk challenger's hash becomes the outcome: the truthful revealer is slashed and pays the junk revealer", async function () {
    const d = await networkHelpers.loadFixture(fixtures.drawn);
    const truth = ethers.id("truth"); // the provider's "provider" is a lie, and the challenger's "challenger" is junk
    const junk = d.challengerHash;
    const [honest, sybil] = d.seat;
    const honestBond = await bondOf(d, honest.address);
    const sybilBond = await bondOf(d, sybil.address);

    // Round 0: truth 1 : junk 1, one seat silent: no majority.
    await vote(d.disputes, d.jobId, d.seat, [truth, junk, undefined], time);
    await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
    await d.disputes.resolve(d.jobId, d.terms);
    // Round 1 (without either of them) stays silent: no quorum; the arbiter decides.
    await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      d.jobId,
      d.terms,
      (c) => !c.verifiers.includes(honest.address) && !c.verifiers.includes(sybil.address),
    );
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
    await d.disputes.resolve(d.jobId, d.terms);
    const dispute = await d.disputes.getDispute(d.jobId);
    expect(dispute.phase).to.equal(Phase.AwaitingArbiter);

    const sybilBefore = await d.market.balanceOf(sybil.address);
    const honestBefore = await d.market.balanceOf(honest.address);
    const challengerBefore = await d.market.balanceOf(d.challenger.address);
    // The provider's hash is wrong, so the arbiter can only rule `false`.
    await expect(d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, false))
      .to.emit(d.disputes, "VerifierSlashed")
      .withArgs(d.jobId, 0, honest.address, SLASH);
    const honestLoss = honestBond - (await bondOf(d, honest.address));
    const sybilPaid = (await d.market.balanceOf(sybil.address)) - sybilBefore;
    const challengerPaid = (await d.market.balanceOf(d.challenger.address)) - challengerBefore;
    expect(honestLoss).to.equal(SLASH, "the seat that revealed the true result lost half its lock");
    expect((await d.market.balanceOf(honest.address)) - honestBefore).to.equal(0n);
    expect(await bondOf(d, sybil.address)).to.equal(sybilBond, "the junk revealer lost nothing");
    expect(sybilPaid).to.equal(dispute.pot + SLASH, "and took the whole pot, the honest seat's slash included");
    expect(await lockedOf(d, [honest, sybil])).to.deep.equal([0n, 0n]);
    console.log(
      `      truthful revealer: -${fmt(honestLoss)} bond, +0; junk revealer: +${fmt(sybilPaid)} (pot ${fmt(dispute.pot)} + the honest slash); ` +
        `junk challenger: +${fmt(challengerPaid)} (bond back + reward)`,
    );
    await mine(1);
    await expectSystemSolvent(d);
  });

  it("B: an audit the arbiter overturns releases the lock of a failed round's revealer of the provider's (overturned) hash", async function () {
    const d = await networkHelpers.loadFixture(auditable);
    const jobId = d.selected[0];
    const terms = d.terms.get(jobId)!;
    const truth = ethers.id("truth");
    const lie = ethers.id("provider"); // what the provider submitted
    await d.disputes.startAudit(jobId, terms);
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const c0 = await mineSeedWhere(ethers, networkHelpers, d, jobId, terms, (c) => distinct(c.votes));
    await d.disputes.connect(d.keeper).drawCommittee(jobId, terms);
    const seats0 = signersOf(c0.verifiers, everyone);
    const [honest, liar] = seats0;
    const liarBond = await bondOf(d, liar.address);
    await vote(d.disputes, jobId, seats0, [truth, lie, undefined], time);
    await time.increaseTo((await d.disputes.getDispute(jobId)).revealDeadline + 1n);
    await d.disputes.resolve(jobId, terms); // truth 1 : lie 1: no majority
    await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      jobId,
      terms,
      (c) => !c.verifiers.includes(honest.address) && !c.verifiers.includes(liar.address),
    );
    await d.disputes.connect(d.keeper).drawCommittee(jobId, terms);
    await time.increaseTo((await d.disputes.getDispute(jobId)).revealDeadline + 1n);
    await d.disputes.resolve(jobId, terms); // silent: no quorum
    expect((await d.disputes.getDispute(jobId)).phase).to.equal(Phase.AwaitingArbiter);
    expect(await lockedOf(d, [liar])).to.deep.equal([(await d.disputes.disputeConfig(jobId)).verifierLock], "kept while undecided");

    const tx = d.disputes.connect(d.owner).arbitrate(jobId, terms, false); // the provider's hash is ruled wrong
    await expect(tx).to.not.emit(d.disputes, "VerifierSlashed");
    expect(await bondOf(d, liar.address)).to.equal(liarBond, "the revealer of the overturned hash lost nothing");
    expect(await lockedOf(d, [liar, honest])).to.deep.equal([0n, 0n]);
    console.log(`      revealer of the provider's overturned hash in a failed round: -0 (as before 6ac770c)`);
    await mine(1);
    await expectSystemSolvent(d);
  });
});
