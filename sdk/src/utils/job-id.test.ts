import { expect } from "chai";
import { network } from "hardhat";

import { InvalidParameterError } from "../errors/sdk.ts";
import { postJob } from "../actions/requester/post-job.ts";
import { createSdkFixtures, testJob } from "../../../testkit/fixtures.ts";
import { decodeJobId, encodeJobId } from "./job-id.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const REQUESTER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("job ids", function () {
  it("put the requester above bit 96 and the nonce below", function () {
    const id = encodeJobId({ requester: REQUESTER, nonce: 5n });
    expect(id).to.equal((BigInt(REQUESTER) << 96n) | 5n);
    expect(decodeJobId(id)).to.deep.equal({ requester: REQUESTER, nonce: 5n });
  });

  it("round-trip the extremes", function () {
    const max = (1n << 64n) - 1n;
    const zero = "0x0000000000000000000000000000000000000000";
    expect(decodeJobId(encodeJobId({ requester: zero, nonce: 0 }))).to.deep.equal({ requester: zero, nonce: 0n });
    expect(decodeJobId(encodeJobId({ requester: REQUESTER, nonce: max })).nonce).to.equal(max);
  });

  it("agree with the market's ids and requesterOf", async function () {
    const d = await loadFixture(fixtures.staked);
    await postJob(d.clients.requester, testJob());
    const { jobId } = await postJob(d.clients.requester, testJob());
    expect(jobId).to.equal(encodeJobId({ requester: d.address.requester, nonce: 1n }));
    expect(await d.read("requesterOf", [jobId])).to.equal(decodeJobId(jobId).requester);
  });

  it("refuse values that are not job ids", function () {
    expect(() => encodeJobId({ requester: REQUESTER, nonce: 1n << 64n })).to.throw(InvalidParameterError);
    expect(() => encodeJobId({ requester: REQUESTER, nonce: -1n })).to.throw(InvalidParameterError);
    expect(() => decodeJobId(1n << 256n)).to.throw(InvalidParameterError);
    expect(() => decodeJobId(1n << 80n)).to.throw(InvalidParameterError); // nonce bits 64–95 are never set
    expect(() => decodeJobId(-1n)).to.throw(InvalidParameterError);
  });
});
