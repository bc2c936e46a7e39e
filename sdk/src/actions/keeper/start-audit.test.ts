import { expect } from "chai";
import { network } from "hardhat";
import { zeroAddress } from "viem";

import { JobState } from "../../abi/enums.ts";
import { DisputeNotSelectedForAuditError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { DISPUTE_PARAMETERS, RESULT_HASH, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { commitVote } from "../verifier/commit-vote.ts";
import { revealVote } from "../verifier/reveal-vote.ts";
import { drawCommittee } from "./draw-committee.ts";
import { pinAuditSeed } from "./pin-audit-seed.ts";
import { resolveDispute } from "./resolve-dispute.ts";
import { startAudit } from "./start-audit.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

const FEE = DISPUTE_PARAMETERS.verifierFee;

describe("startAudit", function () {
  it("opens an audit of a selected job, paid from the market's audit reserve", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.selected[0]!;
    const budget = await d.disputesRead<bigint>("auditBudget");
    const reserveBefore = await d.read<bigint>("auditReserve");
    const feesBefore = await d.read<bigint>("accruedFees");
    const { dispute, terms } = await startAudit(d.clients.keeper, { jobId });
    expect(terms).to.deep.equal(d.terms.get(jobId));
    expect(dispute).to.include({ jobId, challenger: zeroAddress, provider: d.address.provider, providerHash: RESULT_HASH, bond: budget });
    expect(dispute.challengerHash).to.equal(`0x${"0".repeat(64)}`);
    expect(reserveBefore - (await d.read<bigint>("auditReserve"))).to.equal(budget);
    expect(await d.read<bigint>("accruedFees")).to.equal(feesBefore); // the treasury's fees are untouched
    expect(await d.read("jobState", [jobId])).to.equal(JobState.Disputed);
  });

  it("runs to a resolution like a challenge: the verifiers are paid by votes from the budget, the rest goes back to the audit reserve", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.selected[0]!;
    const { dispute } = await startAudit(d.clients.keeper, { jobId });
    await mine(1);
    const draw = await drawCommittee(d.clients.keeper, { jobId });
    if (draw.outcome !== "drawn") expect.fail(`expected drawn, got ${draw.outcome}`);
    const actor = (v: string) => (Object.keys(d.address) as (keyof typeof d.address)[]).find((n) => d.address[n] === v)!;
    const secrets = [];
    for (const v of draw.verifiers) secrets.push(await commitVote(d.clients[actor(v)], { jobId, resultHash: RESULT_HASH }));
    for (const [i, v] of draw.verifiers.entries()) await revealVote(d.clients[actor(v)], secrets[i]!);
    const r = await resolveDispute(d.clients.keeper, { jobId });
    if (r.outcome !== "resolved") expect.fail(`expected resolved, got ${r.outcome}`);
    expect(r.providerRight).to.equal(true);
    expect(r.payouts).to.deep.equal([
      { to: d.deployment.market, role: "AuditReserve", amount: dispute.bond - 3n * FEE },
      ...draw.verifiers.map((v, i) => ({ to: v, role: "Verifier", amount: FEE * BigInt(draw.votes[i]!) })),
    ]);
    expect(await d.read("jobState", [jobId])).to.equal(JobState.Finalized);
  });

  it("opens a forced audit (its seed aged out unpinned) with no more than its job paid into the reserve", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    await mine(300);
    const jobId = d.unselected[0]!;
    const { dispute } = await startAudit(d.clients.keeper, { jobId });
    const reward = d.terms.get(jobId)!.reward;
    const fee = (reward * BigInt(await d.read<number>("feeBps"))) / 10_000n;
    expect(dispute.bond).to.equal((fee * BigInt(await d.read<number>("auditReserveBps"))) / 10_000n);
  });

  it("throws DisputeNotSelectedForAuditError for a job the lottery passed over", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.unselected[0]!;
    const error = await expectRejection(startAudit(d.clients.keeper, { jobId }), DisputeNotSelectedForAuditError);
    expect(error.jobId).to.equal(jobId);
  });

  it("keeps the lottery's verdict after 256 blocks when the submission block was pinned", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    const jobId = d.unselected[0]!;
    await pinAuditSeed(d.clients.keeper, { blockNumber: d.terms.get(jobId)!.submittedBlock });
    await mine(300);
    await expectRejection(startAudit(d.clients.keeper, { jobId }), DisputeNotSelectedForAuditError);
  });

  it("audits a job the lottery passed over once its unpinned submission block is 256 blocks old", async function () {
    const d = await loadFixture(fixtures.auditableJobs);
    await mine(300);
    const jobId = d.unselected[0]!;
    const { dispute } = await startAudit(d.clients.keeper, { jobId });
    expect(dispute.jobId).to.equal(jobId);
    expect(await d.read("jobState", [jobId])).to.equal(JobState.Disputed);
  });
});
