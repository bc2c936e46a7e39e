import { expect } from "chai";
import { network } from "hardhat";

import { VaultInsufficientBalanceError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { MINTED, REWARD, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { depositToLedger } from "./deposit-to-ledger.ts";
import { withdrawFromLedger } from "./withdraw-from-ledger.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("withdrawFromLedger", function () {
  it("withdraws the whole balance by default", async function () {
    const d = await loadFixture(fixtures.deployed);
    await depositToLedger(d.clients.requester, { amount: 3n * REWARD });
    const r = await withdrawFromLedger(d.clients.requester);
    expect(r.amount).to.equal(3n * REWARD);
    expect(r.to).to.equal(d.address.requester);
    expect(await d.tokenBalance(d.address.requester)).to.equal(MINTED);
  });

  it("sends part of the balance to another address", async function () {
    const d = await loadFixture(fixtures.deployed);
    await depositToLedger(d.clients.requester, { amount: 3n * REWARD });
    await withdrawFromLedger(d.clients.requester, { amount: REWARD, to: d.address.stranger });
    expect(await d.tokenBalance(d.address.stranger)).to.equal(MINTED + REWARD);
    expect(await d.read("balanceOf", [d.address.requester])).to.equal(2n * REWARD);
  });

  it("throws VaultInsufficientBalanceError with the balance and the amount asked", async function () {
    const d = await loadFixture(fixtures.deployed);
    await depositToLedger(d.clients.requester, { amount: REWARD });
    const error = await expectRejection(withdrawFromLedger(d.clients.requester, { amount: 2n * REWARD }), VaultInsufficientBalanceError);
    expect(error.account).to.equal(d.address.requester);
    expect(error.balance).to.equal(REWARD);
    expect(error.needed).to.equal(2n * REWARD);
  });
});
