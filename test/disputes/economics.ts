import { expect } from "chai";
import { network } from "hardhat";

import { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT } from "../../ignition/parameters/defaults.js";
import { REFERENCE_JOB, auditDeterrenceLimit, auditReserveBreakEvenReward, economics } from "../../scripts/lib/economics.js";
import { REPUTATION_UNIT, scoreFor } from "../market/shared.js";
import { createDisputeFixtures } from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });

describe("Economics (docs/economics.md)", function () {
  for (const inequality of economics(LOCAL_PARAMETERS, DISPUTE_PARAMETERS)) {
    it(`the defaults satisfy ${inequality.name}: ${inequality.claim}`, function () {
      expect(inequality.holds, `${inequality.lhs} >= ${inequality.rhs}`).to.equal(true);
    });
  }

  it("the deployed module runs with exactly those defaults", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    const c = await d.disputes.config();
    expect({
      challengeBond: c.challengeBond,
      verifierLock: c.verifierLock,
      verifierFee: c.verifierFee,
      verifierSlashBps: Number(c.verifierSlashBps),
      challengerRewardBps: Number(c.challengerRewardBps),
      auditRateBps: Number(c.auditRateBps),
      committeeSize: Number(c.committeeSize),
      maxRounds: Number(c.maxRounds),
      commitPeriod: Number(c.commitPeriod),
      revealPeriod: Number(c.revealPeriod),
    }).to.deep.equal(DISPUTE_PARAMETERS);
    expect(await d.market.feeBps()).to.equal(BigInt(LOCAL_PARAMETERS.feeBps));
  });

  it("the audit alone deters lying on the reference job up to 1.245 tokens of saved compute", function () {
    expect(auditDeterrenceLimit(LOCAL_PARAMETERS, DISPUTE_PARAMETERS, REFERENCE_JOB)).to.equal((1245n * TOKEN_UNIT) / 1000n);
  });

  it("a check that cannot fail is no check: a 1% audit rate breaks auditDeters", function () {
    const weak = economics(LOCAL_PARAMETERS, { ...DISPUTE_PARAMETERS, auditRateBps: 100 });
    expect(weak.find((i) => i.name === "auditDeters")!.holds).to.equal(false);
  });

  describe("reputation that costs what it is worth", function () {
    // docs/economics.md: claiming a job of reward R gated at S needs fees paid ≥ R × S / (10000 − S).
    const R = REFERENCE_JOB.reward;
    const S = 9_000n;
    /** The least fees paid that score `score` on a job of reward R (rounded up). */
    const costOf = (score: bigint) => (R * score + (10_000n - score) - 1n) / (10_000n - score);
    const cost = costOf(S);

    it("buying the score 9,000 for a job of the reference reward costs more than that job: 90 tokens of fees > 10", function () {
      expect(cost).to.equal(90n * TOKEN_UNIT);
      expect(cost).to.be.greaterThan(R);
    });

    it("that price is exact: 90 tokens of fees score 9,000 on the reference job, one reputation unit less scores below", function () {
      expect(scoreFor(cost, R)).to.equal(S);
      expect(scoreFor(cost - REPUTATION_UNIT, R)).to.be.lessThan(S);
    });

    it("self-dealing pays it in full: at the default fee it takes 9,000 tokens of self-posted jobs", function () {
      expect((cost * 10_000n) / BigInt(LOCAL_PARAMETERS.feeBps)).to.equal(9_000n * TOKEN_UNIT);
    });

    it("a gate of 5,000 costs exactly the job, and any lower gate less: those screen, they do not secure", function () {
      expect(costOf(5_000n)).to.equal(R);
      expect(costOf(4_999n)).to.be.lessThan(R);
      expect(scoreFor(costOf(4_999n), R)).to.be.greaterThanOrEqual(4_999n);
    });
  });

  describe("the audit reserve's break-even reward (a sizing rule, docs/economics.md)", function () {
    it("counts only auditReserveBps of each fee as reaching the reserve and charges each audit the whole auditBudget()", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      const reserveBps = Number(await d.market.auditReserveBps());
      const budget = await d.disputes.auditBudget();
      const reward = auditReserveBreakEvenReward(LOCAL_PARAMETERS, DISPUTE_PARAMETERS, reserveBps);
      const reserved = (((reward * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n) * BigInt(reserveBps)) / 10_000n;
      expect(reserved).to.be.greaterThanOrEqual((BigInt(DISPUTE_PARAMETERS.auditRateBps) * budget) / 10_000n);
    });

    it("is 40 tokens at the defaults: the reserve keeps up with audits of jobs from 40 tokens up, not the 10-token reference job", function () {
      expect(auditReserveBreakEvenReward(LOCAL_PARAMETERS, DISPUTE_PARAMETERS)).to.equal(40n * TOKEN_UNIT);
      expect(REFERENCE_JOB.reward).to.be.lessThan(40n * TOKEN_UNIT);
    });
  });
});
