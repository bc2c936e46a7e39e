/**
 * What held in the third landing review (6ac770c, kept locks): each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { LOCK, Phase, SLASH, createDisputeFixtures, expectSystemSolvent, vote, type Drawn } from "../../test/disputes/fixtures.js";
import { bondOf, lockedOf, mineSeedWhere, seatBlocks, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

const everyoneOf = (d: Drawn) => [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];

/** Round 0: truth (the challenger's hash) 1 : lie 1, one seat silent: fails, two locks kept. */
async function failedRound0() {
  const d = await fixtures.drawn();
  const bonds = await Promise.all(everyoneOf(d).map((s) => bondOf(d, s.address)));
  await vote(d.disputes, d.jobId, d.seat, [d.challengerHash, d.providerHash, undefined], time);
  await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
  await d.disputes.resolve(d.jobId, d.terms);
  return { ...d, bonds };
}

/** Every bond is what it was, but for `lost` (address → amount); nothing is locked. */
async function expectOnly(d: Awaited<ReturnType<typeof failedRound0>>, lost: Map<string, bigint>) {
  const everyone = everyoneOf(d);
  for (const [i, s] of everyone.entries()) {
    expect(d.bonds[i] - (await bondOf(d, s.address))).to.equal(lost.get(s.address) ?? 0n, `bond of ${s.address}`);
  }
  expect((await lockedOf(d, everyone)).every((l) => l === 0n)).to.equal(true, "every lock released");
  await mine(1);
  await expectSystemSolvent(d);
}

describe("landing review 3: what held", function () {
  this.timeout(300_000);

  it("a verifier seated in a failed round and in the deciding one: kept lock + new lock both covered, slashed/unlocked once per entry", async function () {
    const d = await networkHelpers.loadFixture(failedRound0);
    const [honest, liar, silent] = d.seat;
    expect(await lockedOf(d, [honest, liar, silent])).to.deep.equal([LOCK, LOCK, 0n]);
    const c1 = await mineSeedWhere(ethers, networkHelpers, d, d.jobId, d.terms, (c) => {
      const li = c.verifiers.indexOf(liar.address);
      return c.verifiers.includes(honest.address) && li >= 0 && c.votes[li] === 1n;
    });
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    const seats1 = signersOf(c1.verifiers, everyoneOf(d));
    const hi = c1.verifiers.indexOf(honest.address);
    expect((await lockedOf(d, [honest]))[0]).to.equal(LOCK + LOCK * c1.votes[hi], "both locks held");
    await vote(
      d.disputes,
      d.jobId,
      seats1,
      seats1.map((s) => (s.address === liar.address ? d.providerHash : d.challengerHash)),
    );
    await d.disputes.resolve(d.jobId, d.terms);
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Resolved);
    // The liar: once for round 0's kept lock, once for its round-1 seat; the silent seat of round 0 once (then).
    await expectOnly(
      d,
      new Map([
        [liar.address, 2n * SLASH],
        [silent.address, SLASH],
      ]),
    );
  });

  it("void after a market-side void while awaiting round 1's draw: kept locks released, nobody but the silent seat slashed, block given back once", async function () {
    const d = await networkHelpers.loadFixture(failedRound0);
    await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
    await d.market.connect(d.keeper).voidExpiredDispute(d.jobId, d.terms);
    await d.disputes.voidDispute(d.jobId, d.terms);
    await expect(d.disputes.voidDispute(d.jobId, d.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeNotActive");
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 1n, created: 1n });
    await expectOnly(d, new Map([[d.seat[2].address, SLASH]]));
  });

  it("void while round 1 votes (kept locks of round 0 + live locks of round 1, one verifier in both)", async function () {
    const d = await networkHelpers.loadFixture(failedRound0);
    const [honest, liar] = d.seat;
    await mineSeedWhere(
      ethers,
      networkHelpers,
      d,
      d.jobId,
      d.terms,
      (c) => c.verifiers.includes(honest.address) && c.verifiers.includes(liar.address),
    );
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
    await d.disputes.voidDispute(d.jobId, d.terms);
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 1n, created: 1n });
    await expectOnly(d, new Map([[d.seat[2].address, SLASH]]));
  });

  it("void while awaiting the arbiter (round 1 drawn nobody revealed)", async function () {
    const d = await networkHelpers.loadFixture(failedRound0);
    await mineSeedWhere(ethers, networkHelpers, d, d.jobId, d.terms, () => true);
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    const c1 = (await d.disputes.getCommittee(d.jobId, 1)).map((s) => [s.verifier, s.locked] as const);
    await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
    await d.disputes.resolve(d.jobId, d.terms);
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingArbiter);
    await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
    await d.disputes.voidDispute(d.jobId, d.terms);
    const lost = new Map([[d.seat[2].address, SLASH]]);
    for (const [v, locked] of c1) lost.set(v, (lost.get(v) ?? 0n) + locked / 2n);
    await expectOnly(d, lost);
  });
});
