import { expect } from "chai";
import { network } from "hardhat";

import {
  CHALLENGE_WINDOW,
  LOCAL_PARAMETERS,
  REWARD,
  STAKE,
  VERIFIERS,
  VERIFIER_BOND,
  createSdkFixtures,
} from "../../../../testkit/fixtures.ts";
import { checkSolvency } from "./check-solvency.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("checkSolvency", function () {
  it("balances stakes and escrow exactly against the token balance", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const s = await checkSolvency(d.reader);
    expect(s.token).to.equal(d.deployment.token);
    expect(s.totalOwed).to.equal(2n * STAKE + REWARD);
    expect(s.balance).to.equal(s.totalOwed);
    expect(s).to.deep.include({ surplus: 0n, deficit: 0n, solvent: true, accruedFees: 0n, auditReserve: 0n });
  });

  it("counts the protocol fee as owed after a settlement: half accrued for the treasury, half in the audit reserve", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await time.increase(CHALLENGE_WINDOW + 1);
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, d.terms]);
    const s = await checkSolvency(d.reader);
    const fee = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
    expect(s.auditReserve).to.equal(fee / 2n);
    expect(s.accruedFees).to.equal(fee - fee / 2n);
    expect(s.totalOwed).to.equal(2n * STAKE + REWARD);
    expect(s.solvent).to.equal(true);
  });

  it("checks the dispute module holds exactly its open bonds", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    const s = await checkSolvency(d.reader);
    expect(s.disputes).to.not.equal(undefined);
    expect(s.disputes).to.deep.include({ ledgerBalance: 0n, totalHeld: 0n, tokenBalance: 0n, surplus: 0n, consistent: true });
  });

  it("checks the verifier pool holds exactly its bonds, which the market counts as owed", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const s = await checkSolvency(d.reader);
    const bonds = BigInt(VERIFIERS.length) * VERIFIER_BOND;
    expect(s.verifierPool).to.deep.equal({
      address: d.deployment.verifierPool,
      ledgerBalance: bonds,
      totalHeld: bonds,
      tokenBalance: 0n,
      surplus: 0n,
      consistent: true,
    });
    expect(s.totalOwed).to.equal(2n * STAKE + bonds);
    expect(s.solvent).to.equal(true);
  });

  it("finds the verifier pool through the dispute module when the deployment does not name it", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const s = await checkSolvency({ ...d.reader, deployment: { ...d.deployment, verifierPool: undefined } });
    expect(s.verifierPool?.address).to.equal(d.deployment.verifierPool);
  });

  it("reports a stray deposit to the pool's ledger account as the pool's surplus", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    await d.tokenWrite("stranger", "approve", [d.deployment.market, 5n]);
    await d.marketWrite("stranger", "deposit", [d.deployment.verifierPool!, 5n]);
    const s = await checkSolvency(d.reader);
    expect(s.verifierPool).to.deep.include({ surplus: 5n, consistent: true });
    expect(s.solvent).to.equal(true);
  });

  it("reports tokens sent straight to the market as surplus", async function () {
    const d = await loadFixture(fixtures.staked);
    await d.tokenWrite("stranger", "transfer", [d.deployment.market, 123n]);
    const s = await checkSolvency(d.reader);
    expect(s.surplus).to.equal(123n);
    expect(s.balance - s.totalOwed).to.equal(123n);
  });

  it("reads a past block", async function () {
    const d = await loadFixture(fixtures.deployed);
    const before = await d.publicClient.getBlockNumber();
    await d.tokenWrite("provider", "approve", [d.deployment.market, STAKE]);
    await d.marketWrite("provider", "stake", [STAKE]);
    expect((await checkSolvency(d.reader, { blockNumber: before })).totalOwed).to.equal(0n);
    expect((await checkSolvency(d.reader)).totalOwed).to.equal(STAKE);
  });
});
