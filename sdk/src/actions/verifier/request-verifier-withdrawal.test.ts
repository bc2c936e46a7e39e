import { expect } from "chai";
import { network } from "hardhat";

import { PoolBelowMinimumBondError, PoolInsufficientBondError, PoolZeroAmountError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { LOCAL_PARAMETERS, VERIFIER_BOND, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { requestVerifierWithdrawal } from "./request-verifier-withdrawal.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const MINIMUM = LOCAL_PARAMETERS.minStake;

describe("requestVerifierWithdrawal", function () {
  it("takes the amount out of the draw weight at once and sets when it can leave", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const weightBefore = await d.poolRead<bigint>("totalWeight");
    const r = await requestVerifierWithdrawal(d.clients.verifier1, { amount: VERIFIER_BOND - MINIMUM });
    const delay = await d.poolRead<bigint>("withdrawalDelay");
    const { timestamp } = await d.publicClient.getBlock({ blockNumber: r.receipt.blockNumber });
    expect(r).to.include({ amount: VERIFIER_BOND - MINIMUM, bonded: MINIMUM, unlockAt: timestamp + delay });
    expect(weightBefore - (await d.poolRead<bigint>("totalWeight"))).to.equal(VERIFIER_BOND - MINIMUM);
    const member = await d.poolRead<{ pending: bigint }>("memberOf", [d.address.verifier1]);
    expect(member.pending).to.equal(VERIFIER_BOND - MINIMUM);
  });

  it("may take everything out", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const r = await requestVerifierWithdrawal(d.clients.verifier1, { amount: VERIFIER_BOND });
    expect(r.bonded).to.equal(0n);
  });

  it("throws PoolBelowMinimumBondError when what stays is neither zero nor the minimum", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const error = await expectRejection(
      requestVerifierWithdrawal(d.clients.verifier1, { amount: VERIFIER_BOND - MINIMUM + 1n }),
      PoolBelowMinimumBondError,
    );
    expect(error).to.include({ bonded: MINIMUM - 1n, minimum: MINIMUM });
  });

  it("throws PoolInsufficientBondError for more than is bonded", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    const error = await expectRejection(
      requestVerifierWithdrawal(d.clients.verifier1, { amount: VERIFIER_BOND + 1n }),
      PoolInsufficientBondError,
    );
    expect(error).to.include({ bonded: VERIFIER_BOND, requested: VERIFIER_BOND + 1n });
  });

  it("throws PoolZeroAmountError for nothing", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    await expectRejection(requestVerifierWithdrawal(d.clients.verifier1, { amount: 0n }), PoolZeroAmountError);
  });
});
