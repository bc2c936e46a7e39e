import { expect } from "chai";
import { network } from "hardhat";

import { DisputeAuditSeedUnavailableError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { pinAuditSeed } from "./pin-audit-seed.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

describe("pinAuditSeed", function () {
  it("stores the submission block's hash, which the module keeps as the seed after the chain forgets it", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const { submittedBlock } = d.terms;
    const { hash } = await d.publicClient.getBlock({ blockNumber: submittedBlock });
    const r = await pinAuditSeed(d.clients.keeper, { blockNumber: submittedBlock });
    expect(r).to.include({ seed: hash, pinned: true });
    await mine(300);
    expect(await d.disputesRead("auditSeed", [submittedBlock])).to.equal(hash);
  });

  it("changes nothing the second time (idempotent) and still returns the seed", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const { submittedBlock } = d.terms;
    const first = await pinAuditSeed(d.clients.keeper, { blockNumber: submittedBlock });
    const second = await pinAuditSeed(d.clients.stranger, { blockNumber: submittedBlock });
    expect(second).to.include({ seed: first.seed, pinned: false });
  });

  it("throws DisputeAuditSeedUnavailableError once the block's hash is forgotten", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await mine(300);
    const error = await expectRejection(
      pinAuditSeed(d.clients.keeper, { blockNumber: d.terms.submittedBlock }),
      DisputeAuditSeedUnavailableError,
    );
    expect(error.blockNumber).to.equal(d.terms.submittedBlock);
  });

  it("throws DisputeAuditSeedUnavailableError for a block not mined yet", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const future = (await d.publicClient.getBlockNumber()) + 10n;
    await expectRejection(pinAuditSeed(d.clients.keeper, { blockNumber: future }), DisputeAuditSeedUnavailableError);
  });
});
