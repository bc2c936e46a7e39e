/**
 * Review: one lying seat and one silent honest seat make a round fail (1 vs 1 of 2 reveals is no
 * majority). The liar is not slashed (only non-revealers are in a failed round), it is PAID half
 * of the silent verifier's slash, and the dispute gets a new seed and a bigger committee: a free
 * second chance at capture. Low severity (needs an honest verifier to be silent), but it pays
 * a lie. The committee shape is found by mining seed-block variants (test convenience only).
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  CHALLENGE_SALT,
  Role,
  challengeCommitment,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  predictDraw,
  seatsBy,
  vote,
} from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, sybils } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, time, takeSnapshot } = networkHelpers;

async function liarSeated() {
  const d = await fixtures.submitted();
  const [liar] = await sybils(ethers, networkHelpers, d, "liar seat", 1, 1_000n * TOKEN_UNIT);
  await d.pool.connect(liar).bond(1_000n * TOKEN_UNIT);
  await d.disputes
    .connect(d.challenger)
    .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
  await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
  for (let attempt = 1; ; attempt++) {
    if (attempt > 300) throw new Error("no committee with the liar in one of three distinct seats");
    const snapshot = await takeSnapshot();
    await time.setNextBlockTimestamp((await time.latest()) + attempt);
    await mine(1);
    const c = await predictDraw(ethers, d, d.jobId, d.terms);
    if (c.verifiers.length === 3 && c.verifiers.includes(liar.address)) break;
    await snapshot.restore();
  }
  const committee = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait());
  const seats = seatsBy(committee.verifiers, [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers, liar as never]);
  return { ...d, liar, committee, seats };
}

describe("Review: a lying seat plus a silent seat", function () {
  it("fails the round, pays the liar half the silent seat's slash, and re-draws with 5 seats from a new seed", async function () {
    const d = await loadFixture(liarSeated);
    const honest = d.seats.findIndex((s) => s.address !== d.liar.address);
    const votes = d.seats.map((s, i) =>
      s.address === d.liar.address ? (d.terms.resultHash as string) : i === honest ? d.challengerHash : undefined,
    );
    await vote(d.disputes, d.jobId, d.seats, votes, time);
    const rx = (await (await d.disputes.resolve(d.jobId, d.terms)).wait())!;
    let toLiar = 0n;
    for (const log of rx.logs) {
      const p = d.disputes.interface.parseLog(log);
      if (p?.name === "DisputePayout" && p.args.to === d.liar.address && p.args.role === Role.Verifier) toLiar += p.args.amount;
    }
    expect(toLiar).to.equal((5n * TOKEN_UNIT) / 2n);
    const dispute = await d.disputes.getDispute(d.jobId);
    expect([dispute.round, dispute.size, dispute.phase]).to.deep.equal([1n, 5n, 1n]);
    expect((await d.pool.memberOf(d.liar.address)).bonded).to.equal(1_000n * TOKEN_UNIT); // not slashed
    await expectSystemSolvent(d);
  });
});
