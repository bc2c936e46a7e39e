import { expect } from "chai";
import { network } from "hardhat";

import { TOKEN_UNIT, createFixtures, jobRequest, postedJobIds, submittedTerms } from "../helpers/fixtures.js";
import { feeOf } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

/** PayoutMath.score: fees paid against the job's reward, times the failures' penalty. */
function scoreFor(feesPaid: bigint, reward: bigint, timedOut = 0n, disputesLost = 0n): bigint {
  if (feesPaid === 0n) return 0n;
  return (feesPaid * 10_000n) / (feesPaid + reward * (1n + 2n * timedOut + 5n * disputesLost));
}

/** The provider posts a job to itself and settles it: the cheapest way to pay fees. */
async function selfDeal(d: Staked, reward: bigint) {
  const p = d.provider;
  await d.token.connect(d.owner).mint(p.address, reward);
  const request = jobRequest(await d.now(), {
    reward,
    collateralPct: 100,
    challengeWindow: 1,
    inputHash: ethers.hexlify(ethers.randomBytes(32)),
  });
  const [id] = postedJobIds(d.market, await (await d.market.connect(p).postJob(request)).wait());
  await d.market.connect(p).claimJob(id!);
  const receipt = await (await d.market.connect(p).submitResult(id!, ethers.id("r"), "")).wait();
  await time.increase(2);
  await d.market.finalizeJob(id!, submittedTerms(d.market, receipt).get(id!)!);
}

async function gatedJob(d: Staked, reward: bigint, minReputation: number) {
  const request = jobRequest(await d.now(), { reward, minReputation });
  const [id] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  return id!;
}

describe("Reputation is the fees a provider has paid, weighed against the job it wants", function () {
  describe("a newcomer", function () {
    it("scores 0 for any job", async function () {
      const d = await loadFixture(fixtures.staked);
      expect(await d.market.scoreFor(d.provider.address, 10n * TOKEN_UNIT)).to.equal(0n);
    });

    it("cannot claim a job gated at even 1", async function () {
      const d = await loadFixture(fixtures.staked);
      const id = await gatedJob(d, 10n * TOKEN_UNIT, 1);
      await expect(d.market.connect(d.provider).claimJob(id))
        .to.be.revertedWithCustomError(d.market, "MarketReputationTooLow")
        .withArgs(id, 0n, 1n);
    });

    it("can claim an ungated job", async function () {
      const d = await loadFixture(fixtures.staked);
      const id = await gatedJob(d, 10n * TOKEN_UNIT, 0);
      await expect(d.market.connect(d.provider).claimJob(id)).to.emit(d.market, "JobClaimed");
    });
  });

  describe("after a settled job", function () {
    it("records the fee the job paid as feesPaid", async function () {
      const d = await loadFixture(fixtures.staked);
      await selfDeal(d, 100n * TOKEN_UNIT);
      const rep = await d.market.reputationOf(d.provider.address);
      expect(rep.feesPaid).to.equal(feeOf(100n * TOKEN_UNIT));
      expect(rep.completed).to.equal(1n);
    });

    it("scores each job by its reward: high for small jobs, low for large ones", async function () {
      const d = await loadFixture(fixtures.staked);
      await selfDeal(d, 100n * TOKEN_UNIT); // 1 token of fees
      const fees = TOKEN_UNIT;
      expect(await d.market.scoreFor(d.provider.address, TOKEN_UNIT / 10n)).to.equal(scoreFor(fees, TOKEN_UNIT / 10n));
      expect(await d.market.scoreFor(d.provider.address, 100n * TOKEN_UNIT)).to.equal(scoreFor(fees, 100n * TOKEN_UNIT));
      expect(scoreFor(fees, TOKEN_UNIT / 10n)).to.equal(9_090n);
      expect(scoreFor(fees, 100n * TOKEN_UNIT)).to.equal(99n);
    });

    it("counts fees in thousandths of a token (rounded down per job)", async function () {
      const d = await loadFixture(fixtures.staked);
      expect(await d.market.reputationUnit()).to.equal(TOKEN_UNIT / 1_000n);
      await selfDeal(d, TOKEN_UNIT / 100n); // fee 0.0001 token: below one unit
      expect((await d.market.reputationOf(d.provider.address)).feesPaid).to.equal(0n);
    });
  });

  describe("buying the score a gated job asks for", function () {
    it("costs more than the job when the gate is above 5,000 (9 × the reward at 9,000)", async function () {
      const d = await loadFixture(fixtures.staked);
      const reward = 10n * TOKEN_UNIT;
      const id = await gatedJob(d, reward, 9_000);
      // 800 tokens of self-dealing pay 8 tokens of fees: not enough.
      await selfDeal(d, 800n * TOKEN_UNIT);
      await expect(d.market.connect(d.provider).claimJob(id)).to.be.revertedWithCustomError(d.market, "MarketReputationTooLow");
      // 900 tokens of self-dealing in all pay 9 tokens... still short of 9 × 10 = 90.
      await selfDeal(d, 100n * TOKEN_UNIT);
      await expect(d.market.connect(d.provider).claimJob(id)).to.be.revertedWithCustomError(d.market, "MarketReputationTooLow");
      // 9,000 tokens of self-dealing: 90 tokens of fees lost, nine times the gated job's reward.
      await d.market.connect(d.provider).stake(8_000n * TOKEN_UNIT);
      await selfDeal(d, 8_100n * TOKEN_UNIT);
      const fees = (await d.market.reputationOf(d.provider.address)).feesPaid;
      expect(fees).to.equal(90n * TOKEN_UNIT);
      expect(fees).to.be.greaterThan(reward);
      await expect(d.market.connect(d.provider).claimJob(id)).to.emit(d.market, "JobClaimed");
    });
  });

  describe("a farmed score held against several gated jobs at once", function () {
    /** 91 tokens of fees (just over the 90 a 10-token job gated at 9,000 asks), and three such jobs posted. */
    async function farmedWithThreeGatedJobs() {
      const d = await fixtures.staked();
      await d.market.connect(d.provider).stake(9_000n * TOKEN_UNIT);
      await selfDeal(d, 9_100n * TOKEN_UNIT);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await gatedJob(d, 10n * TOKEN_UNIT, 9_000));
      return { ...d, ids };
    }

    it("opens the first job", async function () {
      const d = await loadFixture(farmedWithThreeGatedJobs);
      await expect(d.market.connect(d.provider).claimJob(d.ids[0]!)).to.emit(d.market, "JobClaimed");
    });

    it("does not open a second while the first is held: the score counts the collateral already locked", async function () {
      const d = await loadFixture(farmedWithThreeGatedJobs);
      await d.market.connect(d.provider).claimJob(d.ids[0]!);
      const { locked } = await d.market.stakeOf(d.provider.address);
      const fees = (await d.market.reputationOf(d.provider.address)).feesPaid;
      const score = scoreFor(fees, 10n * TOKEN_UNIT + locked);
      expect(score).to.be.lessThan(9_000n);
      expect(await d.market.scoreFor(d.provider.address, 10n * TOKEN_UNIT)).to.equal(score);
      await expect(d.market.connect(d.provider).claimJob(d.ids[1]!))
        .to.be.revertedWithCustomError(d.market, "MarketReputationTooLow")
        .withArgs(d.ids[1]!, score, 9_000);
    });

    it("nor two in one batch", async function () {
      const d = await loadFixture(farmedWithThreeGatedJobs);
      await expect(d.market.connect(d.provider).claimJobs([d.ids[0]!, d.ids[1]!])).to.be.revertedWithCustomError(
        d.market,
        "MarketReputationTooLow",
      );
    });
  });

  describe("after a time-out", function () {
    it("raises the bar threefold for every job", async function () {
      const d = await loadFixture(fixtures.staked);
      await selfDeal(d, 100n * TOKEN_UNIT);
      const reward = 10n * TOKEN_UNIT;
      const before = await d.market.scoreFor(d.provider.address, reward);
      const id = await gatedJob(d, reward, 0);
      await d.market.connect(d.provider).claimJob(id);
      await time.increase(3_600);
      await d.market.timeOutJob(id);
      expect(await d.market.scoreFor(d.provider.address, reward)).to.equal(scoreFor(TOKEN_UNIT, reward, 1n));
      expect(await d.market.scoreFor(d.provider.address, reward)).to.be.lessThan(before);
    });
  });
});
