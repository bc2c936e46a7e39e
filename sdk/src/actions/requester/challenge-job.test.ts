import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, marketConfig } from "../../../../scripts/lib/defaults.ts";
import { JobState } from "../../abi/enums.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { MissingDeploymentAddressError } from "../../deployments.ts";
import {
  DisputeInvalidChallengeHashError,
  DisputeProviderCannotChallengeError,
  ERC20InsufficientBalanceError,
  MarketChallengeWindowClosedError,
  MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import { expectRejection } from "../../test-utils/assertions.ts";
import {
  CHALLENGER_HASH,
  CHALLENGE_WINDOW,
  DISPUTE_PARAMETERS,
  RESULT_HASH,
  createSdkFixtures,
} from "../../test-utils/fixtures.ts";
import { challengeJob } from "./challenge-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;
const BOND = DISPUTE_PARAMETERS.challengeBond;

type D = Awaited<ReturnType<typeof fixtures.disputableJob>>;
const allowance = (d: D, owner: `0x${string}`) =>
  d.publicClient.readContract({ address: d.deployment.token!, abi: hashworkTokenAbi, functionName: "allowance", args: [owner, d.deployment.disputes!] });
const nonce = (d: D, who: `0x${string}`) => d.publicClient.getTransactionCount({ address: who });

describe("challengeJob", function () {
  it("approves exactly the bond, opens the dispute and returns it from DisputeOpened", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const before = await d.tokenBalance(d.address.challenger);
    const { dispute, terms, approvalTransactionHash } = await challengeJob(d.clients.challenger, {
      jobId: d.jobId,
      challengerHash: CHALLENGER_HASH,
    });
    expect(approvalTransactionHash).to.be.a("string");
    expect(before - (await d.tokenBalance(d.address.challenger))).to.equal(BOND);
    expect(await allowance(d, d.address.challenger)).to.equal(0n); // the approval was exactly the bond
    expect(terms).to.deep.equal(d.terms); // recovered from ResultSubmitted
    expect(dispute).to.deep.equal({
      jobId: d.jobId,
      challenger: d.address.challenger,
      provider: d.address.provider,
      providerHash: RESULT_HASH,
      challengerHash: CHALLENGER_HASH,
      bond: BOND,
      seedBlock: (await d.publicClient.getBlockNumber()) + 1n,
    });
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Disputed);
  });

  it("sends no approval when the allowance already covers the bond", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    await d.tokenWrite("challenger", "approve", [d.deployment.disputes!, BOND]);
    const { approvalTransactionHash, receipt } = await challengeJob(d.clients.challenger, {
      jobId: d.jobId,
      challengerHash: CHALLENGER_HASH,
      terms: d.terms,
    });
    expect(approvalTransactionHash).to.equal(undefined);
    expect(receipt.status).to.equal("success");
  });

  it("works from the requester too, and with a market-only deployment (module read from the market)", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const marketOnly = { ...d.deployment, disputes: undefined };
    const client = { ...d.clients.requester, deployment: marketOnly };
    const { dispute } = await challengeJob(client, { jobId: d.jobId, challengerHash: CHALLENGER_HASH });
    expect(dispute.challenger).to.equal(d.address.requester);
    expect(await d.disputesRead("totalHeld")).to.equal(BOND);
  });

  describe("refuses before sending anything", function () {
    it("the provider challenging itself, with DisputeProviderCannotChallengeError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      const sent = await nonce(d, d.address.provider);
      const error = await expectRejection(
        challengeJob(d.clients.provider, { jobId: d.jobId, challengerHash: CHALLENGER_HASH }),
        DisputeProviderCannotChallengeError,
      );
      expect(error.jobId).to.equal(d.jobId);
      expect(await nonce(d, d.address.provider)).to.equal(sent); // not even the approval
      expect(await allowance(d, d.address.provider)).to.equal(0n);
    });

    it("the provider's own hash, with DisputeInvalidChallengeHashError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      const error = await expectRejection(
        challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: RESULT_HASH }),
        DisputeInvalidChallengeHashError,
      );
      expect(error.challengerHash).to.equal(RESULT_HASH);
      expect(await allowance(d, d.address.challenger)).to.equal(0n);
    });

    it("after the challenge window, with MarketChallengeWindowClosedError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      await time.increase(CHALLENGE_WINDOW + 1);
      const error = await expectRejection(
        challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH }),
        MarketChallengeWindowClosedError,
      );
      expect(error.challengeEnd).to.equal(d.challengeEnd);
    });

    it("a second challenge, with MarketUnexpectedJobStateError", async function () {
      const d = await loadFixture(fixtures.challengedJob);
      await expectRejection(
        challengeJob(d.clients.stranger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, terms: d.terms }),
        MarketUnexpectedJobStateError,
      );
    });

    it("a wallet short of the bond, with the token's ERC20InsufficientBalanceError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      // The treasury account holds no tokens.
      const error = await expectRejection(
        challengeJob(d.clients.treasury, { jobId: d.jobId, challengerHash: CHALLENGER_HASH }),
        ERC20InsufficientBalanceError,
      );
      expect(error.balance).to.equal(0n);
      expect(error.needed).to.equal(BOND);
      expect(await nonce(d, d.address.treasury)).to.equal(0);
    });

    it("a market without a dispute module, with MissingDeploymentAddressError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      const bare = await connection.viem.deployContract("HashworkMarket", [
        d.deployment.token!,
        d.address.owner,
        d.address.treasury,
        marketConfig(LOCAL_PARAMETERS),
        LOCAL_PARAMETERS.feeBps,
        LOCAL_PARAMETERS.maxDisputeDuration,
      ]);
      const client = { ...d.clients.challenger, deployment: { chainId: d.deployment.chainId, market: bare.address } };
      const error = await expectRejection(
        challengeJob(client, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, terms: d.terms }),
        MissingDeploymentAddressError,
      );
      expect(error.field).to.equal("disputes");
    });
  });
});
