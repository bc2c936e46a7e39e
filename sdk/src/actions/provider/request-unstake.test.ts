import { expect } from "chai";
import { network } from "hardhat";

import { RegistryInsufficientFreeStakeError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { COLLATERAL_PCT, LOCAL_PARAMETERS, REWARD, STAKE, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { requestUnstake } from "./request-unstake.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("requestUnstake", function () {
  it("moves free stake to unbonding and returns when it unlocks", async function () {
    const d = await loadFixture(fixtures.staked);
    const r = await requestUnstake(d.clients.provider, { amount: 100n });
    const block = await d.publicClient.getBlock({ blockNumber: r.receipt.blockNumber });
    expect(r.amount).to.equal(100n);
    expect(r.unlockAt).to.equal(block.timestamp + BigInt(LOCAL_PARAMETERS.unbondingPeriod));
    const unbonding = await d.read<{ amount: bigint }>("unbondingOf", [d.address.provider]);
    expect(unbonding.amount).to.equal(100n);
  });

  it("throws RegistryInsufficientFreeStakeError for stake locked as collateral", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const collateral = (REWARD * BigInt(COLLATERAL_PCT)) / 100n;
    const error = await expectRejection(requestUnstake(d.clients.provider, { amount: STAKE }), RegistryInsufficientFreeStakeError);
    expect(error.provider).to.equal(d.address.provider);
    expect(error.free).to.equal(STAKE - collateral);
    expect(error.needed).to.equal(STAKE);
  });
});
