/**
 * Landing review 7: what the hostage rule does to deferred pay's coverage (landing review 6,
 * finding 2, measured again under the new rule). A busy provider fast-paths one job every 150 s
 * for 90 minutes, at several challenge windows W. Expected from the rule: every job is deferred
 * for W <= PAY_SEAL, none for W >= 2 * PAY_SEAL (`challengeEnd = now + W >= sealsAt + PAY_SEAL`
 * because a bucket taking jobs seals at most PAY_SEAL from now), and a share in between. The
 * test PASSES WHILE THAT HOLDS and prints the shares (figures for the report).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { STAKE, createFixtures } from "../../test/helpers/fixtures.js";
import { expectSolvent } from "../../test/vault/support.js";
import { SEAL, deferredIn, fastPath, postWindows } from "./support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const JOBS = 36; // one every 150 s: 90 minutes

describe("landing review 7: deferred pay's coverage under the hostage rule", function () {
  this.timeout(180_000);

  for (const window of [SEAL, 900, 2 * SEAL - 1, 2 * SEAL, 3600]) {
    it(`holds: W = ${window} s: ${window <= SEAL ? "every job" : window >= 2 * SEAL ? "no job" : "some jobs"} deferred`, async function () {
      const d = await loadFixture(fixtures.staked);
      await d.market.connect(d.provider).stake(10n * STAKE); // room for every job's collateral
      const ids = await postWindows(d, Array(JOBS).fill(window));
      let deferred = 0;
      const eagerGas: bigint[] = [];
      for (const id of ids) {
        const receipt = await fastPath(d.market, d.provider, [id], RESULT);
        const n = deferredIn(d.market, receipt).length;
        deferred += n;
        if (n === 0) eagerGas.push(receipt.gasUsed);
        await time.increase(150);
      }
      const mean = eagerGas.length ? eagerGas.reduce((a, b) => a + b, 0n) / BigInt(eagerGas.length) : 0n;
      console.log(
        `      W = ${window} s: ${deferred} of ${JOBS} deferred (${Math.round((100 * deferred) / JOBS)} %); eager ones: ${mean} gas each (batch call of one)`,
      );
      if (window <= SEAL) expect(deferred).to.equal(JOBS);
      else if (window >= 2 * SEAL) expect(deferred).to.equal(0);
      else expect(deferred).to.be.within(1, JOBS - 1);
      await expectSolvent(d.market, d.token);
    });
  }
});
