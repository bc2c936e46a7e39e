/**
 * The arbiter's new power (`arbitrate(jobId, terms, correctHash)`). PASSES WHILE THE ATTACK WORKS.
 *
 * `correctHash` may be ANY non-zero hash: nothing ties it to the provider's hash, the challenger's,
 * or a hash anyone revealed. docs/economics.md ("Small pools") still says the arbiter "decides
 * between the two hashes. Its power is bounded to that choice". Now one arbiter key (the deployer
 * by default, a multisig in production; not the timelock) can, in one call:
 *  - pay the whole pot to a failed-round revealer of its choosing (here a sybil that revealed junk),
 *  - slash every truthful revealer,
 *  - overturn the lying provider yet deny the honest challenger its reward (it goes to the requester).
 * Before 4fe5336 a "provider wrong" ruling always paid the challenger and slashed only revealers
 * of the provider's hash.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { Phase, Role, SLASH, createDisputeFixtures, expectSystemSolvent, vote } from "../../test/disputes/fixtures.js";
import { bondOf, fmt, lockedOf, mineSeedWhere } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review 4: the arbiter names any hash", function () {
  this.timeout(300_000);

  it("the arbiter names a junk hash its sybil revealed: the sybil takes the pot, the truthful revealer is slashed, the honest challenger gets no reward", async function () {
    const d = await networkHelpers.loadFixture(fixtures.drawn);
    const truth = d.challengerHash; // the challenger is right; the provider lied
    const junk = ethers.id("arbiter's pick");
    const [honest, sybil] = d.seat;
    const honestBond = await bondOf(d, honest.address);
    const sybilBond = await bondOf(d, sybil.address);

    // Round 0: truth 1 : junk 1, one seat silent. Round 1 (neither of them) silent. Arbiter.
    await vote(d.disputes, d.jobId, d.seat, [truth, junk, undefined], time);
    await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
    await d.disputes.resolve(d.jobId, d.terms);
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

    // What the honest ruling (the truth) would pay, for comparison.
    const snap = await networkHelpers.takeSnapshot();
    const honestRuling = await (await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, truth)).wait();
    const paidTo = (rc: typeof honestRuling, who: string, role: bigint) =>
      rc!.logs
        .map((l) => {
          try {
            return d.disputes.interface.parseLog(l);
          } catch {
            return null;
          }
        })
        .filter((p) => p?.name === "DisputePayout" && p.args.to === who && p.args.role === role)
        .reduce((a, p) => a + (p!.args.amount as bigint), 0n);
    const fairChallenger = paidTo(honestRuling, d.challenger.address, Role.Challenger);
    const fairRequester = paidTo(honestRuling, d.requester.address, Role.Requester);
    await snap.restore();

    const sybilBefore = await d.market.balanceOf(sybil.address);
    const rc = await (await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, junk)).wait();
    const r = (await d.disputes.queryFilter(d.disputes.filters.DisputeResolved(d.jobId)))[0].args;
    expect(r.providerRight).to.equal(false, "the lying provider is overturned");
    expect(r.challengerRight).to.equal(false, "but the challenger, who named the truth, is not 'right'");
    const honestLoss = honestBond - (await bondOf(d, honest.address));
    const sybilPaid = (await d.market.balanceOf(sybil.address)) - sybilBefore;
    const challengerPaid = paidTo(rc, d.challenger.address, Role.Challenger);
    const requesterPaid = paidTo(rc, d.requester.address, Role.Requester);
    expect(honestLoss).to.equal(SLASH, "the truthful revealer is slashed");
    expect(await bondOf(d, sybil.address)).to.equal(sybilBond);
    expect(sybilPaid).to.equal(dispute.pot + SLASH, "the arbiter's pick takes the pot and the honest slash");
    expect(challengerPaid).to.be.lessThan(fairChallenger, "the challenger's reward is gone");
    expect(requesterPaid - fairRequester).to.equal(fairChallenger - challengerPaid, "... to the requester");
    expect(await lockedOf(d, [honest, sybil])).to.deep.equal([0n, 0n]);
    console.log(
      `      arbiter names junk: truthful revealer -${fmt(honestLoss)}; sybil +${fmt(sybilPaid)}; challenger ${fmt(challengerPaid)} ` +
        `(the truth would pay ${fmt(fairChallenger)}); requester +${fmt(requesterPaid - fairRequester)} over the fair ruling`,
    );
    await mine(1);
    await expectSystemSolvent(d);
  });
});
