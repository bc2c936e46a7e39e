/**
 * What held in the second landing review: each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  LOCK,
  Phase,
  SeatStatus,
  STAKE,
  TOKEN_UNIT,
  challenge,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
} from "../../test/disputes/fixtures.js";
import { fund, mineSeedWhere, seatBlocks, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review 2: what held", function () {
  this.timeout(300_000);

  it("a recycled seat block shows no stale vote, and the last dispute's verifier cannot act in a seat it does not hold now", async function () {
    const d = await networkHelpers.loadFixture(fixtures.drawn);
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 0n, created: 1n });
    const first = d.committee.verifiers;
    await vote(
      d.disputes,
      d.jobId,
      d.seat,
      d.seat.map(() => d.challengerHash),
    );
    await d.disputes.resolve(d.jobId, d.terms);
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 1n, created: 1n });
    expect(await d.disputes.getCommittee(d.jobId, 0)).to.have.length(0);

    // A second dispute takes the same block; seat 0 goes to someone else.
    const job = await fixtures.submitJob(d);
    await challenge(d.disputes, job.jobId, job.terms, d.challenger, job.challengerHash);
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 0n, created: 1n });
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const c = await mineSeedWhere(ethers, networkHelpers, d, job.jobId, job.terms, (x) => distinct(x.votes) && x.verifiers[0] !== first[0]);
    await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
    const seats = await d.disputes.getCommittee(job.jobId, 0);
    for (const s of seats) {
      expect(s.status).to.equal(SeatStatus.Drawn, "the old Revealed status was overwritten");
      expect(s.vote).to.equal(ethers.ZeroHash, "the old vote is not shown");
    }
    const old = signersOf([first[0]], everyone)[0];
    await expect(d.disputes.connect(old).commitVote(job.jobId, 0, ethers.id("x"))).to.be.revertedWithCustomError(
      d.disputes,
      "DisputeNotOnCommittee",
    );
    await expect(d.disputes.connect(old).revealVote(job.jobId, 0, d.challengerHash, ethers.id("x"))).to.be.revertedWithCustomError(
      d.disputes,
      "DisputeRevealNotOpen",
    );
    // Seats beyond the round's members are refused even though their slots hold the old dispute's data.
    await expect(d.disputes.connect(old).commitVote(job.jobId, 5, ethers.id("x"))).to.be.revertedWithCustomError(
      d.disputes,
      "DisputeNotOnCommittee",
    );
    // The new committee decides normally in the recycled block.
    await vote(
      d.disputes,
      job.jobId,
      signersOf(c.verifiers, everyone),
      c.verifiers.map(() => job.providerHash),
    );
    await d.disputes.resolve(job.jobId, job.terms);
    expect((await d.disputes.getDispute(job.jobId)).phase).to.equal(Phase.Resolved);
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 1n, created: 1n });
    await expectSystemSolvent(d);
  });

  it("a dispute voided in the market directly, then in the module, gives its seat block back once and unlocks every seat", async function () {
    const d = await networkHelpers.loadFixture(fixtures.drawn);
    const locked = await Promise.all(d.seat.map(async (s) => (await d.pool.memberOf(s.address)).locked));
    expect(locked.every((l) => l === LOCK)).to.equal(true);
    await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
    // Past the deadline nothing but the void acts.
    await expect(d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, true)).to.be.revertedWithCustomError(
      d.disputes,
      "DisputeWrongPhase",
    );
    await d.market.connect(d.keeper).voidExpiredDispute(d.jobId, d.terms);
    await d.disputes.voidDispute(d.jobId, d.terms);
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 1n, created: 1n });
    for (const s of d.seat) expect((await d.pool.memberOf(s.address)).locked).to.equal(0n);
    await expect(d.disputes.voidDispute(d.jobId, d.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeNotActive");
    await expect(d.disputes.resolve(d.jobId, d.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase");
    expect(await seatBlocks(ethers, d)).to.deep.equal({ free: 1n, created: 1n });
    expect(await d.disputes.totalHeld()).to.equal(0n);
    await expectSystemSolvent(d);
  });

  it("no draw past the market's deadline", async function () {
    const d = await networkHelpers.loadFixture(fixtures.challenged);
    await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
    await expect(d.disputes.drawCommittee(d.jobId, d.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeDeadlinePassed");
  });

  it("a drawn verifier cannot dodge its seat by requesting a withdrawal between the seed block and the draw (pending bond still locks)", async function () {
    const d = await networkHelpers.loadFixture(fixtures.challenged);
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const c = await mineSeedWhere(ethers, networkHelpers, d, d.jobId, d.terms, (x) => distinct(x.votes));
    const dodger = signersOf([c.verifiers[0]], everyone)[0];
    await d.pool.connect(dodger).requestWithdrawal(STAKE); // front-runs the draw with its whole bond
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    const seats = await d.disputes.getCommittee(d.jobId, 0);
    expect(seats[0].verifier).to.equal(dodger.address);
    expect(seats[0].locked).to.equal(LOCK);
    await expect(d.pool.connect(dodger).withdraw(dodger.address)).to.be.revertedWithCustomError(d.pool, "PoolNothingToWithdraw");
  });

  it("checkpoint lookups match the history at every block, with several changes in one block and a reused leaf", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    const extra = (await ethers.getSigners()).slice(14, 19);
    await fund(d, extra, 100_000n * TOKEN_UNIT, [d.poolAddress]);
    const all = [...d.verifiers, ...extra];
    const history: { block: number; total: bigint; weights: bigint[] }[] = [];
    let seed = 7n;
    const rnd = (n: number) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return Number(seed >> 33n) % n;
    };
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      for (let b = 0; b < 24; b++) {
        // Up to three members change in the same block (each once: one pending nonce each).
        const picked = new Set<number>();
        const n = 1 + rnd(3);
        while (picked.size < n) picked.add(rnd(all.length));
        for (const i of picked) {
          const s = all[i];
          const m = await d.pool.memberOf(s.address);
          const op = rnd(3);
          if (m.bonded === 0n || op === 0) await d.pool.connect(s).bond(BigInt(100 + rnd(900)) * TOKEN_UNIT);
          else if (op === 1)
            await d.pool.connect(s).requestWithdrawal(m.bonded); // frees the leaf
          else await d.pool.connect(s).requestWithdrawal(m.bonded - 100n * TOKEN_UNIT > 0n ? m.bonded - 100n * TOKEN_UNIT : m.bonded);
        }
        await mine(1);
        const block = await ethers.provider.getBlockNumber();
        history.push({
          block,
          total: await d.pool.totalWeight(),
          weights: await Promise.all(all.map(async (s) => (await d.pool.memberOf(s.address)).bonded)),
        });
        if (rnd(2) === 0) await mine(1 + rnd(3));
      }
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    let checked = 0;
    for (const [k, h] of history.entries()) {
      const next = history[k + 1]?.block ?? h.block + 1;
      for (const at of [h.block, next - 1]) {
        expect(await d.pool.totalWeightAt(at)).to.equal(h.total, `total at ${at}`);
        for (const [i, s] of all.entries()) expect(await d.pool.weightAt(s.address, at)).to.equal(h.weights[i], `weight of ${i} at ${at}`);
        checked++;
      }
    }
    console.log(`      ${checked} block lookups over ${history.length} changing blocks matched`);
  });
});
