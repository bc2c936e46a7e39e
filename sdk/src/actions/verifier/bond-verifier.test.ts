import { expect } from "chai";
import { network } from "hardhat";

import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { ERC20InsufficientBalanceError, PoolBelowMinimumBondError, PoolZeroAmountError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { LOCAL_PARAMETERS, MINTED, VERIFIER_BOND, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { bondVerifier } from "./bond-verifier.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

type D = Awaited<ReturnType<typeof fixtures.deployed>>;
const allowance = (d: D, owner: `0x${string}`) =>
  d.publicClient.readContract({
    address: d.deployment.token!,
    abi: hashworkTokenAbi,
    functionName: "allowance",
    args: [owner, d.deployment.verifierPool!],
  });
const nonce = (d: D, who: `0x${string}`) => d.publicClient.getTransactionCount({ address: who });
const MINIMUM = LOCAL_PARAMETERS.minStake;

describe("bondVerifier", function () {
  it("approves exactly the amount, bonds it in the pool (held in the market's ledger) and returns the bond", async function () {
    const d = await loadFixture(fixtures.deployed);
    const r = await bondVerifier(d.clients.stranger, { amount: VERIFIER_BOND });
    expect(r.bonded).to.equal(VERIFIER_BOND);
    expect(r.approvalTransactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await allowance(d, d.address.stranger)).to.equal(0n); // the approval was used up exactly
    expect(await d.tokenBalance(d.address.stranger)).to.equal(MINTED - VERIFIER_BOND);
    expect(await d.read("balanceOf", [d.deployment.verifierPool!])).to.equal(VERIFIER_BOND);
    expect(await d.poolRead("totalWeight")).to.equal(VERIFIER_BOND);
  });

  it("adds to a bond without an approval when the allowance covers it", async function () {
    const d = await loadFixture(fixtures.verifiersBonded);
    await d.tokenWrite("verifier1", "approve", [d.deployment.verifierPool!, 5n]);
    const r = await bondVerifier(d.clients.verifier1, { amount: 5n });
    expect(r.approvalTransactionHash).to.equal(undefined);
    expect(r.bonded).to.equal(VERIFIER_BOND + 5n);
  });

  it("finds the pool through the dispute module when the deployment does not name it", async function () {
    const d = await loadFixture(fixtures.deployed);
    const { verifierPool: _, ...deployment } = d.deployment;
    const r = await bondVerifier({ ...d.clients.stranger, deployment }, { amount: MINIMUM });
    expect(r.bonded).to.equal(MINIMUM);
  });

  describe("refuses before sending anything", function () {
    it("a first bond below the market's minimum stake, with PoolBelowMinimumBondError", async function () {
      const d = await loadFixture(fixtures.deployed);
      const error = await expectRejection(bondVerifier(d.clients.stranger, { amount: MINIMUM - 1n }), PoolBelowMinimumBondError);
      expect(error).to.include({ verifier: d.address.stranger, bonded: MINIMUM - 1n, minimum: MINIMUM });
      expect(await nonce(d, d.address.stranger)).to.equal(0); // not even the approval
    });

    it("nothing, with PoolZeroAmountError", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expectRejection(bondVerifier(d.clients.stranger, { amount: 0n }), PoolZeroAmountError);
      expect(await nonce(d, d.address.stranger)).to.equal(0);
    });

    it("a wallet short of the amount, with the token's ERC20InsufficientBalanceError", async function () {
      const d = await loadFixture(fixtures.deployed);
      const error = await expectRejection(bondVerifier(d.clients.treasury, { amount: MINIMUM }), ERC20InsufficientBalanceError);
      expect(error).to.include({ balance: 0n, needed: MINIMUM });
      expect(await nonce(d, d.address.treasury)).to.equal(0);
    });
  });
});
