import { expect } from "chai";
import { network } from "hardhat";

import { createSdkFixtures, submitBatchWithViem } from "../../../../testkit/fixtures.ts";
import { isSelectedForAudit } from "./is-selected-for-audit.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

describe("isSelectedForAudit", function () {
  it("agrees with the lottery on selected and unselected jobs, recovering the submission block", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.selected[0]!;
    const submittedBlock = d.terms.get(jobId)!.submittedBlock;
    expect(await isSelectedForAudit(d.reader, { jobId })).to.deep.equal({
      selected: true,
      submittedBlock,
      lastPinBlock: submittedBlock + 256n,
    });
    for (const id of d.unselected.slice(0, 5)) {
      expect((await isSelectedForAudit(d.reader, { jobId: id, terms: d.terms.get(id)! })).selected).to.equal(false);
    }
  });

  it("says false in the submission block itself, where the seed does not exist yet", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.selected[0]!;
    const { submittedBlock } = d.terms.get(jobId)!;
    expect((await isSelectedForAudit(d.reader, { jobId, submittedBlock, blockNumber: submittedBlock })).selected).to.equal(false);
    expect((await isSelectedForAudit(d.reader, { jobId, submittedBlock, blockNumber: submittedBlock + 1n })).selected).to.equal(true);
  });

  it("says true for every job of a submission block nobody pinned once its hash is forgotten", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    await mine(300);
    const jobId = d.unselected[0]!;
    expect((await isSelectedForAudit(d.reader, { jobId, terms: d.terms.get(jobId)! })).selected).to.equal(true);
  });

  it("keeps the lottery's verdict after 256 blocks when the submission block was pinned", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.unselected[0]!;
    const { submittedBlock } = d.terms.get(jobId)!;
    await d.disputesWrite("keeper", "pinAuditSeed", [submittedBlock]);
    await mine(300);
    expect((await isSelectedForAudit(d.reader, { jobId, submittedBlock })).selected).to.equal(false);
  });

  it("right after a submission, answers for the block a startAudit would land in", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    let selectedSeen = 0;
    for (let batch = 0; batch < 10 && selectedSeen === 0; batch++) {
      const terms = await submitBatchWithViem(d, 50);
      // No block mined since the submission: "latest" is the submission block.
      const now = new Map<bigint, boolean>();
      for (const [id, t] of terms) now.set(id, (await isSelectedForAudit(d.reader, { jobId: id, terms: t })).selected);
      await mine(1);
      for (const [id, t] of terms) {
        const later = await d.disputesRead<boolean>("isSelectedForAudit", [id, t.submittedBlock]);
        expect(now.get(id), `job ${id}`).to.equal(later);
        if (later) selectedSeen++;
      }
    }
    expect(selectedSeen).to.be.greaterThan(0);
  });
});
