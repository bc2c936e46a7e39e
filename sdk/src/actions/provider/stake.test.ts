import { expect } from "chai";
import { network } from "hardhat";

import { VaultZeroAmountError } from "../../errors/contract-errors.ts";
import { InsufficientFundsError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { MINTED, STAKE, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { stake } from "./stake.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("stake", function () {
  it("registers a new provider, approves and stakes", async function () {
    const d = await loadFixture(fixtures.deployed);
    const r = await stake(d.clients.stranger, { amount: STAKE });
    expect(r.registered).to.equal(true);
    expect(r.providerId).to.equal(1);
    expect(r.totalStaked).to.equal(STAKE);
    expect(r.approvalTransactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await d.read("providerIdOf", [d.address.stranger])).to.equal(1);
    expect(await d.tokenBalance(d.address.stranger)).to.equal(MINTED - STAKE);
  });

  it("adds to an existing stake with a permit, in one transaction", async function () {
    const d = await loadFixture(fixtures.staked);
    const before = await d.publicClient.getBlockNumber();
    const r = await stake(d.clients.provider, { amount: 5n, payment: "permit" });
    expect(r.receipt.blockNumber).to.equal(before + 1n);
    expect(r.registered).to.equal(false);
    expect(r.providerId).to.equal(1);
    expect(r.totalStaked).to.equal(STAKE + 5n);
  });

  it("throws VaultZeroAmountError for nothing", async function () {
    const d = await loadFixture(fixtures.deployed);
    await expectRejection(stake(d.clients.stranger, { amount: 0n }), VaultZeroAmountError);
  });

  it("throws InsufficientFundsError (you have X, need Y) when the wallet is short, before any approve", async function () {
    const d = await loadFixture(fixtures.deployed);
    const block = await d.publicClient.getBlockNumber();
    const error = await expectRejection(stake(d.clients.stranger, { amount: MINTED + 1n }), InsufficientFundsError);
    expect(error).to.include({ available: MINTED, needed: MINTED + 1n, action: "stake" });
    expect(await d.publicClient.getBlockNumber()).to.equal(block);
  });
});
