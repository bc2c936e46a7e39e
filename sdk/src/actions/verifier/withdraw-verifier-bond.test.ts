import { expect } from "chai";
import { network } from "hardhat";

import { PoolNothingToWithdrawError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { DISPUTE_PARAMETERS, VERIFIER_BOND, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { withdrawVerifierBond } from "./withdraw-verifier-bond.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

/** `verifiersBonded` with verifier1's whole bond requested out; `unlockAt` is when it may leave. */
async function requested() {
  const d = await fixtures.verifiersBonded();
  await d.poolWrite("verifier1", "requestWithdrawal", [VERIFIER_BOND]);
  const { unlockAt } = await d.poolRead<{ unlockAt: number }>("memberOf", [d.address.verifier1]);
  return { ...d, unlockAt };
}

describe("withdrawVerifierBond", function () {
  it("sends the pending withdrawal to the verifier's wallet once the delay has passed", async function () {
    const d = await loadFixture(requested);
    await time.increaseTo(d.unlockAt);
    const before = await d.tokenBalance(d.address.verifier1);
    const r = await withdrawVerifierBond(d.clients.verifier1);
    expect(r).to.include({ amount: VERIFIER_BOND, to: d.address.verifier1 });
    expect((await d.tokenBalance(d.address.verifier1)) - before).to.equal(VERIFIER_BOND);
    expect((await d.poolRead<{ pending: bigint }>("memberOf", [d.address.verifier1])).pending).to.equal(0n);
  });

  it("sends to another address", async function () {
    const d = await loadFixture(requested);
    await time.increaseTo(d.unlockAt);
    const r = await withdrawVerifierBond(d.clients.verifier1, { to: d.address.stranger });
    expect(r.to).to.equal(d.address.stranger);
  });

  it("throws PoolNothingToWithdrawError before the delay has passed", async function () {
    const d = await loadFixture(requested);
    const error = await expectRejection(withdrawVerifierBond(d.clients.verifier1), PoolNothingToWithdrawError);
    expect(error).to.include({ verifier: d.address.verifier1, unlockAt: BigInt(d.unlockAt) });
  });

  it("keeps back what a committee seat still holds locked", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const seat = d.seats[0]!;
    await d.poolWrite(seat, "requestWithdrawal", [VERIFIER_BOND]);
    const { unlockAt } = await d.poolRead<{ unlockAt: number }>("memberOf", [d.address[seat]]);
    await time.increaseTo(unlockAt);
    const r = await withdrawVerifierBond(d.clients[seat]);
    expect(r.amount).to.equal(VERIFIER_BOND - DISPUTE_PARAMETERS.verifierLock);
  });

  it("throws PoolNothingToWithdrawError for a verifier that asked for nothing", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    await expectRejection(withdrawVerifierBond(d.clients.verifier2), PoolNothingToWithdrawError);
  });
});
