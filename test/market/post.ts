import { expect } from "chai";
import { ZeroAddress, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, MINTED, REWARD, createFixtures, jobRequest, postedJobIds, type JobRequest } from "../helpers/fixtures.js";
import { signPermit as signTokenPermit } from "../helpers/permit.js";
import { JobState, MAX_BATCH, ZERO_BYTES32, collateralOf, jobIdOf, requestTuple } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

type Deployed = Awaited<ReturnType<typeof fixtures.deployed>>;
type Poster = (d: Deployed, request: JobRequest) => Promise<ContractTransactionResponse>;

/** `deployed` plus an outsider holding tokens that never approved the market. */
async function withOutsider() {
  const d = await fixtures.deployed();
  const outsider = (await ethers.getSigners())[7];
  await d.token.connect(d.owner).mint(outsider.address, MINTED);
  return { ...d, outsider };
}

/** An EIP-2612 permit from `owner` to the market. */
function signPermit(d: Deployed, owner: Deployed["requester"], value: bigint, deadline: bigint) {
  return signTokenPermit(ethers, d.token, owner, d.marketAddress, value, deadline);
}

const viaPostJob: Poster = (d, request) => d.market.connect(d.requester).postJob(request);
const viaPostJobs: Poster = (d, request) => d.market.connect(d.requester).postJobs([request]);
// The requester already approved the market, so a garbage permit (ignored) changes nothing.
const viaPostJobWithPermit: Poster = (d, request) =>
  d.market.connect(d.requester).postJobWithPermit(request, 0n, 0n, 0, ZERO_BYTES32, ZERO_BYTES32);

const { minReward, minCollateralPct, maxCollateralPct } = LOCAL_PARAMETERS;

/**
 * The governance minimums of reward and collateral through the other entry points (postJob's are
 * in job-value-bounds.ts).
 */
function checksTheJobValueBounds(post: Poster) {
  describe("when the reward is below the minimum reward", function () {
    it("reverts with MarketRewardTooLow(reward, minReward)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { reward: minReward - 1n });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketRewardTooLow")
        .withArgs(minReward - 1n, minReward);
    });
  });

  describe("when the collateral percentage is outside the governance bounds", function () {
    it("reverts with MarketInvalidCollateral below the minimum", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { collateralPct: minCollateralPct - 1 });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral")
        .withArgs(minCollateralPct - 1, minCollateralPct, maxCollateralPct);
    });

    it("reverts with MarketInvalidCollateral above the maximum", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { collateralPct: maxCollateralPct + 1 });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral")
        .withArgs(maxCollateralPct + 1, minCollateralPct, maxCollateralPct);
    });
  });
}

/** Every check `_post` makes, for each entry point that posts. */
function validatesTheRequest(post: Poster) {
  describe("when the reward is zero", function () {
    it("reverts with MarketZeroReward (checked before the minimum reward)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { reward: 0n });
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketZeroReward");
    });
  });

  describe("when the fuel limit is zero", function () {
    it("reverts with MarketZeroFuel", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { fuelLimit: 0n });
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketZeroFuel");
    });
  });

  describe("when a content hash is zero", function () {
    it("reverts with MarketZeroContentHash for the program hash", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { programHash: ZERO_BYTES32 });
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketZeroContentHash");
    });

    it("reverts with MarketZeroContentHash for the input hash", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { inputHash: ZERO_BYTES32 });
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketZeroContentHash");
    });
  });

  describe("when the claim deadline is not in the future", function () {
    it("reverts with MarketInvalidClaimDeadline for a past deadline", async function () {
      const d = await loadFixture(fixtures.deployed);
      const t = (await d.now()) + 100;
      const request = jobRequest(t, { claimDeadline: t - 10 });
      await time.setNextBlockTimestamp(t);
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidClaimDeadline")
        .withArgs(t - 10, t + 1, t + LOCAL_PARAMETERS.maxClaimDelay);
    });

    it("reverts with MarketInvalidClaimDeadline for a deadline equal to the block time", async function () {
      const d = await loadFixture(fixtures.deployed);
      const t = (await d.now()) + 100;
      const request = jobRequest(t, { claimDeadline: t });
      await time.setNextBlockTimestamp(t);
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidClaimDeadline")
        .withArgs(t, t + 1, t + LOCAL_PARAMETERS.maxClaimDelay);
    });
  });

  describe("when the claim deadline is beyond maxClaimDelay", function () {
    it("reverts with MarketInvalidClaimDeadline", async function () {
      const d = await loadFixture(fixtures.deployed);
      const t = (await d.now()) + 100;
      const latest = t + LOCAL_PARAMETERS.maxClaimDelay;
      const request = jobRequest(t, { claimDeadline: latest + 1 });
      await time.setNextBlockTimestamp(t);
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidClaimDeadline")
        .withArgs(latest + 1, t + 1, latest);
    });

    it("accepts a deadline exactly maxClaimDelay away", async function () {
      const d = await loadFixture(fixtures.deployed);
      const t = (await d.now()) + 100;
      const request = jobRequest(t, { claimDeadline: t + LOCAL_PARAMETERS.maxClaimDelay });
      await time.setNextBlockTimestamp(t);
      await expect(post(d, request)).to.emit(d.market, "JobPosted");
    });
  });

  describe("when the execution time is outside the governance bounds", function () {
    it("reverts with MarketInvalidExecutionTime below the minimum", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { executionTime: 0 });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidExecutionTime")
        .withArgs(0, LOCAL_PARAMETERS.minExecutionTime, LOCAL_PARAMETERS.maxExecutionTime);
    });

    it("reverts with MarketInvalidExecutionTime above the maximum", async function () {
      const d = await loadFixture(fixtures.deployed);
      const tooLong = LOCAL_PARAMETERS.maxExecutionTime + 1;
      const request = jobRequest(await d.now(), { executionTime: tooLong });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidExecutionTime")
        .withArgs(tooLong, LOCAL_PARAMETERS.minExecutionTime, LOCAL_PARAMETERS.maxExecutionTime);
    });
  });

  describe("when the challenge window is outside the governance bounds", function () {
    it("reverts with MarketInvalidChallengeWindow below the minimum", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { challengeWindow: 0 });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidChallengeWindow")
        .withArgs(0, LOCAL_PARAMETERS.minChallengeWindow, LOCAL_PARAMETERS.maxChallengeWindow);
    });

    it("reverts with MarketInvalidChallengeWindow above the maximum", async function () {
      const d = await loadFixture(fixtures.deployed);
      const tooLong = LOCAL_PARAMETERS.maxChallengeWindow + 1;
      const request = jobRequest(await d.now(), { challengeWindow: tooLong });
      await expect(post(d, request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidChallengeWindow")
        .withArgs(tooLong, LOCAL_PARAMETERS.minChallengeWindow, LOCAL_PARAMETERS.maxChallengeWindow);
    });
  });

  describe("when the minimum reputation is above the maximum score", function () {
    it("reverts with MarketInvalidMinReputation", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { minReputation: 10_001 });
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketInvalidMinReputation").withArgs(10_001);
    });

    it("accepts the maximum score itself", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { minReputation: 10_000 });
      await expect(post(d, request)).to.emit(d.market, "JobPosted");
    });
  });

  describe("when the designated provider never registered", function () {
    it("reverts with MarketUnknownProvider", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { designatedProvider: d.stranger.address });
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketUnknownProvider").withArgs(d.stranger.address);
    });
  });

  describe("when the market is paused", function () {
    it("reverts with MarketPaused", async function () {
      const d = await loadFixture(fixtures.deployed);
      await d.market.connect(d.owner).pause();
      const request = jobRequest(await d.now());
      await expect(post(d, request)).to.be.revertedWithCustomError(d.market, "MarketPaused");
    });
  });

  describe("when the request is rejected", function () {
    it("neither moves tokens nor uses a job nonce", async function () {
      const d = await loadFixture(fixtures.deployed);
      const bad = jobRequest(await d.now(), { fuelLimit: 0n });
      await expect(post(d, bad)).to.be.revertedWithCustomError(d.market, "MarketZeroFuel");
      expect(await d.token.balanceOf(d.marketAddress)).to.equal(0n);
      const [id] = postedJobIds(d.market, await (await viaPostJob(d, jobRequest(await d.now()))).wait());
      expect(id).to.equal(jobIdOf(d.requester.address, 0n));
    });
  });
}

describe("HashworkMarket: posting jobs", function () {
  describe("postJob", function () {
    describe("when the requester has no ledger balance", function () {
      it("pulls the whole reward from the requester's allowance", async function () {
        const d = await loadFixture(fixtures.deployed);
        await expect(viaPostJob(d, jobRequest(await d.now()))).to.changeTokenBalances(
          ethers,
          d.token,
          [d.requester, d.market],
          [-REWARD, REWARD],
        );
      });

      it("emits Deposited for the pulled amount", async function () {
        const d = await loadFixture(fixtures.deployed);
        await expect(viaPostJob(d, jobRequest(await d.now())))
          .to.emit(d.market, "Deposited")
          .withArgs(d.requester.address, d.requester.address, REWARD);
      });

      it("leaves the ledger balance at zero and counts the reward as owed", async function () {
        const d = await loadFixture(fixtures.deployed);
        await viaPostJob(d, jobRequest(await d.now()));
        expect(await d.market.balanceOf(d.requester.address)).to.equal(0n);
        expect(await d.market.totalOwed()).to.equal(REWARD);
      });
    });

    describe("when the ledger balance covers the reward", function () {
      async function depositedTwice() {
        const d = await fixtures.deployed();
        await d.market.connect(d.requester).deposit(d.requester.address, 2n * REWARD);
        return d;
      }

      it("moves no tokens", async function () {
        const d = await loadFixture(depositedTwice);
        await expect(viaPostJob(d, jobRequest(await d.now()))).to.changeTokenBalances(ethers, d.token, [d.requester, d.market], [0n, 0n]);
      });

      it("debits the reward from the ledger balance", async function () {
        const d = await loadFixture(depositedTwice);
        await viaPostJob(d, jobRequest(await d.now()));
        expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD);
      });

      it("does not emit Deposited", async function () {
        const d = await loadFixture(depositedTwice);
        await expect(viaPostJob(d, jobRequest(await d.now()))).not.to.emit(d.market, "Deposited");
      });
    });

    describe("when the ledger balance covers part of the reward", function () {
      const PART = 4n * 10n ** 18n;

      async function depositedPart() {
        const d = await fixtures.deployed();
        await d.market.connect(d.requester).deposit(d.requester.address, PART);
        return d;
      }

      it("pulls only the shortfall instead of reverting with VaultInsufficientBalance", async function () {
        const d = await loadFixture(depositedPart);
        await expect(viaPostJob(d, jobRequest(await d.now()))).to.changeTokenBalances(
          ethers,
          d.token,
          [d.requester, d.market],
          [-(REWARD - PART), REWARD - PART],
        );
      });

      it("emits Deposited for the shortfall only", async function () {
        const d = await loadFixture(depositedPart);
        await expect(viaPostJob(d, jobRequest(await d.now())))
          .to.emit(d.market, "Deposited")
          .withArgs(d.requester.address, d.requester.address, REWARD - PART);
      });

      it("spends the whole ledger balance", async function () {
        const d = await loadFixture(depositedPart);
        await viaPostJob(d, jobRequest(await d.now()));
        expect(await d.market.balanceOf(d.requester.address)).to.equal(0n);
      });
    });

    describe("when the shortfall cannot be pulled", function () {
      it("reverts with the token's ERC20InsufficientAllowance when nothing is approved", async function () {
        const d = await loadFixture(withOutsider);
        const request = jobRequest(await d.now());
        await expect(d.market.connect(d.outsider).postJob(request))
          .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
          .withArgs(d.marketAddress, 0n, REWARD);
      });

      it("reverts with the token's ERC20InsufficientBalance when the approved account holds too little", async function () {
        const d = await loadFixture(withOutsider);
        const poor = (await ethers.getSigners())[8];
        await d.token.connect(poor).approve(d.marketAddress, ethers.MaxUint256);
        await expect(d.market.connect(poor).postJob(jobRequest(await d.now())))
          .to.be.revertedWithCustomError(d.token, "ERC20InsufficientBalance")
          .withArgs(poor.address, 0n, REWARD);
      });
    });

    it("emits JobPosted with the job id, the requester and the full request", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now());
      await expect(viaPostJob(d, request))
        .to.emit(d.market, "JobPosted")
        .withArgs(jobIdOf(d.requester.address, 0n), d.requester.address, requestTuple(request));
    });

    describe("job ids", function () {
      it("encode the requester in the top 160 bits and nonce 0 in the low 96", async function () {
        const d = await loadFixture(fixtures.deployed);
        const request = jobRequest(await d.now());
        const id = await d.market.connect(d.requester).postJob.staticCall(request);
        expect(id).to.equal((BigInt(d.requester.address) << 96n) | 0n);
      });

      it("decode back to the requester through requesterOf", async function () {
        const d = await loadFixture(fixtures.deployed);
        const [id] = postedJobIds(d.market, await (await viaPostJob(d, jobRequest(await d.now()))).wait());
        expect(await d.market.requesterOf(id)).to.equal(d.requester.address);
      });

      it("increase the nonce by one per job", async function () {
        const d = await loadFixture(fixtures.deployed);
        const [first] = postedJobIds(d.market, await (await viaPostJob(d, jobRequest(await d.now()))).wait());
        const [second] = postedJobIds(d.market, await (await viaPostJob(d, jobRequest(await d.now()))).wait());
        expect(second).to.equal(first + 1n);
      });

      it("count nonces per requester", async function () {
        const d = await loadFixture(fixtures.deployed);
        await viaPostJob(d, jobRequest(await d.now()));
        const receipt = await (await d.market.connect(d.stranger).postJob(jobRequest(await d.now()))).wait();
        const [id] = postedJobIds(d.market, receipt);
        expect(id).to.equal(jobIdOf(d.stranger.address, 0n));
      });
    });

    describe("getJob of the new job", function () {
      // The smallest reward plus one unit: 150% of it ends in half a unit.
      const reward = minReward + 1n;

      async function postedWithTerms() {
        const d = await fixtures.staked();
        const request = jobRequest(await d.now(), {
          reward,
          collateralPct: 150,
          minReputation: 4_000,
          executionTime: 1_234,
          challengeWindow: 5_678,
          designatedProvider: d.provider2.address,
        });
        const [jobId] = postedJobIds(d.market, await (await viaPostJob(d, request)).wait());
        return { ...d, request, jobId, job: await d.market.getJob(jobId) };
      }

      it("is Open", async function () {
        const { job } = await loadFixture(postedWithTerms);
        expect(job.state).to.equal(JobState.Open);
      });

      it("names the requester", async function () {
        const { job, requester } = await loadFixture(postedWithTerms);
        expect(job.requester).to.equal(requester.address);
      });

      it("holds the claim deadline as its deadline", async function () {
        const { job, request } = await loadFixture(postedWithTerms);
        expect(job.deadline).to.equal(request.claimDeadline);
      });

      it("holds the reward", async function () {
        const { job } = await loadFixture(postedWithTerms);
        expect(job.reward).to.equal(reward);
      });

      it("holds the designated provider", async function () {
        const { job, provider2 } = await loadFixture(postedWithTerms);
        expect(job.provider).to.equal(provider2.address);
      });

      it("holds the collateral percentage and the collateral rounded up", async function () {
        const { job } = await loadFixture(postedWithTerms);
        expect(job.collateralPct).to.equal(150n);
        expect(job.collateral).to.equal((reward * 3n) / 2n + 1n); // x.5 rounded up
        expect(job.collateral).to.equal(collateralOf(reward, 150n));
      });

      it("holds the minimum reputation, execution time and challenge window", async function () {
        const { job } = await loadFixture(postedWithTerms);
        expect(job.minReputation).to.equal(4_000n);
        expect(job.executionTime).to.equal(1_234n);
        expect(job.challengeWindow).to.equal(5_678n);
      });

      it("has no commitment", async function () {
        const { job } = await loadFixture(postedWithTerms);
        expect(job.commitment).to.equal(0n);
      });

      it("shows no provider when none is designated", async function () {
        const d = await loadFixture(fixtures.deployed);
        const [jobId] = postedJobIds(d.market, await (await viaPostJob(d, jobRequest(await d.now()))).wait());
        expect((await d.market.getJob(jobId)).provider).to.equal(ZeroAddress);
      });
    });

    validatesTheRequest(viaPostJob);
  });

  describe("postJobWithPermit", function () {
    it("posts for an account that never approved the market, using the permit", async function () {
      const d = await loadFixture(withOutsider);
      const deadline = BigInt(await d.now()) + 3600n;
      const sig = await signPermit(d, d.outsider, REWARD, deadline);
      const request = jobRequest(await d.now());
      await expect(d.market.connect(d.outsider).postJobWithPermit(request, REWARD, deadline, sig.v, sig.r, sig.s)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.outsider, d.market],
        [-REWARD, REWARD],
      );
    });

    it("emits JobPosted for the permit signer", async function () {
      const d = await loadFixture(withOutsider);
      const deadline = BigInt(await d.now()) + 3600n;
      const sig = await signPermit(d, d.outsider, REWARD, deadline);
      const request = jobRequest(await d.now());
      await expect(d.market.connect(d.outsider).postJobWithPermit(request, REWARD, deadline, sig.v, sig.r, sig.s))
        .to.emit(d.market, "JobPosted")
        .withArgs(jobIdOf(d.outsider.address, 0n), d.outsider.address, requestTuple(request));
    });

    it("consumes the permit: nonce used, allowance spent", async function () {
      const d = await loadFixture(withOutsider);
      const deadline = BigInt(await d.now()) + 3600n;
      const sig = await signPermit(d, d.outsider, REWARD, deadline);
      await d.market.connect(d.outsider).postJobWithPermit(jobRequest(await d.now()), REWARD, deadline, sig.v, sig.r, sig.s);
      expect(await d.token.nonces(d.outsider.address)).to.equal(1n);
      expect(await d.token.allowance(d.outsider.address, d.marketAddress)).to.equal(0n);
    });

    describe("when someone front-ran the permit", function () {
      it("still posts, using the allowance the permit already set", async function () {
        const d = await loadFixture(withOutsider);
        const deadline = BigInt(await d.now()) + 3600n;
        const sig = await signPermit(d, d.outsider, REWARD, deadline);
        await d.token.connect(d.stranger).permit(d.outsider.address, d.marketAddress, REWARD, deadline, sig.v, sig.r, sig.s);
        await expect(
          d.market.connect(d.outsider).postJobWithPermit(jobRequest(await d.now()), REWARD, deadline, sig.v, sig.r, sig.s),
        ).to.emit(d.market, "JobPosted");
      });
    });

    describe("when the permit is invalid and nothing is approved", function () {
      it("ignores the permit and reverts with ERC20InsufficientAllowance", async function () {
        const d = await loadFixture(withOutsider);
        const deadline = BigInt(await d.now()) + 3600n;
        // Signed by someone else: the token rejects it, the market swallows that failure.
        const sig = await signPermit(d, d.stranger, REWARD, deadline);
        await expect(d.market.connect(d.outsider).postJobWithPermit(jobRequest(await d.now()), REWARD, deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
          .withArgs(d.marketAddress, 0n, REWARD);
      });
    });

    validatesTheRequest(viaPostJobWithPermit);
    checksTheJobValueBounds(viaPostJobWithPermit);
  });

  describe("postJobs", function () {
    async function threeRequests(d: Deployed) {
      const now = await d.now();
      return [1n, 2n, 3n].map((k) => jobRequest(now, { reward: k * REWARD }));
    }

    it("returns sequential ids starting at the requester's nonce", async function () {
      const d = await loadFixture(fixtures.deployed);
      await viaPostJob(d, jobRequest(await d.now())); // nonce 0 used
      const ids = await d.market.connect(d.requester).postJobs.staticCall(await threeRequests(d));
      expect(ids).to.deep.equal([1n, 2n, 3n].map((n) => jobIdOf(d.requester.address, n)));
    });

    it("emits one JobPosted per request, in order", async function () {
      const d = await loadFixture(fixtures.deployed);
      const requests = await threeRequests(d);
      const receipt = await (await d.market.connect(d.requester).postJobs(requests)).wait();
      expect(postedJobIds(d.market, receipt)).to.deep.equal([0n, 1n, 2n].map((n) => jobIdOf(d.requester.address, n)));
    });

    it("escrows each reward in its own job", async function () {
      const d = await loadFixture(fixtures.deployed);
      const requests = await threeRequests(d);
      const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(requests)).wait());
      const rewards = await Promise.all(ids.map(async (id) => (await d.market.getJob(id)).reward));
      expect(rewards).to.deep.equal([REWARD, 2n * REWARD, 3n * REWARD]);
    });

    it("pulls the total shortfall in a single transfer", async function () {
      const d = await loadFixture(fixtures.deployed);
      const receipt = await (await d.market.connect(d.requester).postJobs(await threeRequests(d))).wait();
      const transfers = receipt!.logs.map((log) => d.token.interface.parseLog(log)).filter((e) => e?.name === "Transfer");
      expect(transfers).to.have.length(1);
      expect(transfers[0]!.args.value).to.equal(6n * REWARD);
    });

    it("emits one Deposited for the total", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).postJobs(await threeRequests(d)))
        .to.emit(d.market, "Deposited")
        .withArgs(d.requester.address, d.requester.address, 6n * REWARD);
    });

    it("moves the total from the requester to the market", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).postJobs(await threeRequests(d))).to.changeTokenBalances(
        ethers,
        d.token,
        [d.requester, d.market],
        [-6n * REWARD, 6n * REWARD],
      );
    });

    describe("when one request in the batch is invalid", function () {
      it("reverts the whole batch", async function () {
        const d = await loadFixture(fixtures.deployed);
        const requests = await threeRequests(d);
        requests[2] = { ...requests[2], reward: 0n };
        await expect(d.market.connect(d.requester).postJobs(requests)).to.be.revertedWithCustomError(d.market, "MarketZeroReward");
        expect(await d.market.jobState(jobIdOf(d.requester.address, 0n))).to.equal(JobState.None);
      });
    });

    describe("when the batch is empty", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(fixtures.deployed);
        await expect(d.market.connect(d.requester).postJobs([]))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(0n, MAX_BATCH);
      });
    });

    describe("when the batch holds more than MAX_BATCH requests", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(fixtures.deployed);
        const request = jobRequest(await d.now(), { reward: minReward });
        const requests = Array.from({ length: Number(MAX_BATCH) + 1 }, () => request);
        await expect(d.market.connect(d.requester).postJobs(requests))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(MAX_BATCH + 1n, MAX_BATCH);
      });

      it("accepts exactly MAX_BATCH requests", async function () {
        const d = await loadFixture(fixtures.deployed);
        const request = jobRequest(await d.now(), { reward: minReward });
        const requests = Array.from({ length: Number(MAX_BATCH) }, () => request);
        const receipt = await (await d.market.connect(d.requester).postJobs(requests)).wait();
        expect(postedJobIds(d.market, receipt)).to.have.length(Number(MAX_BATCH));
      });
    });

    validatesTheRequest(viaPostJobs);
    checksTheJobValueBounds(viaPostJobs);
  });
});
