import { expect } from "chai";
import { network } from "hardhat";

import { RegistryNothingToWithdrawError, RegistryUnbondingNotElapsedError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { LOCAL_PARAMETERS, MINTED, STAKE, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { withdrawUnstaked } from "./withdraw-unstaked.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("withdrawUnstaked", function () {
  async function unbonding() {
    const d = await fixtures.staked();
    await d.marketWrite("provider", "requestUnstake", [400n]);
    return d;
  }

  it("sends the unbonded stake once the period has passed", async function () {
    const d = await loadFixture(unbonding);
    await time.increase(LOCAL_PARAMETERS.unbondingPeriod);
    const r = await withdrawUnstaked(d.clients.provider, { to: d.address.stranger });
    expect(r.amount).to.equal(400n);
    expect(r.to).to.equal(d.address.stranger);
    expect(await d.tokenBalance(d.address.stranger)).to.equal(MINTED + 400n);
    const s = await d.read<{ staked: bigint }>("stakeOf", [d.address.provider]);
    expect(s.staked).to.equal(STAKE - 400n);
  });

  it("throws RegistryUnbondingNotElapsedError with the unlock time before then", async function () {
    const d = await loadFixture(unbonding);
    const u = await d.read<{ unlockAt: number }>("unbondingOf", [d.address.provider]);
    const error = await expectRejection(withdrawUnstaked(d.clients.provider), RegistryUnbondingNotElapsedError);
    expect(error.unlockAt).to.equal(BigInt(u.unlockAt));
  });

  it("throws RegistryNothingToWithdrawError with nothing unbonding", async function () {
    const d = await loadFixture(fixtures.staked);
    const error = await expectRejection(withdrawUnstaked(d.clients.provider2), RegistryNothingToWithdrawError);
    expect(error.provider).to.equal(d.address.provider2);
  });
});
