import { expect } from "chai";
import { network } from "hardhat";

import { CHALLENGE_WINDOW, RESULT_HASH, createSdkFixtures, postWithViem } from "../../test-utils/fixtures.ts";
import { getJobHistory } from "./get-job-history.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("getJobHistory", function () {
  it("returns every event of a job's life in block order", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await time.increase(CHALLENGE_WINDOW + 1);
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, d.terms]);
    const history = await getJobHistory(d.reader, { jobId: d.jobId });
    expect(history.map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobClaimed", "ResultSubmitted", "JobFinalized"]);
    const blocks = history.map((e) => e.blockNumber);
    expect([...blocks].sort((a, b) => (a < b ? -1 : 1))).to.deep.equal(blocks);
    expect(history.every((e) => e.args.jobId === d.jobId)).to.equal(true);
    expect(history[2]!.args.resultHash).to.equal(RESULT_HASH);
    expect(history[3]!.args.provider).to.equal(d.address.provider);
  });

  it("leaves out other jobs' events", async function () {
    const d = await loadFixture(fixtures.openJob);
    await d.marketWrite("requester", "cancelJob", [d.jobId]);
    const other = await postWithViem(d);
    await d.marketWrite("provider", "claimJob", [other]);
    const history = await getJobHistory(d.reader, { jobId: d.jobId });
    expect(history.map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobCancelled"]);
    expect((await getJobHistory(d.reader, { jobId: other })).map((e) => e.eventName)).to.deep.equal(["JobPosted", "JobClaimed"]);
  });
});
