import { expect } from "chai";

import { createSkippedJobs, skipReasonOf } from "./skipped-jobs.ts";

describe("skipped jobs (what /skipped and provider status --daemon show)", function () {
  const job = (id: bigint) => ({ jobId: id, requester: "0xabc" });

  it("says a skip is news once per job and reason, newest first, and forgets jobs no longer open", function () {
    let t = 1_000;
    const skipped = createSkippedJobs(() => t);
    expect(skipped.record(job(1n), "content", "content not available yet: refused")).to.equal(true);
    t = 2_000;
    // Looked at again every few polls: not news, the detail follows the latest look.
    expect(skipped.record(job(1n), "content", "content not available yet: timed out")).to.equal(false);
    expect(skipped.record(job(2n), "price", "reward 9 below 1 per fuel")).to.equal(true);
    // Another reason for the same job is news again.
    expect(skipped.record(job(1n), "fuel", "fuel limit 9 above maxFuel 1")).to.equal(true);
    expect(skipped.list().map((s) => [s.jobId, s.reason, s.since])).to.deep.equal([
      [1n, "fuel", 2_000],
      [2n, "price", 2_000],
    ]);
    skipped.retain((id) => id !== 2n);
    skipped.clear(1n);
    expect(skipped.list()).to.deep.equal([]);
  });

  it("keeps at most 1000 jobs, dropping the oldest", function () {
    const skipped = createSkippedJobs();
    for (let i = 1n; i <= 1001n; i++) skipped.record(job(i), "policy", "requester denied");
    const ids = skipped.list().map((s) => s.jobId);
    expect(ids).to.have.length(1000);
    expect(ids[0]).to.equal(1001n);
    expect(ids.includes(1n)).to.equal(false);
  });

  it("names the claim policy's refusals by what the operator would change", function () {
    expect(skipReasonOf({ refusal: "policy", reason: "fuel limit 2 above maxFuel 1" })).to.equal("fuel");
    expect(skipReasonOf({ refusal: "policy", reason: "reward 1 below 2 per fuel" })).to.equal("price");
    expect(skipReasonOf({ refusal: "policy", reason: "free stake 1 below collateral 2 + minFreeStake 0" })).to.equal("stake");
    expect(skipReasonOf({ refusal: "reputation", reason: "our reputation on this job, 0, below its minReputation 1" })).to.equal(
      "reputation",
    );
    expect(skipReasonOf({ refusal: "collateral", reason: "collateral 300% of the reward above maxCollateralPct 200%" })).to.equal(
      "collateral",
    );
    expect(skipReasonOf({ refusal: "policy", reason: "requester denied" })).to.equal("policy");
  });
});
