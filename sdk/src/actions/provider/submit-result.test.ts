import { expect } from "chai";
import { network } from "hardhat";
import { keccak256 } from "viem";

import { JobState } from "../../abi/enums.ts";
import { MarketExecutionDeadlinePassedError, MarketNotClaimantError } from "../../errors/contract-errors.ts";
import { ExecutionStatus } from "../../executor/result-hash.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import {
  CHALLENGE_WINDOW,
  COLLATERAL_PCT,
  EXECUTION_TIME,
  FUEL_USED,
  OUTPUT,
  OUTPUT_URI,
  RESULT_HASH,
  REWARD,
  createSdkFixtures,
} from "../../../../testkit/fixtures.ts";
import { encodeOutputUri } from "../../utils/output-uri.ts";
import { submitResult } from "./submit-result.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("submitResult", function () {
  it("commits the result computed from the run's outcome and returns the settlement terms", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const { result, receipt } = await submitResult(d.clients.provider, {
      jobId: d.jobId,
      outcome: { outputHash: keccak256(OUTPUT), fuelUsed: FUEL_USED, status: ExecutionStatus.Ok },
      outputURI: OUTPUT_URI,
    });
    const block = await d.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    expect(result.resultHash).to.equal(RESULT_HASH);
    expect(result.outputURI).to.equal(
      encodeOutputUri(OUTPUT_URI, { outputHash: keccak256(OUTPUT), fuelUsed: FUEL_USED, status: ExecutionStatus.Ok }),
    );
    expect(result.challengeEnd).to.equal(block.timestamp + BigInt(CHALLENGE_WINDOW));
    expect(result.terms).to.deep.equal({
      reward: REWARD,
      collateralPct: COLLATERAL_PCT,
      provider: d.address.provider,
      resultHash: RESULT_HASH,
      submittedBlock: receipt.blockNumber,
    });
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Submitted);
  });

  it("accepts a precomputed result hash, leaving the URI as given", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const { result } = await submitResult(d.clients.provider, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI });
    expect(result.outputURI).to.equal(OUTPUT_URI);
  });

  it("leaves the URI alone with publishOutcome: false", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const outcome = { outputHash: keccak256(OUTPUT), fuelUsed: FUEL_USED, status: ExecutionStatus.Ok };
    const { result } = await submitResult(d.clients.provider, { jobId: d.jobId, outcome, outputURI: OUTPUT_URI, publishOutcome: false });
    expect(result.outputURI).to.equal(OUTPUT_URI);
    expect(result.resultHash).to.equal(RESULT_HASH);
  });

  it("throws MarketNotClaimantError for another provider", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const error = await expectRejection(
      submitResult(d.clients.provider2, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI }),
      MarketNotClaimantError,
    );
    expect(error.caller).to.equal(d.address.provider2);
  });

  it("throws MarketExecutionDeadlinePassedError after the execution deadline", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    await time.increase(EXECUTION_TIME + 1);
    await expectRejection(
      submitResult(d.clients.provider, { jobId: d.jobId, resultHash: RESULT_HASH, outputURI: OUTPUT_URI }),
      MarketExecutionDeadlinePassedError,
    );
  });
});
