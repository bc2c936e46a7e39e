import { expect } from "chai";
import { network } from "hardhat";

import { createFixtures } from "./helpers/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });

describe("fixtures", function () {
  it("reach a submitted job", async function () {
    const d = await networkHelpers.loadFixture(fixtures.submittedJob);
    expect(await d.market.jobState(d.jobId)).to.equal(3n);
  });
});
