import { expect } from "chai";
import { network } from "hardhat";

import { JobState } from "../../abi/enums.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { MissingDeploymentAddressError } from "../../deployments.ts";
import {
  DisputeChallengeNotCommittedError,
  DisputeInvalidChallengeHashError,
  DisputeProviderCannotChallengeError,
  ERC20InsufficientBalanceError,
  MarketChallengeWindowClosedError,
  MarketTermsMismatchError,
  MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import {
  CHALLENGER_HASH,
  CHALLENGE_SALT,
  CHALLENGE_WINDOW,
  DISPUTE_PARAMETERS,
  RESULT_HASH,
  createSdkFixtures,
} from "../../../../testkit/fixtures.ts";
import { computeChallengeCommitment } from "../shared/disputes.ts";
import { challengeJob, type ChallengeJobProgress } from "./challenge-job.ts";
import { commitChallenge } from "./commit-challenge.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine, time } = connection.networkHelpers;
const BOND = DISPUTE_PARAMETERS.challengeBond;

type D = Awaited<ReturnType<typeof fixtures.disputableJob>>;
const allowance = (d: D, owner: `0x${string}`) =>
  d.publicClient.readContract({
    address: d.deployment.token!,
    abi: hashworkTokenAbi,
    functionName: "allowance",
    args: [owner, d.deployment.disputes!],
  });
const nonce = (d: D, who: `0x${string}`) => d.publicClient.getTransactionCount({ address: who });
const commitBlockOf = (d: D, commitment: `0x${string}`) => d.disputesRead<bigint>("challengeCommitBlock", [commitment]);
const blockOf = async (d: D, hash: `0x${string}`) => (await d.publicClient.getTransactionReceipt({ hash })).blockNumber;

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

  it("commits first with a random salt and reveals in a later block, consuming the commitment", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const r = await challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH });
    expect(r.salt).to.match(/^0x[0-9a-f]{64}$/);
    expect(r.commitment).to.equal(
      computeChallengeCommitment({ jobId: d.jobId, challengerHash: CHALLENGER_HASH, challenger: d.address.challenger, salt: r.salt }),
    );
    expect((await blockOf(d, r.commitTransactionHash!)) < r.receipt.blockNumber).to.equal(true);
    expect(await commitBlockOf(d, r.commitment)).to.equal(0n); // used up by the reveal
  });

  it("reports its steps to onProgress in order", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const steps: ChallengeJobProgress[] = [];
    const r = await challengeJob(d.clients.challenger, {
      jobId: d.jobId,
      challengerHash: CHALLENGER_HASH,
      onProgress: (s) => steps.push(s),
    });
    expect(steps.map((s) => s.step)).to.deep.equal(["committed", "approved", "revealing"]);
    expect(steps[0]).to.include({ commitment: r.commitment, salt: r.salt, transactionHash: r.commitTransactionHash });
    expect(steps[1]).to.include({ transactionHash: r.approvalTransactionHash });
  });

  it("with a salt, reveals a commitment made earlier and sends no commitment of its own", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const committed = await commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH });
    const sent = await nonce(d, d.address.challenger);
    const r = await challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, salt: committed.salt });
    expect(r).to.include({ commitment: committed.commitment, salt: committed.salt, commitTransactionHash: undefined });
    expect(await nonce(d, d.address.challenger)).to.equal(sent + 2); // the approval and the reveal
    expect(r.dispute.challenger).to.equal(d.address.challenger);
  });

  it("waits for a block after the commitment where the node estimates in the latest block", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    await d.tokenWrite("challenger", "approve", [d.deployment.disputes!, BOND]); // no approval to mine a block
    // Like geth: gas estimated at "latest", where the reveal is still in its commitment's block.
    const publicClient = {
      ...d.publicClient,
      estimateContractGas: (args: Parameters<typeof d.publicClient.estimateContractGas>[0]) =>
        d.publicClient.estimateContractGas({ ...args, blockTag: "latest" } as typeof args),
    } as typeof d.publicClient;
    const steps: string[] = [];
    const miner = setInterval(() => {
      if (steps.includes("waiting")) void mine(1);
    }, 100);
    try {
      const r = await challengeJob(
        { ...d.clients.challenger, publicClient },
        { jobId: d.jobId, challengerHash: CHALLENGER_HASH, onProgress: (s) => steps.push(s.step) },
      );
      expect(steps).to.deep.equal(["committed", "waiting", "revealing"]);
      expect(r.receipt.blockNumber > (await blockOf(d, r.commitTransactionHash!)) + 1n).to.equal(true);
    } finally {
      clearInterval(miner);
    }
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

  it("refuses a salt nobody committed with DisputeChallengeNotCommittedError, before approving", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const error = await expectRejection(
      challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, salt: CHALLENGE_SALT }),
      DisputeChallengeNotCommittedError,
    );
    expect(error.commitment).to.equal(
      computeChallengeCommitment({
        jobId: d.jobId,
        challengerHash: CHALLENGER_HASH,
        challenger: d.address.challenger,
        salt: CHALLENGE_SALT,
      }),
    );
    expect(await nonce(d, d.address.challenger)).to.equal(0);
  });

  it("refuses a nonce without a salt (it sends several transactions) with InvalidParameterError", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const error = await expectRejection(
      challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, nonce: 7 }),
      InvalidParameterError,
    );
    expect(error.message).to.contain("nonce");
  });

  describe("refuses before sending anything (not even the commitment)", function () {
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
      expect(await nonce(d, d.address.challenger)).to.equal(0);
    });

    it("terms that are not the job's, with MarketTermsMismatchError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      await expectRejection(
        challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, terms: { ...d.terms, reward: 1n } }),
        MarketTermsMismatchError,
      );
      expect(await nonce(d, d.address.challenger)).to.equal(0);
    });

    it("after the challenge window, with MarketChallengeWindowClosedError", async function () {
      const d = await loadFixture(fixtures.disputableJob);
      await time.increase(CHALLENGE_WINDOW + 1);
      const error = await expectRejection(
        challengeJob(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH }),
        MarketChallengeWindowClosedError,
      );
      expect(error.challengeEnd).to.equal(d.challengeEnd);
      expect(await nonce(d, d.address.challenger)).to.equal(0);
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
      const bare = await d.deployBareMarket();
      const client = { ...d.clients.challenger, deployment: { chainId: d.deployment.chainId, market: bare } };
      const error = await expectRejection(
        challengeJob(client, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, terms: d.terms }),
        MissingDeploymentAddressError,
      );
      expect(error.field).to.equal("disputes");
    });
  });
});
