import { expect } from "chai";
import { network } from "hardhat";

import { JobEndedError, WaitTimeoutError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGE_WINDOW, OUTPUT_URI, RESULT_HASH, REWARD, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { waitForResult } from "./wait-for-result.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

const FAST = { pollingInterval: 10, timeout: 10_000 };

describe("waitForResult", function () {
  it("resolves at once for a job already submitted, with the result from ResultSubmitted", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const { state, result } = await waitForResult(d.reader, { jobId: d.jobId, ...FAST });
    expect(state).to.equal("Submitted");
    expect(result.resultHash).to.equal(RESULT_HASH);
    expect(result.outputURI).to.equal(OUTPUT_URI);
    expect(result.provider).to.equal(d.address.provider);
    expect(result.terms.reward).to.equal(REWARD);
    expect(result.terms.submittedBlock).to.equal(result.blockNumber);
  });

  it("waits for a result submitted later", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const waiting = waitForResult(d.reader, { jobId: d.jobId, ...FAST });
    await new Promise((r) => setTimeout(r, 50)); // a few polls with nothing to see
    await d.marketWrite("provider", "submitResult", [d.jobId, RESULT_HASH, OUTPUT_URI]);
    const { state, result } = await waiting;
    expect(state).to.equal("Submitted");
    expect(result.resultHash).to.equal(RESULT_HASH);
  });

  it("with until: finalized, waits for the settlement", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const waiting = waitForResult(d.reader, { jobId: d.jobId, until: "finalized", ...FAST });
    await time.increase(CHALLENGE_WINDOW + 1);
    const { result } = await waitForResult(d.reader, { jobId: d.jobId, ...FAST });
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, result.terms]);
    const finalized = await waiting;
    expect(finalized.state).to.equal("Finalized");
    expect(finalized.result.resultHash).to.equal(RESULT_HASH);
  });

  it("resolves for a job finalized long ago (its slot is cleared; the result comes from the logs)", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await time.increase(CHALLENGE_WINDOW + 1);
    const { result } = await waitForResult(d.reader, { jobId: d.jobId, ...FAST });
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, result.terms]);
    const later = await waitForResult(d.reader, { jobId: d.jobId, until: "finalized", ...FAST });
    expect(later.state).to.equal("Finalized");
    expect(later.result).to.deep.equal(result);
  });

  it("throws JobEndedError when the job is cancelled while waiting", async function () {
    const d = await loadFixture(fixtures.openJob);
    const waiting = waitForResult(d.reader, { jobId: d.jobId, ...FAST });
    await d.marketWrite("requester", "cancelJob", [d.jobId]);
    const error = await expectRejection(waiting, JobEndedError);
    expect(error.state).to.equal("Cancelled");
    expect(error.jobId).to.equal(d.jobId);
  });

  it("throws WaitTimeoutError when nothing happens in time", async function () {
    const d = await loadFixture(fixtures.openJob);
    const started = Date.now();
    const error = await expectRejection(waitForResult(d.reader, { jobId: d.jobId, pollingInterval: 10, timeout: 100 }), WaitTimeoutError);
    expect(error.timeout).to.equal(100);
    expect(Date.now() - started).to.be.at.least(100);
  });

  it("stops when its signal is aborted", async function () {
    const d = await loadFixture(fixtures.openJob);
    const controller = new AbortController();
    const waiting = waitForResult(d.reader, { jobId: d.jobId, ...FAST, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user gave up")), 30);
    let caught: unknown;
    await waiting.catch((e) => (caught = e));
    expect(String(caught)).to.contain("user gave up");
  });
});
