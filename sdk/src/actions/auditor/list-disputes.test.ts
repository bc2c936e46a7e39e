import { expect } from "chai";
import { network } from "hardhat";

import {
  CHALLENGER_HASH,
  DISPUTE_PARAMETERS,
  OUTPUT_URI,
  RESULT_HASH,
  challengeWithViem,
  createSdkFixtures,
  postWithViem,
  termsFromReceipt,
} from "../../../../testkit/fixtures.ts";
import { listDisputes } from "./list-disputes.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

/** Two disputes: the fixture's (by the challenger, drawn) and a second job challenged by its requester. */
async function twoDisputes() {
  const d = await fixtures.challengedJob();
  const second = await postWithViem(d);
  await d.marketWrite("provider2", "claimJob", [second]);
  const terms = termsFromReceipt(await d.marketWrite("provider2", "submitResult", [second, RESULT_HASH, OUTPUT_URI])).get(second)!;
  await challengeWithViem(d, "requester", second, terms);
  await mine(1);
  await d.disputesWrite("keeper", "drawCommittee", [d.jobId, d.terms]);
  return { ...d, second };
}

describe("listDisputes", function () {
  it("lists every dispute in opening order with its current phase", async function () {
    const d = await loadFixture(twoDisputes);
    const all = await listDisputes(d.reader);
    expect(all.map((x) => [x.jobId, x.phase, x.round])).to.deep.equal([
      [d.jobId, "Voting", 0],
      [d.second, "AwaitingDraw", 0],
    ]);
    expect(all[0]).to.include({
      challenger: d.address.challenger,
      provider: d.address.provider,
      providerHash: RESULT_HASH,
      challengerHash: CHALLENGER_HASH,
      bond: DISPUTE_PARAMETERS.challengeBond,
      isAudit: false,
    });
    expect(all[1]).to.include({ challenger: d.address.requester, provider: d.address.provider2 });
    expect(all[0]!.openedBlock < all[1]!.openedBlock).to.equal(true);
  });

  it("filters by phase, challenger and provider", async function () {
    const d = await loadFixture(twoDisputes);
    expect((await listDisputes(d.reader, { phases: ["AwaitingDraw"] })).map((x) => x.jobId)).to.deep.equal([d.second]);
    expect((await listDisputes(d.reader, { challenger: d.address.challenger })).map((x) => x.jobId)).to.deep.equal([d.jobId]);
    expect((await listDisputes(d.reader, { provider: d.address.provider2 })).map((x) => x.jobId)).to.deep.equal([d.second]);
    expect(await listDisputes(d.reader, { phases: ["Resolved", "Voided"] })).to.deep.equal([]);
  });

  it("reads the phases as of toBlock", async function () {
    const d = await loadFixture(twoDisputes);
    const before = (await d.publicClient.getBlockNumber()) - 1n; // before the draw
    const then = await listDisputes(d.reader, { toBlock: before });
    expect(then.map((x) => x.phase)).to.deep.equal(["AwaitingDraw", "AwaitingDraw"]);
  });
});
