import { expect } from "chai";
import { network } from "hardhat";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";

import {
  CHALLENGE_WINDOW,
  COLLATERAL_PCT,
  OUTPUT_URI,
  RESULT_HASH,
  REWARD,
  STAKE,
  createSdkFixtures,
} from "../../../../testkit/fixtures.ts";
import { getPendingPay, PAY_SEAL_SECONDS } from "../auditor/get-pending-pay.ts";
import { claimAndSubmit } from "./claim-and-submit.ts";
import { releasePay } from "./release-pay.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

const COLLATERAL = (REWARD * BigInt(COLLATERAL_PCT)) / 100n;

describe("releasePay / getPendingPay (deferred pay of fast-path jobs)", function () {
  async function deferred() {
    const d = await fixtures.openJob();
    const submitted = await claimAndSubmit(d.clients.provider, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI });
    return { ...d, submitted };
  }

  it("PAY_SEAL_SECONDS, which the daemon's fast-path rule uses, is the market's PAY_SEAL", async function () {
    const d = await loadFixture(deferred);
    const seal = await d.clients.provider.publicClient.readContract({
      address: d.clients.provider.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "PAY_SEAL",
    });
    expect(seal).to.equal(BigInt(PAY_SEAL_SECONDS));
  });

  it("getPendingPay shows the job's pay in bucket 0, not releasable during the window", async function () {
    const d = await loadFixture(deferred);
    const p = await getPendingPay(d.clients.provider, { provider: d.address.provider });
    const [b0, b1] = p.buckets;
    expect([b0.jobs, b0.collateral, b0.releasable, b1.jobs]).to.deep.equal([1, COLLATERAL, false, 0]);
    expect(b0.payout + b0.fee).to.equal(REWARD);
    expect(b0.maturesAt).to.equal(d.submitted.result.challengeEnd);
    expect([p.releasable, p.pending]).to.deep.equal([0n, b0.payout]);
  });

  it("releasePay pays it into stake once the window has passed (anyone may send it)", async function () {
    const d = await loadFixture(deferred);
    const early = await releasePay(d.clients.stranger, { provider: d.address.provider });
    expect([early.paid, early.buckets.length]).to.deep.equal([0n, 0]);
    await time.increase(CHALLENGE_WINDOW + 1);
    const before = await getPendingPay(d.clients.provider, { provider: d.address.provider });
    expect(before.releasable).to.equal(before.pending);
    const r = await releasePay(d.clients.stranger, { provider: d.address.provider });
    expect(r.paid).to.equal(before.pending);
    expect(r.buckets).to.deep.equal([
      { bucket: 0, jobs: 1n, payout: r.paid, fee: REWARD - r.paid, collateral: COLLATERAL, lockedAfter: 0n },
    ]);
    const s = await d.read<{ staked: bigint; locked: bigint }>("stakeOf", [d.address.provider]);
    expect([s.staked, s.locked]).to.deep.equal([STAKE + r.paid, 0n]);
  });

  it("defaults to the sender's own buckets", async function () {
    const d = await loadFixture(deferred);
    await time.increase(CHALLENGE_WINDOW + 1);
    const r = await releasePay(d.clients.provider);
    expect(r.provider).to.equal(d.address.provider);
    expect(r.buckets).to.have.length(1);
  });
});
