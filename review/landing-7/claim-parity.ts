/**
 * Landing review 7: can the fast path claim a job `claimJob` would refuse? The gas pass reads the
 * job record once (`_lock` on the Open record) and drops the submit-time checks on the claimed
 * state inside `claimAndSubmit`/`claimAndSubmitJobs`. For every refusal `claimJob` has (pause,
 * registry, minimum stake, designation, reputation, free stake, state, claim deadline) the same
 * chain state is put to all three entry points: `claimAndSubmit` must refuse with the very same
 * error and arguments, `claimAndSubmitJobs` the same or (only for a job no longer Open or past
 * its claim deadline, as documented) skip it and lock nothing. Each test PASSES WHILE THE
 * DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { REWARD, STAKE, createFixtures, jobRequest, postedJobIds } from "../../test/helpers/fixtures.js";
import type { HashworkMarket } from "../../types/ethers-contracts/index.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;
type Signer = Staked["provider"];

/** "ok" (with the return value, if any) or the custom error with its arguments. */
async function outcome(market: HashworkMarket, call: () => Promise<unknown>): Promise<string> {
  try {
    const r = await call();
    return r === undefined || (Array.isArray(r) && r.length === 0) ? "ok" : `ok ${String(r)}`;
  } catch (error) {
    const data = (error as { data?: string }).data;
    if (!data) throw error;
    const parsed = market.interface.parseError(data);
    if (!parsed) throw error;
    return `${parsed.name}(${parsed.args.join(", ")})`;
  }
}

async function post(d: Staked, overrides: Parameters<typeof jobRequest>[1] = {}, poster: Signer = d.requester): Promise<bigint> {
  const request = jobRequest(await d.now(), overrides);
  return postedJobIds(d.market, await (await d.market.connect(poster).postJob(request)).wait())[0]!;
}

interface Scenario {
  name: string;
  /** Builds the state; returns the job and who calls. */
  setup(d: Staked): Promise<{ jobId: bigint; caller: Signer }>;
  /** claimAndSubmitJobs skips this job (documented: no longer Open, or past its claim deadline). */
  skipped?: boolean;
}

const scenarios: Scenario[] = [
  { name: "an open job anyone may claim", setup: async (d) => ({ jobId: await post(d), caller: d.provider }) },
  {
    name: "the market paused",
    setup: async (d) => {
      const jobId = await post(d);
      await d.market.connect(d.owner).pause();
      return { jobId, caller: d.provider };
    },
  },
  { name: "a caller that is not a provider", setup: async (d) => ({ jobId: await post(d), caller: d.stranger }) },
  {
    name: "a provider below the minimum stake",
    setup: async (d) => {
      const jobId = await post(d);
      await d.market.connect(d.owner).setMinStake(STAKE + 1n);
      return { jobId, caller: d.provider };
    },
  },
  {
    name: "a job designated to another provider",
    setup: async (d) => ({ jobId: await post(d, { designatedProvider: d.provider2.address }), caller: d.provider }),
  },
  {
    name: "a job designated to the caller",
    setup: async (d) => ({ jobId: await post(d, { designatedProvider: d.provider.address }), caller: d.provider }),
  },
  {
    name: "a job requiring reputation a new provider lacks",
    setup: async (d) => ({ jobId: await post(d, { minReputation: 1 }), caller: d.provider }),
  },
  {
    name: "collateral over the free stake",
    setup: async (d) => ({ jobId: await post(d, { reward: (STAKE * 2n) / 3n + 1n }), caller: d.provider }),
  },
  {
    name: "collateral past uint96 (the unchecked lock's cast)",
    setup: async (d) => {
      await d.token.connect(d.owner).mint(d.requester.address, 2n ** 95n);
      return { jobId: await post(d, { reward: 2n ** 95n, collateralPct: 300 }), caller: d.provider };
    },
  },
  {
    name: "a job another provider claimed",
    skipped: true,
    setup: async (d) => {
      const jobId = await post(d);
      await d.market.connect(d.provider2).claimJob(jobId);
      return { jobId, caller: d.provider };
    },
  },
  {
    name: "a job another provider fast-pathed (Submitted)",
    skipped: true,
    setup: async (d) => {
      const jobId = await post(d);
      await d.market.connect(d.provider2).claimAndSubmit(jobId, RESULT, "");
      return { jobId, caller: d.provider };
    },
  },
  {
    name: "a job the caller itself claimed (Claimed by the caller)",
    skipped: true,
    setup: async (d) => {
      const jobId = await post(d);
      await d.market.connect(d.provider).claimJob(jobId);
      return { jobId, caller: d.provider };
    },
  },
  {
    name: "a cancelled job",
    skipped: true,
    setup: async (d) => {
      const jobId = await post(d);
      await d.market.connect(d.requester).cancelJob(jobId);
      return { jobId, caller: d.provider };
    },
  },
  {
    name: "a job past its claim deadline",
    skipped: true,
    setup: async (d) => {
      const jobId = await post(d);
      await time.increase(3601);
      return { jobId, caller: d.provider };
    },
  },
  {
    name: "a job that does not exist",
    skipped: true,
    setup: async (d) => ({ jobId: (BigInt(d.requester.address) << 96n) | 999n, caller: d.provider }),
  },
  {
    name: "the provider's own job (requester == provider)",
    setup: async (d) => ({ jobId: await post(d, {}, d.provider), caller: d.provider }),
  },
];

describe("landing review 7: the fast path refuses whatever claimJob refuses", function () {
  this.timeout(120_000);

  for (const scenario of scenarios) {
    it(`holds: ${scenario.name}`, async function () {
      const d = await loadFixture(fixtures.staked);
      const { jobId, caller } = await scenario.setup(d);
      const m = d.market.connect(caller);
      const claim = await outcome(d.market, () => m.claimJob.staticCall(jobId));
      const single = await outcome(d.market, () => m.claimAndSubmit.staticCall(jobId, RESULT, ""));
      const batch = await outcome(d.market, () => m.claimAndSubmitJobs.staticCall([jobId], [RESULT], [""]));
      console.log(`      claimJob: ${claim}`);
      expect(single, "claimAndSubmit").to.equal(claim);
      if (scenario.skipped) {
        expect(claim).to.match(/^Market(UnexpectedJobState|ClaimDeadlinePassed)/);
        expect(batch, "claimAndSubmitJobs skips it").to.equal("ok 0");
      } else {
        expect(batch, "claimAndSubmitJobs").to.equal(claim === "ok" ? "ok 1" : claim);
      }
      // And for real: nothing locked, the job untouched, when refused or skipped.
      const before = await d.market.jobRecord(jobId);
      const locked = (await d.market.stakeOf(caller.address)).locked;
      if (claim !== "ok") {
        await m
          .claimAndSubmitJobs([jobId], [RESULT], [""], { gasLimit: 1_000_000 })
          .then((tx) => tx.wait())
          .catch(() => undefined);
        expect(await d.market.jobRecord(jobId)).to.equal(before);
        expect((await d.market.stakeOf(caller.address)).locked).to.equal(locked);
      }
    });
  }

  it("documented difference, holds: a matured bucket's reputation counts for claimAndSubmitJobs (releases first), not for claimJob or claimAndSubmit", async function () {
    const d = await loadFixture(fixtures.staked);
    // 20 jobs of 10 tokens: 2 tokens of fees into a bucket that matures after 1 s.
    const now = await d.now();
    const ids = postedJobIds(
      d.market,
      await (
        await d.market.connect(d.requester).postJobs(Array.from({ length: 20 }, () => jobRequest(now, { challengeWindow: 1 })))
      ).wait(),
    );
    await d.market.connect(d.provider).claimAndSubmitJobs(
      ids,
      ids.map(() => RESULT),
      ids.map(() => ""),
    );
    await time.increase(2);
    const gated = await post(d, { reward: REWARD, minReputation: 1 });
    const m = d.market.connect(d.provider);
    expect(await outcome(d.market, () => m.claimJob.staticCall(gated))).to.match(/^MarketReputationTooLow/);
    expect(await outcome(d.market, () => m.claimAndSubmit.staticCall(gated, RESULT, ""))).to.match(/^MarketReputationTooLow/);
    expect(await outcome(d.market, () => m.claimAndSubmitJobs.staticCall([gated], [RESULT], [""]))).to.equal("ok 1");
    // Anyone may release first; then all three accept: the batch's order is a convenience, not a bypass.
    await d.market.connect(d.stranger).releasePay(d.provider.address);
    expect(await outcome(d.market, () => m.claimJob.staticCall(gated))).to.equal("ok");
  });
});
