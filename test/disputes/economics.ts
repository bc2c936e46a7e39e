import { expect } from "chai";
import { network } from "hardhat";

import { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT } from "../../scripts/lib/defaults.js";
import { REFERENCE_JOB, auditDeterrenceLimit, economics } from "../../scripts/lib/economics.js";
import { createDisputeFixtures } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const fixtures = createDisputeFixtures(ethers, networkHelpers);

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
    expect(auditDeterrenceLimit(LOCAL_PARAMETERS, DISPUTE_PARAMETERS, REFERENCE_JOB)).to.equal(
      (1245n * TOKEN_UNIT) / 1000n,
    );
  });

  it("a check that cannot fail is no check: a 1% audit rate breaks auditDeters", function () {
    const weak = economics(LOCAL_PARAMETERS, { ...DISPUTE_PARAMETERS, auditRateBps: 100 });
    expect(weak.find((i) => i.name === "auditDeters")!.holds).to.equal(false);
  });
});
