import { expect } from "chai";
import { network } from "hardhat";

import { REWARD, createSdkFixtures, postWithViem } from "../../../../testkit/fixtures.ts";
import { listJobs } from "./list-jobs.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

/** Four jobs by the requester: open, claimed, cancelled, submitted; one open job by the keeper. */
async function market() {
  const d = await fixtures.staked();
  const ids = [];
  for (let i = 0; i < 4; i++) ids.push(await postWithViem(d, { reward: REWARD + BigInt(i) }));
  const [open, claimed, cancelled, submitted] = ids as [bigint, bigint, bigint, bigint];
  await d.marketWrite("provider", "claimJob", [claimed]);
  await d.marketWrite("requester", "cancelJob", [cancelled]);
  await d.marketWrite("provider2", "claimJob", [submitted]);
  await d.marketWrite("provider2", "submitResult", [submitted, `0x${"ab".repeat(32)}`, ""]);
  await d.tokenWrite("keeper", "approve", [d.deployment.market, REWARD]);
  const { request } = (await listJobs(d.reader))[0]!;
  await d.marketWrite("keeper", "postJob", [request]);
  return { ...d, open, claimed, cancelled, submitted };
}

describe("listJobs", function () {
  it("lists every posted job in posting order with its current state and request", async function () {
    const d = await loadFixture(market);
    const jobs = await listJobs(d.reader);
    expect(jobs.map((j) => j.state)).to.deep.equal(["Open", "Claimed", "Cancelled", "Submitted", "Open"]);
    expect(jobs.map((j) => j.jobId).slice(0, 4)).to.deep.equal([d.open, d.claimed, d.cancelled, d.submitted]);
    expect(jobs[1]!.request.reward).to.equal(REWARD + 1n);
    expect(jobs[4]!.requester).to.equal(d.address.keeper);
  });

  it("filters by state", async function () {
    const d = await loadFixture(market);
    const open = await listJobs(d.reader, { states: ["Open"] });
    expect(open.map((j) => j.requester)).to.deep.equal([d.address.requester, d.address.keeper]);
    const running = await listJobs(d.reader, { states: ["Claimed", "Submitted"] });
    expect(running.map((j) => j.jobId)).to.deep.equal([d.claimed, d.submitted]);
  });

  it("filters by requester", async function () {
    const d = await loadFixture(market);
    const jobs = await listJobs(d.reader, { requester: d.address.keeper });
    expect(jobs).to.have.length(1);
    expect(jobs[0]!.state).to.equal("Open");
  });

  it("reads states as of toBlock, and splits long ranges into chunks", async function () {
    const d = await loadFixture(market);
    const jobs = await listJobs(d.reader);
    const atPost = jobs[1]!.postedBlock;
    const then = await listJobs(d.reader, { toBlock: atPost, maxBlockRange: 2n });
    expect(then.map((j) => j.state)).to.deep.equal(["Open", "Open"]);
    const chunked = await listJobs({ ...d.reader, maxLogBlockRange: 1n });
    expect(chunked).to.deep.equal(jobs);
  });
});
