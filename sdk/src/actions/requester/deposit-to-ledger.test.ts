import { expect } from "chai";
import { network } from "hardhat";

import { VaultZeroAmountError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { MINTED, REWARD, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { depositToLedger } from "./deposit-to-ledger.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("depositToLedger", function () {
  it("approves the amount, deposits it and returns the new ledger balance", async function () {
    const d = await loadFixture(fixtures.deployed);
    const r = await depositToLedger(d.clients.requester, { amount: REWARD });
    expect(r.balance).to.equal(REWARD);
    expect(r.approvalTransactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await d.tokenBalance(d.address.requester)).to.equal(MINTED - REWARD);
  });

  it("deposits with a permit in one transaction, crediting another account", async function () {
    const d = await loadFixture(fixtures.deployed);
    const before = await d.publicClient.getBlockNumber();
    const r = await depositToLedger(d.clients.requester, { amount: REWARD, to: d.address.keeper, payment: "permit" });
    expect(r.receipt.blockNumber).to.equal(before + 1n);
    expect(r.balance).to.equal(REWARD);
    expect(await d.read("balanceOf", [d.address.keeper])).to.equal(REWARD);
    expect(await d.read("balanceOf", [d.address.requester])).to.equal(0n);
  });

  it("throws VaultZeroAmountError for a zero deposit", async function () {
    const d = await loadFixture(fixtures.deployed);
    await expectRejection(depositToLedger(d.clients.requester, { amount: 0n }), VaultZeroAmountError);
  });
});
