import { expect } from "chai";
import { network } from "hardhat";
import { zeroAddress } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { JobState } from "../../abi/enums.ts";
import {
  ERC20InsufficientBalanceError,
  MarketInvalidExecutionTimeError,
  MarketPausedError,
  MarketUnknownProviderError,
} from "../../errors/contract-errors.ts";
import { InsufficientFundsError, InvalidParameterError, JobValueOutOfBoundsError, MissingWalletClientError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { LOCAL_PARAMETERS, MINTED, REWARD, TOKEN_UNIT, createSdkFixtures, testJob } from "../../../../testkit/fixtures.ts";
import { encodeJobId } from "../../utils/job-id.ts";
import { postJob } from "./post-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("postJob", function () {
  async function allowanceOf(d: Awaited<ReturnType<typeof fixtures.staked>>) {
    return d.publicClient.readContract({
      address: d.deployment.token!,
      abi: hashworkTokenAbi,
      functionName: "allowance",
      args: [d.address.requester, d.deployment.market],
    });
  }

  describe("paid by approval", function () {
    it("posts the job and returns the id from JobPosted (requester << 96 | nonce)", async function () {
      const d = await loadFixture(fixtures.staked);
      const first = await postJob(d.clients.requester, testJob());
      const second = await postJob(d.clients.requester, testJob());
      expect(first.jobId).to.equal(encodeJobId({ requester: d.address.requester, nonce: 0n }));
      expect(second.jobId).to.equal(encodeJobId({ requester: d.address.requester, nonce: 1n }));
      expect(await d.read("jobState", [first.jobId])).to.equal(JobState.Open);
      expect(first.receipt.status).to.equal("success");
    });

    it("emits the request as given, with defaults filled in", async function () {
      const d = await loadFixture(fixtures.staked);
      const spec = testJob({ collateralPct: undefined, minReputation: undefined, designatedProvider: undefined });
      const { jobId, request, transactionHash } = await postJob(d.clients.requester, spec);
      const [log] = await d.publicClient.getContractEvents({
        address: d.deployment.market,
        abi: hashworkMarketAbi,
        eventName: "JobPosted",
        args: { jobId },
        fromBlock: d.deployment.fromBlock,
      });
      expect(log!.transactionHash).to.equal(transactionHash);
      expect(log!.args.request).to.deep.equal(request);
      expect(request.collateralPct).to.equal(100);
      expect(request.minReputation).to.equal(0);
      expect(request.designatedProvider).to.equal(zeroAddress);
      const now = Number(await d.now());
      expect(request.claimDeadline)
        .to.be.greaterThan(now)
        .and.at.most(now + 3600);
    });

    it("approves exactly the shortfall beyond the ledger balance", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.tokenWrite("requester", "approve", [d.deployment.market, 4n * TOKEN_UNIT]);
      await d.marketWrite("requester", "deposit", [d.address.requester, 4n * TOKEN_UNIT]);
      const { funding } = await postJob(d.clients.requester, testJob());
      expect(funding.fromLedger).to.equal(4n * TOKEN_UNIT);
      expect(funding.pulled).to.equal(REWARD - 4n * TOKEN_UNIT);
      expect(funding.approvalTransactionHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(await allowanceOf(d)).to.equal(0n); // the approval was exactly what was pulled
      expect(await d.tokenBalance(d.address.requester)).to.equal(MINTED - REWARD);
      expect(await d.read("balanceOf", [d.address.requester])).to.equal(0n);
    });

    it("sends no approval when the ledger balance covers the reward", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.tokenWrite("requester", "approve", [d.deployment.market, REWARD]);
      await d.marketWrite("requester", "deposit", [d.address.requester, REWARD]);
      const before = await d.publicClient.getBlockNumber();
      const { funding, receipt } = await postJob(d.clients.requester, testJob());
      expect(funding).to.deep.equal({ fromLedger: REWARD, pulled: 0n });
      expect(receipt.blockNumber).to.equal(before + 1n); // one transaction: the post
    });

    it("sends no approval when the allowance already covers the shortfall", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.tokenWrite("requester", "approve", [d.deployment.market, 3n * REWARD]);
      const { funding } = await postJob(d.clients.requester, testJob());
      expect(funding.approvalTransactionHash).to.equal(undefined);
      expect(await allowanceOf(d)).to.equal(2n * REWARD);
    });
  });

  describe("paid by permit", function () {
    it("posts in one transaction with a permit for exactly the shortfall", async function () {
      const d = await loadFixture(fixtures.staked);
      const before = await d.publicClient.getBlockNumber();
      const { jobId, funding, receipt } = await postJob(d.clients.requester, { ...testJob(), payment: "permit" });
      expect(receipt.blockNumber).to.equal(before + 1n);
      expect(funding.permit?.value).to.equal(REWARD);
      expect(funding.approvalTransactionHash).to.equal(undefined);
      expect(await d.read("jobState", [jobId])).to.equal(JobState.Open);
      expect(await allowanceOf(d)).to.equal(0n);
      const nonce = await d.publicClient.readContract({
        address: d.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "nonces",
        args: [d.address.requester],
      });
      expect(nonce).to.equal(1n); // the permit was used
    });
  });

  describe("when the market refuses", function () {
    it("throws MarketInvalidExecutionTimeError with the governance bounds", async function () {
      const d = await loadFixture(fixtures.staked);
      const before = await allowanceOf(d);
      const error = await expectRejection(
        postJob(d.clients.requester, testJob({ executionTime: LOCAL_PARAMETERS.maxExecutionTime + 1 })),
        MarketInvalidExecutionTimeError,
      );
      // Checked before the approve (the market checks it only after pulling the payment).
      expect(await allowanceOf(d)).to.equal(before);
      expect(error.executionTime).to.equal(BigInt(LOCAL_PARAMETERS.maxExecutionTime + 1));
      expect(error.min).to.equal(BigInt(LOCAL_PARAMETERS.minExecutionTime));
      expect(error.max).to.equal(BigInt(LOCAL_PARAMETERS.maxExecutionTime));
      expect(error.contractAddress?.toLowerCase()).to.equal(d.deployment.market.toLowerCase());
    });

    it("throws MarketUnknownProviderError for an unregistered designated provider", async function () {
      const d = await loadFixture(fixtures.staked);
      const before = await allowanceOf(d);
      const error = await expectRejection(
        postJob(d.clients.requester, testJob({ designatedProvider: d.address.stranger })),
        MarketUnknownProviderError,
      );
      expect(error.provider).to.equal(d.address.stranger);
      expect(await allowanceOf(d)).to.equal(before);
    });

    it("throws MarketPausedError while governance has paused new posts", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.marketWrite("owner", "pause", []);
      const before = await allowanceOf(d);
      await expectRejection(postJob(d.clients.requester, testJob()), MarketPausedError);
      // Found by a dry run before the approve: no stray allowance.
      expect(await allowanceOf(d)).to.equal(before);
    });

    it("says what the wallet has and needs (InsufficientFundsError) when it cannot pay, before any approve", async function () {
      const d = await loadFixture(fixtures.staked);
      const reward = MINTED + 1n;
      const before = await allowanceOf(d);
      const error = await expectRejection(postJob(d.clients.requester, testJob({ reward })), InsufficientFundsError);
      expect(error.payer.toLowerCase()).to.equal(d.address.requester.toLowerCase());
      expect(error.available).to.equal(MINTED);
      expect(error.needed).to.equal(reward);
      expect(await allowanceOf(d)).to.equal(before);
    });

    it("leaves it to the token's ERC20InsufficientBalance with preflight: false", async function () {
      const d = await loadFixture(fixtures.staked);
      const reward = MINTED + 1n;
      const error = await expectRejection(
        postJob(d.clients.requester, { ...testJob({ reward }), preflight: false }),
        ERC20InsufficientBalanceError,
      );
      expect(error.needed).to.equal(reward);
    });
  });

  describe("the market's value bounds", function () {
    it("posts a reward of exactly the market's minimum", async function () {
      const d = await loadFixture(fixtures.staked);
      const { jobId } = await postJob(d.clients.requester, testJob({ reward: LOCAL_PARAMETERS.minReward }));
      expect(await d.read("jobState", [jobId])).to.equal(JobState.Open);
    });

    it("posts collateral at the lowest and the highest percentage allowed", async function () {
      const d = await loadFixture(fixtures.staked);
      const low = await postJob(d.clients.requester, testJob({ collateralPct: LOCAL_PARAMETERS.minCollateralPct }));
      const high = await postJob(d.clients.requester, testJob({ collateralPct: LOCAL_PARAMETERS.maxCollateralPct }));
      expect(low.request.collateralPct).to.equal(100);
      expect(high.request.collateralPct).to.equal(300);
    });

    it("refuses a reward below the market's minimum, naming it and the minimum, with nothing sent", async function () {
      const d = await loadFixture(fixtures.staked);
      const before = await d.publicClient.getBlockNumber();
      const reward = LOCAL_PARAMETERS.minReward - 1n;
      const error = await expectRejection(postJob(d.clients.requester, testJob({ reward })), JobValueOutOfBoundsError);
      expect(error).to.include({ parameter: "job.reward", field: "reward", value: reward, minimum: LOCAL_PARAMETERS.minReward });
      expect(error.shortMessage).to.contain("raise the reward");
      expect(await d.publicClient.getBlockNumber()).to.equal(before); // not even the approval
    });

    it("refuses a zero reward as below the minimum", async function () {
      const d = await loadFixture(fixtures.staked);
      const error = await expectRejection(postJob(d.clients.requester, testJob({ reward: 0n })), JobValueOutOfBoundsError);
      expect(error.field).to.equal("reward");
    });

    it("refuses collateral below the lowest percentage allowed, naming the range", async function () {
      const d = await loadFixture(fixtures.staked);
      const before = await d.publicClient.getBlockNumber();
      const error = await expectRejection(postJob(d.clients.requester, testJob({ collateralPct: 99 })), JobValueOutOfBoundsError);
      expect(error).to.include({ parameter: "job.collateralPct", field: "collateralPct", value: 99n, minimum: 100n, maximum: 300n });
      expect(error.shortMessage).to.contain("set collateralPct between 100 and 300");
      expect(await d.publicClient.getBlockNumber()).to.equal(before);
    });

    it("refuses collateral above the highest percentage allowed", async function () {
      const d = await loadFixture(fixtures.staked);
      const error = await expectRejection(postJob(d.clients.requester, testJob({ collateralPct: 301 })), JobValueOutOfBoundsError);
      expect(error).to.include({ field: "collateralPct", value: 301n });
    });

    it("refuses zero collateral", async function () {
      const d = await loadFixture(fixtures.staked);
      const error = await expectRejection(postJob(d.clients.requester, testJob({ collateralPct: 0 })), JobValueOutOfBoundsError);
      expect(error.field).to.equal("collateralPct");
    });

    it("checks the bounds governance set last, not the defaults", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.marketWrite("owner", "setJobValueBounds", [2n * REWARD, 200, 250]);
      const error = await expectRejection(
        postJob(d.clients.requester, testJob({ reward: REWARD, collateralPct: 220 })),
        JobValueOutOfBoundsError,
      );
      expect(error).to.include({ field: "reward", minimum: 2n * REWARD });
    });

    it("checks the default collateral too when the market's minimum is above it", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.marketWrite("owner", "setJobValueBounds", [LOCAL_PARAMETERS.minReward, 150, 300]);
      const error = await expectRejection(postJob(d.clients.requester, testJob({ collateralPct: undefined })), JobValueOutOfBoundsError);
      expect(error).to.include({ field: "collateralPct", value: 100n, minimum: 150n });
    });
  });

  describe("before sending anything", function () {
    it("throws InvalidParameterError for a value that does not fit its field", async function () {
      const d = await loadFixture(fixtures.staked);
      const error = await expectRejection(postJob(d.clients.requester, testJob({ executionTime: 2 ** 24 })), InvalidParameterError);
      expect(error.parameter).to.equal("job.executionTime");
    });

    it("throws MissingWalletClientError on a read-only client", async function () {
      const d = await loadFixture(fixtures.staked);
      await expectRejection(postJob(d.reader, testJob()), MissingWalletClientError);
    });
  });
});
