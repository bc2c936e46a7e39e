/**
 * Landing review 5, what held: the market's governance moved into `MarketAdmin`, reached by
 * delegatecall (`GovernanceForwarder`). Each test PASSES WHILE THE DEFENCE HOLDS.
 *
 * Attacks: call `MarketAdmin` directly (every forwarded function, as a stranger and as the owner);
 * a storage-layout clash between the market and the admin code (each setter, run once on each,
 * must write the same slots with the same values); ownership moving on the market while the
 * admin's own copy keeps the old owner; the treasury paths (fees, surplus) acting on the market's
 * ledger and tokens.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, createFixtures } from "../../test/helpers/fixtures.js";
import type { MarketAdmin } from "../../types/ethers-contracts/index.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

/** Sequential slots compared (the governance prefix and the market's first own variables). */
const SLOTS = 64;

async function withAdmin() {
  const d = await fixtures.submittedJob();
  const admin = (await ethers.getContractAt("MarketAdmin", await d.market.adminCode())) as unknown as MarketAdmin;
  return { ...d, admin };
}
type D = Awaited<ReturnType<typeof withAdmin>>;
type Target = D["market"] | MarketAdmin;

/** Every forwarded function, with arguments the owner may use (as `test/governance/access-control.ts`). */
const FORWARDED: [string, (t: Target, as: D["owner"]) => Promise<ContractTransactionResponse>][] = [
  ["setFeeBps", (t, as) => t.connect(as).setFeeBps(250)],
  ["setAuditReserveBps", (t, as) => t.connect(as).setAuditReserveBps(2_500)],
  ["setJobValueBounds", (t, as) => t.connect(as).setJobValueBounds(LOCAL_PARAMETERS.minReward * 2n, 150, 200)],
  ["setMinStake", (t, as) => t.connect(as).setMinStake(1n)],
  ["setUnbondingPeriod", (t, as) => t.connect(as).setUnbondingPeriod(3600)],
  ["setMaxClaimDelay", (t, as) => t.connect(as).setMaxClaimDelay(3600)],
  ["setExecutionTimeBounds", (t, as) => t.connect(as).setExecutionTimeBounds(1, 3600)],
  ["setChallengeWindowBounds", (t, as) => t.connect(as).setChallengeWindowBounds(1, 3600)],
  ["setMaxDisputeDuration", (t, as) => t.connect(as).setMaxDisputeDuration(3600)],
  ["setTreasury", (t, as) => t.connect(as).setTreasury(as.address)],
  ["setDisputeModule", (t, as) => t.connect(as).setDisputeModule(as.address)],
  ["setGuardian", (t, as) => t.connect(as).setGuardian(as.address)],
  ["pause", (t, as) => t.connect(as).pause()],
];

async function slots(address: string): Promise<string[]> {
  return Promise.all(Array.from({ length: SLOTS }, (_, i) => ethers.provider.getStorage(address, i)));
}

/** `slot → new value` for the slots that changed. */
function changed(before: string[], after: string[]): Record<number, string> {
  const out: Record<number, string> = {};
  after.forEach((v, i) => {
    if (v !== before[i]) out[i] = v;
  });
  return out;
}

describe("landing review 5: MarketAdmin and the governance forwarder", function () {
  this.timeout(120_000);

  describe("MarketAdmin called directly", function () {
    for (const [fn, call] of FORWARDED) {
      it(`${fn}: a stranger is refused`, async function () {
        const d = await loadFixture(withAdmin);
        await expect(call(d.admin, d.stranger)).to.be.revert(ethers);
      });
    }

    it("the owner's direct calls change only the admin's own storage, never the market's", async function () {
      const d = await loadFixture(withAdmin);
      const market = await d.market.getAddress();
      const before = await slots(market);
      const views = [await d.market.feeBps(), await d.market.treasury(), await d.market.guardian(), await d.market.disputeModule()];
      for (const [, call] of FORWARDED) await call(d.admin, d.owner);
      expect(changed(before, await slots(market))).to.deep.equal({});
      expect([await d.market.feeBps(), await d.market.treasury(), await d.market.guardian(), await d.market.disputeModule()]).to.deep.equal(
        views,
      );
      expect(await d.admin.feeBps()).to.equal(250n, "the direct call did land, in the admin's storage");
    });

    it("holds no market funds: withdrawFees and sweepSurplus have nothing to take", async function () {
      const d = await loadFixture(withAdmin);
      expect(await d.token.balanceOf(await d.admin.getAddress())).to.equal(0n);
      await expect(d.admin.connect(d.treasury).withdrawFees()).to.be.revertedWithCustomError(d.admin, "GovNothingToWithdraw");
      await expect(d.admin.connect(d.stranger).sweepSurplus()).to.be.revertedWithCustomError(d.admin, "GovNothingToWithdraw");
    });
  });

  describe("storage layout: the same setter writes the same slots in the market and in MarketAdmin", function () {
    for (const [fn, call] of FORWARDED) {
      it(fn, async function () {
        const d = await loadFixture(withAdmin);
        const market = await d.market.getAddress();
        const admin = await d.admin.getAddress();
        const [m0, a0] = [await slots(market), await slots(admin)];
        await call(d.market, d.owner);
        await call(d.admin, d.owner);
        const [m, a] = [changed(m0, await slots(market)), changed(a0, await slots(admin))];
        expect(Object.keys(m).length, "the setter wrote something").to.be.greaterThan(0);
        expect(m).to.deep.equal(a);
      });
    }
  });

  describe("ownership moves on the market; the admin's own owner does not matter", function () {
    it("after a handover the old owner is refused and the new one obeyed, through the forwarder", async function () {
      const d = await loadFixture(withAdmin);
      await d.market.connect(d.owner).transferOwnership(d.keeper.address);
      await d.market.connect(d.keeper).acceptOwnership();
      expect(await d.admin.owner()).to.equal(d.owner.address, "the admin's own copy still names the deployer");
      for (const [, call] of FORWARDED) {
        await expect(call(d.market, d.owner)).to.be.revert(ethers);
      }
      for (const [fn, call] of FORWARDED) {
        await expect(call(d.market, d.keeper), fn).not.to.be.revert(ethers);
      }
      await expect(d.market.connect(d.owner).unpause()).to.be.revert(ethers);
      await d.market.connect(d.keeper).unpause();
    });
  });

  describe("treasury paths act on the market's ledger", function () {
    it("sweepSurplus takes exactly a donation; withdrawFees exactly the accrued fees; still solvent", async function () {
      const d = await loadFixture(withAdmin);
      await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
      await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
      const market = await d.market.getAddress();
      await d.token.connect(d.stranger).transfer(market, 123n);
      const owed = await d.market.totalOwed();
      expect(await d.token.balanceOf(market)).to.equal(owed + 123n);
      const t0 = await d.token.balanceOf(d.treasury.address);
      await d.market.connect(d.stranger).sweepSurplus();
      expect(await d.token.balanceOf(d.treasury.address)).to.equal(t0 + 123n);
      const accrued = await d.market.accruedFees();
      expect(accrued).to.be.greaterThan(0n);
      await d.market.connect(d.treasury).withdrawFees();
      expect(await d.token.balanceOf(d.treasury.address)).to.equal(t0 + 123n + accrued);
      expect(await d.market.totalOwed()).to.equal(owed - accrued);
      expect(await d.token.balanceOf(market)).to.equal(await d.market.totalOwed());
      await expect(d.market.connect(d.stranger).withdrawFees()).to.be.revertedWithCustomError(d.market, "GovNotTreasury");
    });
  });
});
