import { expect } from "chai";
import { zeroAddress } from "viem";

import type { TrackedJob } from "../job-index.ts";
import { seedPinsDue } from "./seed-pins.ts";

/** A tracked job in `state`, submitted in `submittedBlock`, its window ending at `challengeEnd`. */
function job(jobId: bigint, submittedBlock: bigint, challengeEnd: bigint, state: TrackedJob["state"] = "Submitted"): TrackedJob {
  return {
    jobId,
    state,
    result: { terms: { submittedBlock }, challengeEnd },
  } as unknown as TrackedJob;
}

const NOW = 1_000n;
const due = (jobs: TrackedJob[], at: bigint, { afterBlocks = 200, confirmations = 0 } = {}) =>
  seedPinsDue(jobs, { at, now: NOW, afterBlocks, confirmations });

describe("daemon audit-seed pins: which submission blocks are due", function () {
  it("pins a block once its jobs are pinAfterBlocks old and still in their window, once per block", function () {
    const jobs = [job(1n, 100n, NOW + 60n), job(2n, 100n, NOW + 60n), job(3n, 150n, NOW + 60n)];
    expect(due(jobs, 299n)).to.deep.equal([]);
    expect(due(jobs, 300n)).to.deep.equal([100n]);
    expect(due(jobs, 350n)).to.deep.equal([100n, 150n]);
  });

  it("leaves blocks whose jobs are settled, disputed or past their window: no audit can start for them", function () {
    const jobs = [job(1n, 100n, NOW - 1n), job(2n, 101n, NOW + 60n, "Disputed"), job(3n, 102n, NOW + 60n, "Finalized"), job(4n, 103n, NOW)];
    expect(due(jobs, 310n)).to.deep.equal([103n]);
  });

  it("stops before the hash ages out, leaving room for the confirmations and the block the pin lands in", function () {
    const jobs = [job(1n, 100n, NOW + 60n)];
    // blockhash(100) is readable in blocks up to 356: a pin sent with the index at 354 lands in 355 at the earliest.
    expect(due(jobs, 354n, { afterBlocks: 1 })).to.deep.equal([100n]);
    expect(due(jobs, 355n, { afterBlocks: 1 })).to.deep.equal([]);
    expect(due(jobs, 352n, { afterBlocks: 1, confirmations: 2 })).to.deep.equal([100n]);
    expect(due(jobs, 353n, { afterBlocks: 1, confirmations: 2 })).to.deep.equal([]);
  });

  it("ignores jobs without a result", function () {
    expect(
      due([{ jobId: 1n, state: "Submitted", provider: zeroAddress } as unknown as TrackedJob], 400n, { afterBlocks: 1 }),
    ).to.deep.equal([]);
  });
});
