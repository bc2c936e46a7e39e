/**
 * Landing review 7: `JobRecordLib.commitFields` (the terms hashed field by field in scratch
 * memory past the free memory pointer, which is not advanced) against `abi.encode(terms)`.
 * Attacks: extreme field values (high bits set in the reward, collateralPct at its bounds, an
 * all-ones and a one-bit result hash), bucketed and eager jobs in one batch, the slow path
 * beside; and memory left dirty for what the same call encodes later (the next job's
 * `JobClaimed` and `ResultSubmitted` with output URIs of every length around a word boundary,
 * `PayDeferred`'s id array). The stored commitment is compared with one computed off chain by
 * ethers' ABI coder, every event is decoded and compared with what was sent, and every term's
 * one-field change is refused. Each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  STAKE,
  TOKEN_UNIT,
  createFixtures,
  jobRequest,
  postedJobIds,
  submittedTerms,
  type SubmittedJob,
} from "../../test/helpers/fixtures.js";
import { collateralOf, commitmentOf, tampered } from "../../test/market/shared.js";
import { expectSolvent } from "../../test/vault/support.js";
import { WEEK, eventsIn } from "./support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const ONES = `0x${"ff".repeat(32)}`;
const ONE_BIT = `0x${"00".repeat(31)}01`;
// Rewards with bits set across the uint96 word (collateral at 300 % stays within the stake below).
const ODD_REWARD = 2n ** 90n + 2n ** 64n - 1n;

describe("landing review 7: commitFields vs abi.encode, and the memory it leaves", function () {
  this.timeout(120_000);

  async function batchOfEdges() {
    const d = await fixtures.staked();
    const big = 2n ** 93n;
    await d.token.connect(d.owner).mint(d.requester.address, big);
    await d.token.connect(d.owner).mint(d.provider.address, big);
    await d.market.connect(d.provider).stake(big);
    const now = await d.now();
    const requests = [
      jobRequest(now, { reward: ODD_REWARD, collateralPct: 300 }), // eager: collateral past uint80
      jobRequest(now, { reward: TOKEN_UNIT / 100n, collateralPct: 100 }),
      jobRequest(now, { reward: 10n * TOKEN_UNIT + 1n, collateralPct: 300, challengeWindow: WEEK }), // eager: hostage rule
      jobRequest(now, { reward: 3n * TOKEN_UNIT + 7n, collateralPct: 257 }),
      jobRequest(now, { reward: 10n * TOKEN_UNIT, challengeWindow: 1 }),
    ];
    const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(requests)).wait());
    const hashes = [ONES, ONE_BIT, ethers.id("a"), ONES, ONE_BIT];
    const uris = ["", "x".repeat(31), "y".repeat(32), "z".repeat(33), `ipfs://${"é".repeat(150)}`];
    const receipt = (await (await d.market.connect(d.provider).claimAndSubmitJobs(ids, hashes, uris)).wait())!;
    return { ...d, ids, hashes, uris, requests, receipt, terms: submittedTerms(d.market, receipt) };
  }

  it("holds: every stored commitment equals keccak(abi.encode(terms)) computed off chain, bucketed and eager alike", async function () {
    const d = await loadFixture(batchOfEdges);
    for (const [i, id] of d.ids.entries()) {
      const t = d.terms.get(id)!;
      expect([t.reward, t.collateralPct, t.provider, t.resultHash, t.submittedBlock]).to.deep.equal([
        BigInt(d.requests[i]!.reward),
        BigInt(d.requests[i]!.collateralPct),
        d.provider.address,
        d.hashes[i],
        BigInt(d.receipt.blockNumber),
      ]);
      expect((await d.market.jobRecord(id)) >> 56n, `job ${i}`).to.equal(commitmentOf(t));
    }
  });

  it("holds: the events encoded after each commitFields decode to exactly what was sent (no scribbled memory)", async function () {
    const d = await loadFixture(batchOfEdges);
    const submitted = eventsIn(d.market, d.receipt, "ResultSubmitted");
    expect(submitted.map((e) => [e.args.jobId, e.args.resultHash, e.args.outputURI])).to.deep.equal(
      d.ids.map((id, i) => [id, d.hashes[i], d.uris[i]]),
    );
    const claimed = eventsIn(d.market, d.receipt, "JobClaimed");
    let locked = 0n;
    expect(claimed.map((e) => e.args.collateral)).to.deep.equal(
      d.requests.map((q) => collateralOf(BigInt(q.reward), BigInt(q.collateralPct))),
    );
    for (const e of claimed) {
      locked += e.args.collateral as bigint;
      expect(e.args.totalLocked, "running locked").to.equal(locked);
    }
    const deferred = eventsIn(d.market, d.receipt, "PayDeferred");
    expect(deferred.length).to.equal(1);
    expect([...deferred[0]!.args.jobIds]).to.deep.equal([d.ids[1], d.ids[3], d.ids[4]]);
  });

  it("holds: eager jobs settle with their terms; each one-field change is refused (MarketTermsMismatch); the slow path commits the same way", async function () {
    const d = await loadFixture(batchOfEdges);
    await time.increase(WEEK + 1);
    const other = d.provider2.address;
    for (const i of [0, 2]) {
      const t = d.terms.get(d.ids[i]!)!;
      const changes: Partial<SubmittedJob>[] = [
        { reward: BigInt(t.reward) ^ 1n },
        { reward: BigInt(t.reward) | (1n << 95n) },
        { collateralPct: BigInt(t.collateralPct) + 1n },
        { provider: other },
        { resultHash: `0x${"ff".repeat(31)}fe` },
        { submittedBlock: BigInt(t.submittedBlock) + 1n },
      ];
      for (const change of changes) {
        await expect(d.market.finalizeJob(d.ids[i]!, tampered(t, change))).to.be.revertedWithCustomError(d.market, "MarketTermsMismatch");
      }
      await expect(d.market.finalizeJob(d.ids[i]!, t)).to.emit(d.market, "JobFinalized");
    }
    await d.market.releasePay(d.provider.address);
    // The slow path (claimJob, then submitResult) goes through the same commitFields.
    const [slow] = postedJobIds(
      d.market,
      await (
        await d.market.connect(d.requester).postJob(jobRequest(await d.now(), { reward: ODD_REWARD >> 20n, collateralPct: 300 }))
      ).wait(),
    );
    await d.market.connect(d.provider).claimJob(slow!);
    const r = await (await d.market.connect(d.provider).submitResult(slow!, ONES, "q".repeat(64))).wait();
    const t = submittedTerms(d.market, r).get(slow!)!;
    expect((await d.market.jobRecord(slow!)) >> 56n).to.equal(commitmentOf(t));
    await time.increase(601);
    await expect(d.market.finalizeJob(slow!, t)).to.emit(d.market, "JobFinalized");
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.locked, s.completed]).to.deep.equal([0n, 6n]);
    expect(s.staked > STAKE).to.equal(true);
    await expectSolvent(d.market, d.token);
  });
});
