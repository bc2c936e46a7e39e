/**
 * What held in the fourth landing review (4fe5336 / 1056148): each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  LOCK,
  Phase,
  Role,
  STAKE,
  challenge,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  vote,
} from "../../test/disputes/fixtures.js";
import { mineSeedWhere, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

async function auditable() {
  return fixtures.auditable(200, true, 1);
}

describe("landing review 4: what held", function () {
  this.timeout(300_000);

  it("a challenger's hash left in a recycled seat block never reaches the audit that reuses it (resolve, getDispute), and the next challenge overwrites it", async function () {
    const d = await networkHelpers.loadFixture(auditable);
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const [chalId, nextId] = d.unselected;
    const auditId = d.selected[0];
    const hashA = ethers.id("challenger A");
    const provider = ethers.id("provider");

    // Challenge A, decided for the provider: its seat block is given back with hashA in it.
    await challenge(d.disputes, chalId, d.terms.get(chalId)!, d.challenger, hashA);
    const blockA = (await d.disputes.getDispute(chalId)).seatBlock;
    expect((await d.disputes.getDispute(chalId)).challengerHash).to.equal(hashA);
    await mine(1);
    const ca = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(chalId, d.terms.get(chalId)!)).wait());
    await vote(
      d.disputes,
      chalId,
      signersOf(ca.verifiers, everyone),
      ca.verifiers.map(() => provider),
      time,
    );
    await d.disputes.resolve(chalId, d.terms.get(chalId)!);
    expect((await d.disputes.getDispute(chalId)).challengerHash).to.equal(ethers.ZeroHash, "settled: read it from DisputeOpened");

    // An audit takes the same block; its committee unanimously reveals the stale hashA.
    await d.disputes.startAudit(auditId, d.terms.get(auditId)!);
    const audit = await d.disputes.getDispute(auditId);
    expect(audit.seatBlock).to.equal(blockA, "the seat block is recycled");
    expect(audit.challengerHash).to.equal(ethers.ZeroHash, "an audit shows no challenger hash");
    await mine(1);
    const cb = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(auditId, d.terms.get(auditId)!)).wait());
    await vote(
      d.disputes,
      auditId,
      signersOf(cb.verifiers, everyone),
      cb.verifiers.map(() => hashA),
      time,
    );
    const rc = await (await d.disputes.resolve(auditId, d.terms.get(auditId)!)).wait();
    const resolved = (await d.disputes.queryFilter(d.disputes.filters.DisputeResolved(auditId)))[0].args;
    expect(resolved.providerRight).to.equal(false);
    expect(resolved.challengerRight).to.equal(false, "the stale hash makes no one 'challenger right' in an audit");
    const roles = rc!.logs
      .map((l) => {
        try {
          return d.disputes.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .filter((p) => p?.name === "DisputePayout")
      .map((p) => p!.args.role as bigint);
    expect(roles).to.not.include(Role.Challenger);

    // The next challenge takes the block again and writes its own hash.
    const hashC = ethers.id("challenger C");
    await challenge(d.disputes, nextId, d.terms.get(nextId)!, d.challenger, hashC);
    const c = await d.disputes.getDispute(nextId);
    expect(c.seatBlock).to.equal(blockA);
    expect(c.challengerHash).to.equal(hashC);
    await mine(1);
    await expectSystemSolvent(d);
  });

  it("a seat locked from a pending withdrawal: withdraw after the delay leaves the lock, the void releases it, the pool stays solvent", async function () {
    const d = await fixtures.submitted();
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    // After the submission (so the snapshot still counts it), v asks to withdraw everything.
    const v = d.verifiers[0];
    await d.pool.connect(v).requestWithdrawal(STAKE);
    await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
    const c = await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      d.jobId,
      d.terms,
      (c) => c.verifiers.includes(v.address) && c.votes.every((x) => x === 1n),
    );
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    let m = await d.pool.memberOf(v.address);
    expect([m.bonded, m.pending, m.locked]).to.deep.equal([0n, STAKE, LOCK], "drawn at the snapshot, locked from the pending withdrawal");
    // Round 0 fails (three different reveals, or two and a silent seat) with v revealing: its lock is kept; round 1 is never drawn.
    const seats = signersOf(c.verifiers, everyone);
    await vote(
      d.disputes,
      d.jobId,
      seats,
      seats
        .map((s, i) => (i === 0 ? ethers.id("a") : i === 1 ? ethers.id("b") : undefined))
        .map((h, i) => (seats[i].address === v.address ? ethers.id("v") : h)),
      time,
    );
    await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
    await d.disputes.resolve(d.jobId, d.terms);
    m = await d.pool.memberOf(v.address);
    expect(m.locked).to.equal(LOCK, "a failed round's revealer keeps its lock");
    await time.increaseTo(m.unlockAt + 1n); // past the market's dispute deadline as well: nobody has voided yet
    const held = await d.pool.totalHeld();
    await d.pool.connect(v).withdraw(v.address);
    m = await d.pool.memberOf(v.address);
    expect([m.pending, m.locked]).to.deep.equal([LOCK, LOCK], "the locked part stays");
    expect(held - (await d.pool.totalHeld())).to.equal(STAKE - LOCK);
    await d.disputes.voidDispute(d.jobId, d.terms);
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voided);
    m = await d.pool.memberOf(v.address);
    expect([m.pending, m.locked]).to.deep.equal([LOCK, 0n]);
    await d.pool.connect(v).withdraw(v.address);
    expect((await d.pool.memberOf(v.address)).pending).to.equal(0n);
    await mine(1);
    await expectSystemSolvent(d);
  });
});
