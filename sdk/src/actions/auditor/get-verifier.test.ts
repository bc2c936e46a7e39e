import { expect } from "chai";
import { network } from "hardhat";

import { DISPUTE_PARAMETERS, VERIFIERS, VERIFIER_BOND, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { getVerifier } from "./get-verifier.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const TOTAL = BigInt(VERIFIERS.length) * VERIFIER_BOND;

describe("getVerifier", function () {
  it("reads a bonded verifier: its bond is its weight against the pool's total", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    expect(await getVerifier(d.reader, { verifier: d.address.verifier1 })).to.deep.equal({
      bonded: VERIFIER_BOND,
      locked: 0n,
      pending: 0n,
      unlockAt: 0n,
      weight: VERIFIER_BOND,
      totalWeight: TOTAL,
    });
  });

  it("reads zeros for an account that never bonded", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    expect(await getVerifier(d.reader, { verifier: d.address.stranger })).to.deep.include({ bonded: 0n, weight: 0n, totalWeight: TOTAL });
  });

  it("shows a seat's lock, and a requested withdrawal as pending with its unlock time and no weight", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const seat = d.address[d.seats[0]!];
    await d.poolWrite(d.seats[0]!, "requestWithdrawal", [VERIFIER_BOND]);
    const { unlockAt } = await d.poolRead<{ unlockAt: number }>("memberOf", [seat]);
    expect(await getVerifier(d.reader, { verifier: seat })).to.deep.equal({
      bonded: 0n,
      locked: DISPUTE_PARAMETERS.verifierLock,
      pending: VERIFIER_BOND,
      unlockAt: BigInt(unlockAt),
      weight: 0n,
      totalWeight: TOTAL - VERIFIER_BOND,
    });
  });

  it("reads a past block: the weight as it stood then", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const before = await d.publicClient.getBlockNumber();
    await d.poolWrite("verifier1", "requestWithdrawal", [VERIFIER_BOND]);
    const then = await getVerifier(d.reader, { verifier: d.address.verifier1, blockNumber: before });
    expect(then).to.deep.include({ bonded: VERIFIER_BOND, weight: VERIFIER_BOND, totalWeight: TOTAL });
  });
});
