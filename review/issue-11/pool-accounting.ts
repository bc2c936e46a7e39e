/**
 * Review: verifier-pool locks, slashes and solvency under odd sequences.
 *
 * A. Weight is not reduced by locks, so a verifier's weight wins seats in every concurrent
 *    dispute while its bond backs only bond / verifierLock votes. A minimum-bond verifier (100
 *    tokens, lock 10 per vote) holding 3 votes in each of 5 disputes has its 4th dispute's seat
 *    backed by 10 tokens and its 5th by 0: it may stay silent (or vote with a losing minority)
 *    there at no cost. Low severity (concurrency needed), but docs/economics.md says "every extra
 *    seat it might want costs bonded stake that a lost dispute's slash can take".
 *
 * B. An odd but legal sequence (seated, full withdrawal request, re-bond, slashed below the
 *    minimum, seated again from what is pending, partial withdrawal while locked, slashed out of
 *    pending, arbiter) keeps the market, module and pool ledgers solvent and the member's
 *    locked <= bonded + pending. This one held.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { STAKE, challenge, createDisputeFixtures, expectSystemSolvent, vote } from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, sybils, type Deployed } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, time } = networkHelpers;

/** Only `bond` tokens of one fresh verifier are eligible: the seven fixture verifiers leave the pool. */
async function soleVerifier(bond: bigint) {
  const d = await fixtures.deployed();
  for (const v of d.verifiers) await d.pool.connect(v).requestWithdrawal(STAKE);
  const [v] = await sybils(ethers, networkHelpers, d, `sole verifier ${bond}`, 1, 10_000n * TOKEN_UNIT);
  await d.pool.connect(v).bond(bond);
  return { ...d, v };
}

async function openAndDraw(d: Deployed) {
  const job = await fixtures.submitJob(d);
  await challenge(d.disputes, job.jobId, job.terms, d.challenger, job.challengerHash);
  await mine(1);
  await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
  return job;
}

async function checkMember(d: Deployed, who: string) {
  const m = await d.pool.memberOf(who);
  expect(m.locked).to.be.lessThanOrEqual(m.bonded + m.pending, "locked <= bonded + pending");
  await expectSystemSolvent(d);
  return m;
}

describe("Review: verifier-pool accounting", function () {
  describe("A. seats beyond what the bond can lock", function () {
    async function fiveDisputes() {
      const d = await soleVerifier(100n * TOKEN_UNIT);
      const jobs = [];
      for (let i = 0; i < 5; i++) jobs.push(await openAndDraw(d));
      return { ...d, jobs };
    }

    it("a 100-token verifier holds 3 votes in each of 5 concurrent disputes; its seats lock 30, 30, 30, 10 and 0 tokens", async function () {
      const d = await loadFixture(fiveDisputes);
      const locks = [];
      for (const j of d.jobs) {
        const [seat] = await d.disputes.getCommittee(j.jobId, 0);
        expect([seat.verifier, seat.votes]).to.deep.equal([d.v.address, 3n]);
        locks.push(seat.locked / TOKEN_UNIT);
      }
      expect(locks).to.deep.equal([30n, 30n, 30n, 10n, 0n]);
    });

    it("staying silent in the fifth dispute costs it nothing (no VerifierSlashed) although its 3 votes counted toward the quorum", async function () {
      const d = await loadFixture(fiveDisputes);
      const j = d.jobs[4];
      const { revealDeadline } = await d.disputes.getDispute(j.jobId);
      await time.increaseTo(revealDeadline + 1n);
      const before = await d.pool.memberOf(d.v.address);
      await expect(d.disputes.resolve(j.jobId, j.terms)).to.not.emit(d.disputes, "VerifierSlashed");
      expect((await d.pool.memberOf(d.v.address)).bonded).to.equal(before.bonded);
    });
  });

  describe("B. seated, leaving, re-bonding, slashed below the minimum, seated from pending, withdrawing while locked", function () {
    it("keeps every ledger solvent and locked <= bonded + pending at each step", async function () {
      const d = await soleVerifier(200n * TOKEN_UNIT);
      const j = await openAndDraw(d); // round 0: v holds 3 votes, lock 30
      await checkMember(d, d.v.address);
      await d.pool.connect(d.v).requestWithdrawal(200n * TOKEN_UNIT); // weight 0; the lock answers from pending
      await checkMember(d, d.v.address);
      await d.pool.connect(d.v).bond(100n * TOKEN_UNIT); // back in, bonded 100
      await checkMember(d, d.v.address);
      // Silent in round 0: slashed 15 out of the bond, which falls to 85 < 100 and moves to pending.
      const { revealDeadline } = await d.disputes.getDispute(j.jobId);
      await time.increaseTo(revealDeadline + 1n);
      await d.disputes.resolve(j.jobId, j.terms);
      let m = await checkMember(d, d.v.address);
      expect([m.bonded, m.pending, m.locked]).to.deep.equal([0n, 285n * TOKEN_UNIT, 0n]);
      // Round 1 draws from the ORIGINAL snapshot (v had 200 then): 5 votes, lock 50 out of pending.
      await mine(1);
      await d.disputes.connect(d.keeper).drawCommittee(j.jobId, j.terms);
      m = await checkMember(d, d.v.address);
      expect(m.locked).to.equal(50n * TOKEN_UNIT);
      // 14 days later: withdraws all but the lock.
      await time.increaseTo(m.unlockAt);
      await d.pool.connect(d.v).withdraw(d.v.address);
      m = await checkMember(d, d.v.address);
      expect([m.pending, m.locked]).to.deep.equal([50n * TOKEN_UNIT, 50n * TOKEN_UNIT]);
      // Silent again: slashed 25 out of pending; the round fails to the arbiter.
      await d.disputes.resolve(j.jobId, j.terms);
      m = await checkMember(d, d.v.address);
      expect([m.pending, m.locked]).to.deep.equal([25n * TOKEN_UNIT, 0n]);
      await d.disputes.connect(d.owner).arbitrate(j.jobId, j.terms, false);
      await d.pool.connect(d.v).withdraw(d.v.address);
      m = await checkMember(d, d.v.address);
      expect([m.bonded, m.pending, m.locked]).to.deep.equal([0n, 0n, 0n]);
      // 300 bonded in total, 15 + 25 slashed.
      expect(await d.token.balanceOf(d.v.address)).to.equal(10_000n * TOKEN_UNIT - 40n * TOKEN_UNIT);
      void vote;
    });
  });
});
