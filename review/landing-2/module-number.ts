/**
 * The dispute module's number is 8 bits in the job record. PASSES WHILE THE ATTACK WORKS
 * (a limit rather than an attack).
 *
 * `setDisputeModule` numbers modules 1..255 and refuses the 256th for good: after 254 swaps
 * (including re-installing the same address, and any proposal that installs a module by mistake)
 * governance can never replace the module again, even a broken or compromised one. Nothing frees
 * a number once its disputes are over.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { createDisputeFixtures } from "../../test/disputes/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });

describe("landing review 2: module numbers run out", function () {
  this.timeout(300_000);

  it("after 255 installs the market can never change its dispute module again", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    // The local deployment installed module 1; swapping back and forth between two addresses
    // uses up a number each time.
    const other = (await ethers.getSigners())[15].address;
    let gas = 0n;
    for (let n = 2; n <= 255; n++) {
      gas += (await (await d.market.connect(d.owner).setDisputeModule(n % 2 === 0 ? other : d.disputesAddress)).wait())!.gasUsed;
    }
    expect(await d.market.disputeModule()).to.equal(d.disputesAddress);
    await expect(d.market.connect(d.owner).setDisputeModule(other)).to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds");
    console.log(`      254 swaps (${gas} gas in all); the 256th install reverts for good`);
  });
});
