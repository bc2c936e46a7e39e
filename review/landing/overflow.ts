/**
 * `FeeState.auditReserve` and `accrued` are uint96 and added with checked arithmetic in every
 * settlement (`_addFee`). Once the reserve nears 2^96 wei (79.2 billion tokens of 18 decimals),
 * every finalize and every provider-won dispute reverts; nothing can withdraw the reserve (only
 * audits spend it, a few tokens each), so settlement stays blocked for good and every provider's
 * collateral and payout is stuck. PASSES WHILE THE ATTACK WORKS.
 *
 * Needs a settlement token whose supply exceeds ~2^96 wei (the market is token-agnostic). To keep
 * the job count small the owner sets a 10% fee, 100% to the reserve and 1% collateral; at the
 * defaults (1%, 50%) the attacker pays 2 x 2^96 wei of fees (≈ 158 billion tokens), the same
 * order as what it blocks.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { createDisputeFixtures } from "../../test/disputes/fixtures.js";
import { fmt, jobRequest, postedJobIds, submittedTerms } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time } = networkHelpers;

describe("landing review: uint96 fee accumulators", function () {
  this.timeout(300_000);

  it("an audit reserve near 2^96 blocks every later settlement for good", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    await d.market.connect(d.owner).setFeeBps(1_000);
    await d.market.connect(d.owner).setAuditReserveBps(10_000);
    await d.market.connect(d.owner).setJobValueBounds(10n ** 16n, 1, 300);
    const [, effectiveAt] = await d.market.feeChange();
    await time.increaseTo(effectiveAt + 1n); // the 10% fee now applies to every settling job
    const R = (2n ** 96n - 1n) / 2n;
    await d.token.connect(d.owner).mint(d.requester.address, R * 30n);
    await d.token.connect(d.owner).mint(d.provider.address, R);
    await d.market.connect(d.provider).stake(R / 10n);
    let settled = 0;
    let blocked: unknown;
    for (let i = 0; i < 25; i++) {
      const now = await time.latest();
      const [jobId] = postedJobIds(
        d.market,
        await (await d.market.connect(d.requester).postJob(jobRequest(now, { reward: R, collateralPct: 1, challengeWindow: 1 }))).wait(),
      );
      await d.market.connect(d.provider).claimJob(jobId);
      const terms = submittedTerms(
        d.market,
        await (await d.market.connect(d.provider).submitResult(jobId, ethers.id("ok"), "")).wait(),
      ).get(jobId)!;
      await time.increase(2);
      try {
        await d.market.finalizeJob(jobId, terms);
        settled++;
      } catch (e) {
        blocked = e;
        break;
      }
    }
    console.log(
      `      ${settled} jobs of ${fmt(R)} tokens settled; reserve ${fmt(await d.market.auditReserve())} (2^96 = ${fmt(2n ** 96n)}); next finalize: ${blocked ? "reverts (overflow)" : "ok"}`,
    );
    expect(blocked).to.not.equal(undefined);
    // The treasury cannot help: the reserve is not withdrawable.
    await d.market
      .connect(d.treasury)
      .withdrawFees()
      .catch(() => undefined);
    expect(await d.market.auditReserve()).to.be.greaterThan(2n ** 96n - R / 5n);
  });
});
