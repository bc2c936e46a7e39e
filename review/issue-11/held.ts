/**
 * Review: attacks tried that HELD (each test passes because the attack fails).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { CHALLENGE_SALT, challengeCommitment, createDisputeFixtures } from "../../test/disputes/fixtures.js";
import { signPermit } from "../../test/vault/support.js";
import { TOKEN_UNIT, inOneBlock, jobRequest, sybils, tip } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time, mine } = networkHelpers;

describe("Review: attacks that held", function () {
  it("postJobs cannot slip one zero-collateral job into a batch (MarketInvalidCollateral, nothing posted)", async function () {
    const d = await loadFixture(fixtures.deployed);
    const now = Number(await time.latest());
    const ok = jobRequest(now, { collateralPct: 100 });
    const bad = jobRequest(now, { collateralPct: 0 });
    await expect(d.market.connect(d.requester).postJobs([ok, ok, bad])).to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral");
  });

  it("postJobWithPermit checks the minimum reward too (MarketRewardTooLow)", async function () {
    const d = await loadFixture(fixtures.deployed);
    const request = jobRequest(Number(await time.latest()), { reward: TOKEN_UNIT / 100n - 1n });
    const deadline = BigInt(await time.latest()) + 3600n;
    const { v, r, s } = await signPermit(ethers, d.token, d.requester, await d.market.getAddress(), request.reward as bigint, deadline);
    await expect(d.market.connect(d.requester).postJobWithPermit(request, request.reward, deadline, v, r, s)).to.be.revertedWithCustomError(
      d.market,
      "MarketRewardTooLow",
    );
  });

  it("startAudit in the submission's own block reverts DisputeAuditSeedUnavailable (no same-block lottery read)", async function () {
    const d = await loadFixture(fixtures.deployed);
    const request = jobRequest(Number(await time.latest()), { challengeWindow: 3600 });
    const [jobId] = (await (await d.market.connect(d.requester).postJob(request)).wait())!.logs
      .map((l) => d.market.interface.parseLog(l))
      .filter((p) => p?.name === "JobPosted")
      .map((p) => p!.args.jobId as bigint);
    await d.market.connect(d.provider).claimJob(jobId);
    const block = (await ethers.provider.getBlockNumber()) + 1;
    const terms = {
      reward: request.reward,
      collateralPct: request.collateralPct,
      provider: d.provider.address,
      resultHash: ethers.id("x"),
      submittedBlock: block,
    };
    const [, audit] = await inOneBlock(ethers, async () => [
      await d.market.connect(d.provider).submitResult(jobId, ethers.id("x"), "", tip(10n, 500_000n)),
      await d.disputes.connect(d.keeper).startAudit(jobId, terms, tip(1n, 1_000_000n)),
    ]);
    await expect(audit).to.be.revertedWithCustomError(d.disputes, "DisputeAuditSeedUnavailable").withArgs(block);
  });

  it("a bond mined in the block AFTER the challenge does not count at the snapshot", async function () {
    const d = await loadFixture(fixtures.submitted);
    const [late] = await sybils(ethers, networkHelpers, d, "late", 1, 1_000n * TOKEN_UNIT);
    await d.disputes
      .connect(d.challenger)
      .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
    await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
    await d.pool.connect(late).bond(1_000n * TOKEN_UNIT);
    const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
    expect(await d.pool.weightAt(late.address, snapshotBlock)).to.equal(0n);
  });

  it("a verifier who leaves and rejoins in one block after others took leaves still resolves to the right owner at old blocks", async function () {
    const d = await loadFixture(fixtures.deployed);
    const [a, b] = await sybils(ethers, networkHelpers, d, "leaf reuse", 2, 1_000n * TOKEN_UNIT);
    await d.pool.connect(a).bond(100n * TOKEN_UNIT);
    const aBlock = await ethers.provider.getBlockNumber();
    await inOneBlock(ethers, async () => [
      await d.pool.connect(a).requestWithdrawal(100n * TOKEN_UNIT, tip(10n, 1_000_000n)), // frees a's leaf
      await d.pool.connect(b).bond(300n * TOKEN_UNIT, tip(5n, 1_000_000n)), // b takes it
    ]);
    await mine(1);
    await d.pool.connect(a).bond(200n * TOKEN_UNIT); // a gets a new leaf
    const now = await ethers.provider.getBlockNumber();
    expect(await d.pool.weightAt(a.address, aBlock)).to.equal(100n * TOKEN_UNIT);
    expect(await d.pool.weightAt(b.address, aBlock)).to.equal(0n);
    expect(await d.pool.weightAt(a.address, now)).to.equal(200n * TOKEN_UNIT);
    expect(await d.pool.weightAt(b.address, now)).to.equal(300n * TOKEN_UNIT);
    // At aBlock the reused leaf belonged to a: draws at aBlock that land on it must name a, never b.
    const others = [d.provider.address, d.requester.address, d.challenger.address] as [string, string, string];
    let onlyA = true;
    let aDrawn = 0;
    for (let i = 0; i < 400; i++) {
      const [vs] = await d.pool.draw(aBlock, ethers.id(`reuse ${i}`), 3, others);
      if (vs.includes(b.address)) onlyA = false;
      if (vs.includes(a.address)) aDrawn++;
    }
    expect(aDrawn).to.be.greaterThan(0);
    expect(onlyA).to.equal(true);
  });
});
