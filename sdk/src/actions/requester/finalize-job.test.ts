import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { MarketChallengeWindowOpenError, MarketTermsMismatchError } from "../../errors/contract-errors.ts";
import { JobResultNotFoundError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import {
  CHALLENGE_WINDOW,
  COLLATERAL_PCT,
  LOCAL_PARAMETERS,
  RESULT_HASH,
  REWARD,
  STAKE,
  createSdkFixtures,
} from "../../../../testkit/fixtures.ts";
import { finalizeJob } from "./finalize-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("finalizeJob", function () {
  describe("after the challenge window", function () {
    it("recovers the terms from ResultSubmitted and pays the provider (any caller)", async function () {
      const d = await loadFixture(fixtures.submittedJob);
      await time.increase(CHALLENGE_WINDOW + 1);
      const fee = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
      const r = await finalizeJob(d.clients.keeper, { jobId: d.jobId });
      expect(r.provider).to.equal(d.address.provider);
      expect(r.protocolFee).to.equal(fee);
      expect(r.providerPayout).to.equal(REWARD - fee);
      expect(r.collateralUnlocked).to.equal((REWARD * BigInt(COLLATERAL_PCT)) / 100n);
      expect(r.terms).to.deep.include({
        reward: REWARD,
        collateralPct: COLLATERAL_PCT,
        provider: d.address.provider,
        resultHash: RESULT_HASH,
      });
      expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Finalized);
      const stake = await d.read<{ staked: bigint; locked: bigint }>("stakeOf", [d.address.provider]);
      expect(stake.staked).to.equal(STAKE + REWARD - fee);
      expect(stake.locked).to.equal(0n);
    });

    it("throws MarketTermsMismatchError for terms that were not committed", async function () {
      const d = await loadFixture(fixtures.submittedJob);
      await time.increase(CHALLENGE_WINDOW + 1);
      const terms = {
        reward: REWARD + 1n,
        collateralPct: COLLATERAL_PCT,
        provider: d.address.provider,
        resultHash: RESULT_HASH,
        submittedBlock: 0n,
      };
      const error = await expectRejection(finalizeJob(d.clients.keeper, { jobId: d.jobId, terms }), MarketTermsMismatchError);
      expect(error.jobId).to.equal(d.jobId);
    });
  });

  it("throws MarketChallengeWindowOpenError with the window's end while it runs", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const error = await expectRejection(finalizeJob(d.clients.keeper, { jobId: d.jobId }), MarketChallengeWindowOpenError);
    expect(error.jobId).to.equal(d.jobId);
    expect(error.challengeEnd > (await d.now())).to.equal(true);
  });

  it("throws JobResultNotFoundError (with the state) for a job with no result", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const error = await expectRejection(finalizeJob(d.clients.keeper, { jobId: d.jobId }), JobResultNotFoundError);
    expect(error.state).to.equal("Claimed");
  });
});
