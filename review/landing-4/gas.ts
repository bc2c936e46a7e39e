/**
 * Gas of settling a dispute at the largest configuration the bounds allow (committeeSize 15,
 * maxRounds 4: 15 + 17 + 19 + 21 = 72 seats), with every seat held by a distinct verifier and
 * every seat revealed, so every failed round's revealer is walked, unlocked and, when the
 * decision goes against its vote, slashed (a slash rewrites the verifier's checkpointed tree
 * path). Measures drawCommittee, resolve (deciding round 3), arbitrate and voidDispute.
 *
 * PASSES WHILE THE DEFENCE HOLDS: every settling call fits the EIP-7825 per-transaction cap
 * (2^24 = 16,777,216; the local chain enforces it) with a wide margin. The figures are printed.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { Phase, SLASH, createDisputeFixtures, challenge, expectSystemSolvent, vote } from "../../test/disputes/fixtures.js";
import { bondMany, bondOf, drawNow, lockedOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

const TX_GAS_CAP = 16_777_216n; // EIP-7825

/** Largest config, 150 verifiers of 1,000 tokens, a job challenged, rounds 0..2 failed with every entry revealing its own hash; round 3 drawn. */
async function threeFailedRounds() {
  const d = await fixtures.deployed();
  const c = await d.disputes.config();
  await d.disputes.connect(d.owner).setConfig({
    challengeBond: c.challengeBond,
    verifierLock: c.verifierLock,
    verifierFee: c.verifierFee,
    verifierSlashBps: c.verifierSlashBps,
    challengerRewardBps: c.challengerRewardBps,
    auditRateBps: c.auditRateBps,
    committeeSize: 15,
    maxRounds: 4,
    commitPeriod: c.commitPeriod,
    revealPeriod: c.revealPeriod,
  });
  const many = await bondMany(ethers, networkHelpers, d, 150);
  const job = await fixtures.submitJob(d);
  await challenge(d.disputes, job.jobId, job.terms, d.challenger, job.challengerHash);
  const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers, ...many];
  const drawGas: bigint[] = [];
  const rounds: { seats: typeof everyone; votes: bigint[] }[] = [];
  let entries = 0;
  for (let r = 0; r < 3; r++) {
    const { seats, votes, gas } = await drawNow(ethers, networkHelpers, d, job.jobId, job.terms, d.keeper, everyone);
    drawGas.push(gas);
    rounds.push({ seats, votes });
    entries += seats.length;
    // Every entry reveals a hash of its own: no strict majority, every entry a revealer.
    await vote(
      d.disputes,
      job.jobId,
      seats,
      seats.map((_, i) => ethers.id(`r${r}-${i}`)),
      time,
    );
    await d.disputes.resolve(job.jobId, job.terms);
  }
  const round3 = await drawNow(ethers, networkHelpers, d, job.jobId, job.terms, d.keeper, everyone);
  drawGas.push(round3.gas);
  const bonds = new Map<string, bigint>();
  for (const s of everyone) bonds.set(s.address, await bondOf(d, s.address));
  return { ...d, ...job, everyone, round3, rounds, bonds, drawGas, failedEntries: entries };
}

describe("landing review 4: gas of a dispute at the largest configuration", function () {
  this.timeout(1_200_000);

  it("draw, resolve, arbitrate and void at 15 seats x 4 rounds (~70 distinct revealers slashed at once) each fit in half the EIP-7825 per-transaction cap", async function () {
    const d = await networkHelpers.loadFixture(threeFailedRounds);
    const { seats } = d.round3;
    const blockGasLimit = (await ethers.provider.getBlock("latest"))!.gasLimit;
    console.log(`      block gas limit here: ${blockGasLimit}; draw gas by round: ${d.drawGas.join(", ")}`);
    console.log(`      failed-round entries: ${d.failedEntries}; round 3 entries: ${seats.length}`);
    const snap = await networkHelpers.takeSnapshot();

    // (a) Round 3 decides: 11 votes for the truth, the other 10 entries each reveal their own hash.
    const truth = ethers.id("truth");
    let truthVotes = 0n;
    const votes3 = seats.map((_, i) => {
      if (truthVotes < 11n) {
        truthVotes += d.round3.votes[i];
        return truth;
      }
      return ethers.id(`r3-${i}`);
    });
    await vote(d.disputes, d.jobId, seats, votes3, time);
    const resolveRc = await (await d.disputes.resolve(d.jobId, d.terms)).wait();
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Resolved);
    const slashedA = resolveRc!.logs.filter((l) => d.disputes.interface.parseLog(l)?.name === "VerifierSlashed").length;
    console.log(`      resolve (round 3 decides, ${slashedA} seats slashed): ${resolveRc!.gasUsed} gas`);
    await mine(1);
    await expectSystemSolvent(d);
    await snap.restore();

    // (b) Round 3 fails too (every entry its own hash); the arbiter names a hash nobody revealed.
    await vote(
      d.disputes,
      d.jobId,
      seats,
      seats.map((_, i) => ethers.id(`r3-${i}`)),
      time,
    );
    await d.disputes.resolve(d.jobId, d.terms);
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingArbiter);
    const snap2 = await networkHelpers.takeSnapshot();
    const arbRc = await (await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, truth)).wait();
    const slashedB = arbRc!.logs.filter((l) => d.disputes.interface.parseLog(l)?.name === "VerifierSlashed").length;
    console.log(`      arbitrate (${slashedB} failed-round revealers slashed): ${arbRc!.gasUsed} gas`);
    // Every entry of every round revealed a hash nobody else did, and the arbiter named none of
    // them: each verifier loses exactly SLASH per vote it held, summed over every round it sat in.
    const expected = new Map<string, bigint>();
    const all = [...d.rounds, { seats, votes: d.round3.votes }];
    for (const r of all) {
      for (const [i, s] of r.seats.entries()) expected.set(s.address, (expected.get(s.address) ?? 0n) + SLASH * r.votes[i]);
    }
    const multi = [...expected.keys()].filter((a) => all.filter((r) => r.seats.some((s) => s.address === a)).length > 1).length;
    for (const s of d.everyone) {
      expect(d.bonds.get(s.address)! - (await bondOf(d, s.address))).to.equal(expected.get(s.address) ?? 0n, `loss of ${s.address}`);
    }
    expect((await lockedOf(d, d.everyone)).every((l) => l === 0n)).to.equal(true, "every lock released once");
    console.log(`      ${multi} verifiers sat in two or more rounds: each slashed once per entry, every lock back to 0`);
    await mine(1);
    await expectSystemSolvent(d);
    await snap2.restore();

    // (c) Void instead: every kept lock released, nobody slashed.
    await time.increase(15 * 86_400);
    const voidRc = await (await d.disputes.voidDispute(d.jobId, d.terms)).wait();
    console.log(`      voidDispute (AwaitingArbiter, ${d.failedEntries + seats.length} kept locks): ${voidRc!.gasUsed} gas`);
    await mine(1);
    await expectSystemSolvent(d);
    for (const rc of [resolveRc!, arbRc!, voidRc!]) expect(rc.gasUsed).to.be.lessThan(TX_GAS_CAP / 2n);
    for (const g of d.drawGas) expect(g).to.be.lessThan(TX_GAS_CAP / 8n);
  });
});
