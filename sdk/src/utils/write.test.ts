import { expect } from "chai";
import { network } from "hardhat";
import { createWalletClient, custom } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { claimJob } from "../actions/provider/claim-job.ts";
import { MarketUnexpectedJobStateError } from "../errors/contract-errors.ts";
import { MissingAccountError, TransactionRevertedError } from "../errors/sdk.ts";
import { expectRejection } from "../../../testkit/assertions.ts";
import { createSdkFixtures } from "../../../testkit/fixtures.ts";
import { sendContractTransaction } from "./write.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

describe("sendContractTransaction", function () {
  it("returns the simulated result, the hash and the successful receipt", async function () {
    const d = await loadFixture(fixtures.openJob);
    const sent = await sendContractTransaction(d.clients.provider, {
      action: "test",
      address: d.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "settleOverdueJobs",
      args: [[d.jobId]],
    });
    expect(sent.result).to.equal(0n); // not overdue yet
    expect(sent.receipt.transactionHash).to.equal(sent.transactionHash);
    expect(sent.receipt.status).to.equal("success");
  });

  it("throws TransactionRevertedError when a transaction that simulated fine reverts on-chain", async function () {
    // Two providers race for one job in the same block: both simulations see it Open; the
    // second transaction (sent with a fixed gas limit, so nothing estimates it against the
    // pending block) is mined after the first and reverts.
    const d = await loadFixture(fixtures.openJob);
    const pendingCount = async () => (await d.publicClient.getBlock({ blockTag: "pending" })).transactions.length;
    const waitForPending = async (n: number) => {
      for (let i = 0; i < 500 && (await pendingCount()) < n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await pendingCount()).to.equal(n);
    };
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    let outcomes: Promise<PromiseSettledResult<unknown>[]>;
    try {
      const first = claimJob(d.clients.provider, { jobId: d.jobId });
      await waitForPending(1);
      const second = claimJob(d.clients.provider2, { jobId: d.jobId, gas: 500_000n });
      outcomes = Promise.allSettled([first, second]);
      await waitForPending(2);
    } finally {
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    await mine();
    const [a, b] = await outcomes;
    expect(a.status).to.equal("fulfilled");
    expect(b.status).to.equal("rejected");
    const error = (b as PromiseRejectedResult).reason as TransactionRevertedError;
    expect(error).to.be.instanceOf(TransactionRevertedError);
    expect(error.receipt.status).to.equal("reverted");
    expect(error.transactionHash).to.equal(error.receipt.transactionHash);
    // Afterwards the loser gets the decoded revert up front, from the simulation.
    await expectRejection(claimJob(d.clients.provider2, { jobId: d.jobId }), MarketUnexpectedJobStateError);
  });

  it("throws MissingAccountError when the wallet client has no account", async function () {
    const d = await loadFixture(fixtures.openJob);
    const walletClient = createWalletClient({ transport: custom(connection.provider) });
    await expectRejection(claimJob({ ...d.reader, walletClient }, { jobId: d.jobId }), MissingAccountError);
  });
});
