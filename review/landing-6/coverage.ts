/**
 * Landing review 6: how much of a busy provider's work deferred pay actually covers.
 *
 * The gas report (`docs/gas.md`, `reports/gas.json` → `fastPath`) says deferred pay removes the
 * per-job finalize: 152,452 per job against 173,173 eager. `bench:gas` measures it with a 1-second
 * challenge window. With a window W longer than PAY_SEAL (600 s) both buckets are sealed and
 * unmatured from 2 * PAY_SEAL until PAY_SEAL + W after the first opens, and every job fast-pathed
 * then falls back to the eager path (its own finalize, plus the bucket reads it paid for in vain).
 * In steady state only 2 * PAY_SEAL / (PAY_SEAL + W) of the jobs are deferred: 29 % at W = 1 h,
 * 1.4 % at W = 1 day. The test FAILS while that share is below 90 % (a finding: the gas claim
 * holds only for windows up to PAY_SEAL); the 600 s case holds.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { createFixtures, jobRequest, postedJobIds } from "../../test/helpers/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const STEP = 150; // one fast-path call every 150 s
const RESULT = ethers.id("result");

/** Fast-paths one job every STEP seconds for `span` seconds; returns [deferred, total]. */
async function share(window: number, span: number): Promise<[number, number, bigint[]]> {
  const d = await loadFixture(fixtures.staked);
  let deferred = 0;
  let total = 0;
  const eagerGas: bigint[] = [];
  for (let t = 0; t < span; t += STEP) {
    const now = await d.now();
    const [id] = postedJobIds(
      d.market,
      await (await d.market.connect(d.requester).postJob(jobRequest(now, { challengeWindow: window }))).wait(),
    );
    const receipt = await (await d.market.connect(d.provider).claimAndSubmit(id!, RESULT, "")).wait();
    const events = receipt!.logs.map((l) => d.market.interface.parseLog(l)).filter((e) => e?.name === "PayDeferred");
    deferred += events.length;
    if (events.length === 0) eagerGas.push(receipt!.gasUsed);
    total += 1;
    await time.increase(STEP - 2);
  }
  return [deferred, total, eagerGas];
}

describe("landing review 6: the share of fast-path jobs deferred pay covers", function () {
  this.timeout(300_000);

  it("holds: with a 600 s window (≤ PAY_SEAL) every job is deferred", async function () {
    const [deferred, total] = await share(600, 3 * 3600);
    console.log(`      window 600 s: ${deferred} of ${total} jobs deferred`);
    expect(deferred).to.equal(total);
  });

  it("FINDING: with a 1-hour window at least 90 % of the jobs are deferred (what the gas claim assumes)", async function () {
    const [deferred, total, eagerGas] = await share(3600, 3 * 3600);
    console.log(`      window 3600 s: ${deferred} of ${total} jobs deferred (${Math.round((100 * deferred) / total)} %)`);
    const mean = eagerGas.reduce((a, b) => a + b, 0n) / BigInt(eagerGas.length);
    console.log(`      the ${eagerGas.length} fallen back: claimAndSubmit ${mean} gas each (tx total), each still needs its own finalize`);
    expect(deferred / total).to.be.at.least(0.9);
  });
});
