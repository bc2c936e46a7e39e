/**
 * Every attack of issue 11 ("Sound verification") that the contracts now stop, each as a test
 * that failed on the old design (committees sampled from the live provider registry with
 * rejection sampling and a weight cap, one-step challenges, audits paid from withdrawable fees
 * and a 256-block seed) and passes now. Each block says what the attack was, what it cost, and
 * what it buys now (nothing).
 *
 * Items 6 (bought reputation) and 7 (zero collateral, 1-wei rewards) are not done in the
 * contracts yet and have no tests here.
 */
import { expect } from "chai";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { jobRequest, postedJobIds, submittedTerms } from "../../scripts/lib/jobs.js";
import {
  BOND,
  CHALLENGE_SALT,
  COLLATERAL,
  JobState,
  MIN_BOND,
  Phase,
  SLASH,
  STAKE,
  TOKEN_UNIT,
  challenge,
  challengeCommitment,
  committeeOf,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
  type Challenged,
  type Committee,
  type Drawn,
} from "../disputes/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, time, takeSnapshot, setBalance } = networkHelpers;

const GWEI = 10n ** 9n;
/** Gas fields for transactions sent while automine is off (no estimate against a pending block). */
const tip = (gwei: bigint, gasLimit = 3_000_000n) => ({ gasLimit, maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: gwei * GWEI });

/** Deterministic throw-away accounts with 1 ETH for gas and nothing else. */
async function wallets(label: string, n: number): Promise<Wallet[]> {
  const list = Array.from({ length: n }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`${label} ${i}`)), ethers.provider));
  for (const w of list) await setBalance(w.address, 10n ** 18n);
  return list;
}

/** Sends what `send` sends with automine off, then mines it all in one block. */
async function inOneBlock<T>(send: () => Promise<T>): Promise<T> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    const sent = await send();
    await ethers.provider.send("evm_mine", []);
    return sent;
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
}

/** The committee `drawCommittee` seats after `act`, on a snapshot that is then restored. */
async function committeeAfter(d: Challenged, act: () => Promise<unknown>): Promise<Committee> {
  const snapshot = await takeSnapshot();
  try {
    await act();
    return committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait());
  } finally {
    await snapshot.restore();
  }
}

/** Seats won by `accounts` over `draws` pool draws of `seats` seats (seeds "seed 0", "seed 1", …). */
async function seatsWon(d: Challenged, accounts: string[], draws: number, seats = 3, block?: number) {
  const at = block ?? (await ethers.provider.getBlockNumber());
  const excluded = [d.provider.address, d.challenger.address, d.requester.address] as [string, string, string];
  let won = 0n;
  for (let i = 0; i < draws; i++) {
    const [verifiers, votes] = await d.pool.draw(at, ethers.id(`seed ${i}`), seats, excluded);
    for (const [j, v] of verifiers.entries()) if (accounts.includes(v)) won += votes[j];
  }
  return won;
}

describe("Issue 11: attacks on verification", function () {
  // ------------------------------------------------------------------------------------------
  // (1) Committee draws rigged after the seed is public.
  // Attack (old): the draw read the live registry when `drawCommittee` ran. Once the seed block
  // was mined, the attacker simulated the draw off-chain for k = 0, 1, 2, … extra registrations
  // and sent k throw-away `registerProvider` calls plus `drawCommittee` in one block: with 18% of
  // the stake, 13–17 registrations (~1.2M gas) took 2 of 3 seats. Now the draw reads the pool as
  // it stood at the end of the dispute's block; anything registered or bonded later costs its gas
  // and changes nothing.
  // ------------------------------------------------------------------------------------------
  describe("(1) registrations and bonds after the dispute's block do not change its committee", function () {
    /** A challenged job whose seed block is mined (the seed is public), and 20 funded attacker accounts. */
    async function seedPublic() {
      const d = await fixtures.challenged();
      const attackers = await wallets("attacker", 20);
      for (const a of attackers) {
        await d.token.connect(d.owner).mint(a.address, 10_000n * TOKEN_UNIT);
        await d.token.connect(a).approve(d.poolAddress, ethers.MaxUint256);
      }
      await mine(1);
      const baseline = await committeeAfter(d, async () => {});
      return { ...d, attackers, baseline };
    }

    it("k = 1, 2, 5, 10, 20 throw-away provider registrations after the seed block leave the committee as it was", async function () {
      const d = await loadFixture(seedPublic);
      for (const k of [1, 2, 5, 10, 20]) {
        const committee = await committeeAfter(d, async () => {
          for (const a of d.attackers.slice(0, k)) await d.market.connect(a).registerProvider("", 0n, 1n);
        });
        expect(committee, `after ${k} registrations`).to.deep.equal(d.baseline);
      }
    });

    it("k = 1, 2, 5, 10, 20 fresh bonds of 10,000 tokens each after the seed block leave the committee as it was", async function () {
      const d = await loadFixture(seedPublic);
      for (const k of [1, 2, 5, 10, 20]) {
        const committee = await committeeAfter(d, async () => {
          for (const a of d.attackers.slice(0, k)) await d.pool.connect(a).bond(10_000n * TOKEN_UNIT);
        });
        expect(committee, `after ${k} bonds`).to.deep.equal(d.baseline);
      }
    });

    it("bonds mined in the draw's own block, just before the draw, leave the committee as it was", async function () {
      const d = await loadFixture(seedPublic);
      const [bonds, draw] = await inOneBlock(async () => {
        const sent = [];
        for (const a of d.attackers.slice(0, 10)) sent.push(await d.pool.connect(a).bond(10_000n * TOKEN_UNIT, tip(5n, 1_000_000n)));
        return [sent, await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms, tip(1n))] as const;
      });
      const drawn = (await draw.wait())!;
      for (const bond of bonds) {
        const receipt = (await bond.wait())!;
        expect([receipt.blockNumber, receipt.index < drawn.index]).to.deep.equal([drawn.blockNumber, true]);
      }
      expect(committeeOf(d.disputes, drawn)).to.deep.equal(d.baseline);
    });

    it("an honest verifier's withdrawal after the dispute's block does not take it off the committee", async function () {
      const d = await loadFixture(seedPublic);
      const [seated] = d.baseline.verifiers;
      const verifier = d.verifiers.find((v) => v.address === seated)!;
      const committee = await committeeAfter(d, () => d.pool.connect(verifier).requestWithdrawal(STAKE));
      expect(committee).to.deep.equal(d.baseline);
    });

    it("the pool's weights at the dispute's block stay what they were, whatever is bonded later", async function () {
      const d = await loadFixture(seedPublic);
      const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
      const before = await d.pool.totalWeightAt(snapshotBlock);
      for (const a of d.attackers) await d.pool.connect(a).bond(10_000n * TOKEN_UNIT);
      expect(await d.pool.totalWeightAt(snapshotBlock)).to.equal(before);
      expect(await d.pool.weightAt(d.attackers[0].address, snapshotBlock)).to.equal(0n);
    });
  });

  // ------------------------------------------------------------------------------------------
  // (2) Draws blocked or diluted by empty registrations.
  // Attack (old): rejection sampling with 32 attempts per seat over every registered provider.
  // With 5 staked verifiers, 53–74 registrations without tokens failed both rounds (arbiter,
  // then `voidDispute`: the liar was never slashed); 1,000 cut 3-seat draws with 20 verifiers to
  // 28.5% filled. Cost: ~60k gas per registration, no tokens. Now only bonds of at least the
  // minimum stake weigh anything, and a draw with any eligible weight fills every seat.
  // ------------------------------------------------------------------------------------------
  describe("(2) 1,000 empty registrations neither block nor dilute draws", function () {
    const EMPTY = 1_000;
    const SEEDS = 100;

    /** Five bonded verifiers (plus the three parties), then 1,000 token-less accounts register as providers. */
    async function crowded() {
      const d = await fixtures.submitted();
      for (const v of d.verifiers.slice(5)) await d.pool.connect(v).requestWithdrawal(STAKE);
      const blockBefore = await ethers.provider.getBlockNumber();
      const weightBefore = await d.pool.totalWeight();
      const empty = await wallets("empty", EMPTY);
      const countBefore = await d.market.providerCount();
      const { chainId } = await ethers.provider.getNetwork();
      const to = d.marketAddress;
      const data = d.market.interface.encodeFunctionData("registerProvider", ["", 0n, 1n]);
      const signed = await Promise.all(empty.map((w) => w.signTransaction({ to, data, nonce: 0, chainId, type: 2, ...tip(1n, 200_000n) })));
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        for (const raw of signed) await ethers.provider.send("eth_sendRawTransaction", [raw]);
        while (Number(await ethers.provider.send("eth_getBlockTransactionCountByNumber", ["pending"])) > 0) {
          await ethers.provider.send("evm_mine", []);
        }
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      if ((await d.market.providerCount()) !== countBefore + BigInt(EMPTY)) throw new Error("not every registration landed");
      return { ...d, empty, blockBefore, weightBefore };
    }

    it("an account without tokens cannot join the pool (bond reverts ERC20InsufficientAllowance)", async function () {
      const d = await loadFixture(crowded);
      await expect(d.pool.connect(d.empty[0]).bond(MIN_BOND))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
        .withArgs(d.poolAddress, 0n, MIN_BOND);
    });

    it("the 1,000 registrations add no weight to the pool", async function () {
      const d = await loadFixture(crowded);
      expect(await d.pool.totalWeight()).to.equal(d.weightBefore);
      expect(d.weightBefore).to.equal(8n * STAKE);
    });

    it("a dispute opened after them seats its full first committee (no failed round, no arbiter)", async function () {
      const d = await loadFixture(crowded);
      await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
      await mine(1);
      const committee = committeeOf(d.disputes, await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait());
      expect(committee.votes.reduce((a, b) => a + b, 0n)).to.equal(3n);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect([dispute.phase, dispute.round]).to.deep.equal([Phase.Voting, 0n]);
    });

    it(`every one of ${SEEDS} draws of 3 and of 5 seats fills all its seats with bonded verifiers`, async function () {
      const d = await loadFixture(crowded);
      const block = await ethers.provider.getBlockNumber();
      const bonded = d.verifiers.slice(0, 5).map((v) => v.address);
      const excluded = [d.provider.address, d.challenger.address, d.requester.address] as [string, string, string];
      for (const seats of [3, 5]) {
        for (let i = 0; i < SEEDS; i++) {
          const [verifiers, votes] = await d.pool.draw(block, ethers.id(`seed ${i}`), seats, excluded);
          expect(votes.reduce((a, b) => a + b, 0n)).to.equal(BigInt(seats));
          for (const v of verifiers) expect(bonded).to.include(v);
        }
      }
    });

    it(`the ${SEEDS} draws are exactly those from before the registrations (no dilution)`, async function () {
      const d = await loadFixture(crowded);
      const now = await ethers.provider.getBlockNumber();
      const excluded = [d.provider.address, d.challenger.address, d.requester.address] as [string, string, string];
      for (let i = 0; i < SEEDS; i++) {
        const seed = ethers.id(`seed ${i}`);
        const [after, before] = [await d.pool.draw(now, seed, 3, excluded), await d.pool.draw(d.blockBefore, seed, 3, excluded)];
        expect([[...after[0]], [...after[1]]]).to.deep.equal([[...before[0]], [...before[1]]]);
      }
    });
  });

  // ------------------------------------------------------------------------------------------
  // (3) Splitting stake across accounts.
  // Attack (old): the weight cap bounded each account's weight, so 10,000 tokens in one account
  // captured 0% of draws and the same tokens in ten 1,000-token accounts 25%; 50-token accounts
  // could fill committees. Now draws are exact stake-weighted sampling with replacement: an
  // account's chance per seat is its bond over the eligible bonds, so ten accounts of S/10 win
  // what one account of S wins, and every bond is at least the market's minimum stake.
  // ------------------------------------------------------------------------------------------
  describe("(3) splitting a bond across accounts gains nothing", function () {
    const S = 10_000n * TOKEN_UNIT;
    const HONEST = 7n * STAKE;
    const DRAWS = 300;
    const SEATS = 3;

    async function attackerAccounts(n: number, each: bigint) {
      const d = await fixtures.challenged();
      const accounts = await wallets(`splitter ${n}`, n);
      for (const a of accounts) {
        await d.token.connect(d.owner).mint(a.address, each);
        await d.token.connect(a).approve(d.poolAddress, each);
        await d.pool.connect(a).bond(each);
      }
      await mine(1);
      return { ...d, accounts: accounts.map((a) => a.address), block: await ethers.provider.getBlockNumber() };
    }
    async function oneAccount() {
      return attackerAccounts(1, S);
    }
    async function tenAccounts() {
      return attackerAccounts(10, S / 10n);
    }

    /** Binomial(DRAWS × SEATS, S / (S + HONEST)): mean and standard deviation of the seats won. */
    const n = DRAWS * SEATS;
    const p = Number(S) / Number(S + HONEST);
    const mean = n * p;
    const sd = Math.sqrt(n * p * (1 - p));

    it("ten accounts of S/10 weigh exactly what one account of S weighs (the same expected seats)", async function () {
      const one = await loadFixture(oneAccount);
      const oneWeight = await one.pool.weightAt(one.accounts[0], one.block);
      const oneTotal = await one.pool.totalWeightAt(one.block);
      const ten = await loadFixture(tenAccounts);
      let tenWeight = 0n;
      for (const a of ten.accounts) tenWeight += await ten.pool.weightAt(a, ten.block);
      expect(tenWeight).to.equal(oneWeight);
      expect(await ten.pool.totalWeightAt(ten.block)).to.equal(oneTotal);
    });

    it(`one account of 10,000 tokens wins its stake share of ${n} seats (within 4 standard deviations)`, async function () {
      const d = await loadFixture(oneAccount);
      const won = Number(await seatsWon(d, d.accounts, DRAWS, SEATS, d.block));
      expect(Math.abs(won - mean), `won ${won}, expected ${mean.toFixed(1)} ± ${sd.toFixed(1)}`).to.be.below(4 * sd);
    });

    it(`ten accounts of 1,000 tokens win the same share of ${n} seats (within 4 standard deviations)`, async function () {
      const d = await loadFixture(tenAccounts);
      const won = Number(await seatsWon(d, d.accounts, DRAWS, SEATS, d.block));
      expect(Math.abs(won - mean), `won ${won}, expected ${mean.toFixed(1)} ± ${sd.toFixed(1)}`).to.be.below(4 * sd);
    });

    it("an account below the minimum stake cannot be a verifier (PoolBelowMinimumBond)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const [small] = await wallets("fifty tokens", 1);
      const fifty = 50n * TOKEN_UNIT;
      await d.token.connect(d.owner).mint(small.address, fifty);
      await d.token.connect(small).approve(d.poolAddress, fifty);
      await expect(d.pool.connect(small).bond(fifty))
        .to.be.revertedWithCustomError(d.pool, "PoolBelowMinimumBond")
        .withArgs(small.address, fifty, MIN_BOND);
    });
  });

  // ------------------------------------------------------------------------------------------
  // (4) Challenges copied from the mempool.
  // Attack (old): `challenge(jobId, hash)` showed the hash; a copier with a higher tip took the
  // challenger's reward and the watcher's transaction reverted (a cheating provider could copy
  // with a second account and halve its loss). Cost: one transaction's gas. Now the watcher first
  // commits to keccak256(jobId, hash, challenger, salt) and reveals in a later block: a copy of
  // the reveal from another account matches no commitment, and a copier's own commitment cannot
  // be revealed in the block it was made, so the watcher's reveal always lands first.
  // ------------------------------------------------------------------------------------------
  describe("(4) a challenge copied from the mempool cannot be stolen", function () {
    /** A submitted job with the watcher's (challenger's) commitment made, and a copier with tokens. */
    async function watcherCommitted() {
      const d = await fixtures.submitted();
      const commitment = challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT);
      await d.disputes.connect(d.challenger).commitChallenge(commitment);
      const copier = d.keeper;
      return { ...d, commitment, copier };
    }

    it("the copier replaying the watcher's challenge(...) from its own account reverts DisputeChallengeNotCommitted", async function () {
      const d = await loadFixture(watcherCommitted);
      const copied = challengeCommitment(d.jobId, d.challengerHash, d.copier.address, CHALLENGE_SALT);
      await expect(d.disputes.connect(d.copier).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeChallengeNotCommitted")
        .withArgs(d.jobId, copied);
    });

    it("the copier committing and revealing in one block reverts DisputeChallengeRevealTooEarly", async function () {
      const d = await loadFixture(watcherCommitted);
      const own = challengeCommitment(d.jobId, d.challengerHash, d.copier.address, CHALLENGE_SALT);
      const [commitTx, revealTx] = await inOneBlock(async () => [
        await d.disputes.connect(d.copier).commitChallenge(own, tip(5n)),
        await d.disputes.connect(d.copier).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT, tip(5n)),
      ]);
      const commitBlock = (await commitTx.wait())!.blockNumber;
      await expect(revealTx).to.be.revertedWithCustomError(d.disputes, "DisputeChallengeRevealTooEarly").withArgs(d.jobId, commitBlock);
    });

    it("the watcher's reveal wins the block against a higher-tipping copier's commit and reveal", async function () {
      const d = await loadFixture(watcherCommitted);
      const own = challengeCommitment(d.jobId, d.challengerHash, d.copier.address, CHALLENGE_SALT);
      const [watcherTx, copierCommitTx, copierRevealTx] = await inOneBlock(async () => [
        await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT, tip(1n)),
        await d.disputes.connect(d.copier).commitChallenge(own, tip(50n)),
        await d.disputes.connect(d.copier).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT, tip(50n)),
      ]);
      const commitBlock = (await copierCommitTx.wait())!.blockNumber;
      await expect(copierRevealTx)
        .to.be.revertedWithCustomError(d.disputes, "DisputeChallengeRevealTooEarly")
        .withArgs(d.jobId, commitBlock);
      expect((await watcherTx.wait())!.blockNumber).to.equal(commitBlock);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect([dispute.challenger, dispute.bond]).to.deep.equal([d.challenger.address, BOND]);
    });

    it("a copier front-running the watcher's commitment only commits it for the watcher, who still reveals", async function () {
      const d = await loadFixture(fixtures.submitted);
      const commitment = challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT);
      await d.disputes.connect(d.keeper).commitChallenge(commitment);
      // The watcher's own commitment, sent after the copy, succeeds (a no-op): nothing fails.
      await d.disputes.connect(d.challenger).commitChallenge(commitment);
      await mine();
      await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
      expect((await d.disputes.getDispute(d.jobId)).challenger).to.equal(d.challenger.address);
    });

    it("the provider's second account cannot take the reward: its copy reverts and the watcher challenges", async function () {
      const d = await loadFixture(watcherCommitted);
      const second = d.verifiers[0];
      await expect(d.disputes.connect(second).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT)).to.be.revertedWithCustomError(
        d.disputes,
        "DisputeChallengeNotCommitted",
      );
      await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
      expect((await d.disputes.getDispute(d.jobId)).challenger).to.equal(d.challenger.address);
    });
  });

  // ------------------------------------------------------------------------------------------
  // (5) Audits dodged.
  // Attack (old): `withdrawFees()` was permissionless; a provider whose job the lottery selected
  // emptied the fee pool, `startAudit` reverted (MarketInsufficientFees) and 256 blocks later
  // the seed was unreadable, so the job was finalized and paid. Cost: one transaction. Now only
  // the treasury withdraws fees and never the audit reserve; an audit opens with whatever the
  // reserve holds (even 0); a seed pinned while readable keeps the lottery, and a seed nobody
  // pinned counts as selecting the job, so letting it age out dodges nothing.
  // ------------------------------------------------------------------------------------------
  describe("(5) audits cannot be dodged", function () {
    const JOBS = 200;

    /** 200 submitted jobs after one large job filled the audit reserve and the treasury's fees. */
    async function selectedWithFees() {
      const d = await fixtures.auditable(JOBS, true, 1);
      return { ...d, jobId: d.selected[0], jobTerms: d.terms.get(d.selected[0])! };
    }
    /** 200 submitted jobs and no fee ever paid: the audit reserve is empty. */
    async function selectedWithEmptyReserve() {
      const d = await fixtures.auditable(JOBS, false, 1);
      return { ...d, jobId: d.selected[0], jobTerms: d.terms.get(d.selected[0])! };
    }

    it("the selected provider cannot empty the fees first: withdrawFees reverts GovNotTreasury(provider)", async function () {
      const d = await loadFixture(selectedWithFees);
      await expect(d.market.connect(d.provider).withdrawFees())
        .to.be.revertedWithCustomError(d.market, "GovNotTreasury")
        .withArgs(d.provider.address);
    });

    it("nor can any other account: withdrawFees reverts GovNotTreasury(keeper)", async function () {
      const d = await loadFixture(selectedWithFees);
      await expect(d.market.connect(d.keeper).withdrawFees())
        .to.be.revertedWithCustomError(d.market, "GovNotTreasury")
        .withArgs(d.keeper.address);
    });

    it("the treasury's own withdrawal leaves the audit reserve untouched", async function () {
      const d = await loadFixture(selectedWithFees);
      const reserve = await d.market.auditReserve();
      await d.market.connect(d.treasury).withdrawFees();
      expect(await d.market.accruedFees()).to.equal(0n);
      expect(await d.market.auditReserve()).to.equal(reserve);
      expect(reserve).to.be.greaterThan(0n);
    });

    it("the selected job is still audited, fully funded, after every fee was withdrawn", async function () {
      const d = await loadFixture(selectedWithFees);
      await d.market.connect(d.treasury).withdrawFees();
      await d.disputes.connect(d.keeper).startAudit(d.jobId, d.jobTerms);
      expect((await d.disputes.getDispute(d.jobId)).bond).to.equal(await d.disputes.auditBudget());
    });

    it("startAudit succeeds with an empty reserve: the audit opens with a bond of 0", async function () {
      const d = await loadFixture(selectedWithEmptyReserve);
      expect(await d.market.auditReserve()).to.equal(0n);
      await expect(d.disputes.connect(d.keeper).startAudit(d.jobId, d.jobTerms))
        .to.emit(d.disputes, "DisputeOpened")
        .withArgs(d.jobId, ethers.ZeroAddress, d.provider.address, d.jobTerms.resultHash, ethers.ZeroHash, 0n, (b: bigint) => b > 0n);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
    });

    it("letting the submission block age out unpinned does not dodge: the selected job is still audited", async function () {
      const d = await loadFixture(selectedWithFees);
      await mine(300);
      expect(await d.disputes.auditSeed(d.jobTerms.submittedBlock)).to.equal(ethers.ZeroHash);
      await expect(d.disputes.connect(d.keeper).startAudit(d.jobId, d.jobTerms)).to.emit(d.disputes, "DisputeOpened");
    });

    it("pinAuditSeed keeps the real lottery past 256 blocks: an unselected job stays unselected", async function () {
      const d = await loadFixture(selectedWithFees);
      const jobId = d.unselected[0];
      const terms = d.terms.get(jobId)!;
      await d.disputes.pinAuditSeed(terms.submittedBlock);
      await mine(300);
      await expect(d.disputes.startAudit(jobId, terms))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotSelectedForAudit")
        .withArgs(jobId);
    });

    it("a pinned selected job stays auditable for its whole challenge window, 3,000 blocks later", async function () {
      const d = await loadFixture(selectedWithFees);
      await d.disputes.pinAuditSeed(d.jobTerms.submittedBlock);
      await mine(3_000); // one second apart: still inside the one-hour window
      expect(await d.disputes.isSelectedForAudit(d.jobId, d.jobTerms.submittedBlock)).to.equal(true);
      await expect(d.disputes.connect(d.keeper).startAudit(d.jobId, d.jobTerms)).to.emit(d.disputes, "DisputeOpened");
    });
  });

  // ------------------------------------------------------------------------------------------
  // (8) The smaller items.
  // ------------------------------------------------------------------------------------------
  describe("(8) smaller items", function () {
    /** Three jobs submitted in one batch with a one-second window, the window over. */
    async function threeDue() {
      const d = await fixtures.deployed();
      const request = jobRequest(Number(await time.latest()), { challengeWindow: 1 });
      const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs([request, request, request])).wait());
      const claimTx = await d.market.connect(d.provider).claimJobs(ids);
      const receipt = await (
        await d.market.connect(d.provider).submitResults(
          ids,
          ids.map(() => ethers.id("out")),
          ids.map(() => ""),
        )
      ).wait();
      const terms = submittedTerms(d.market, receipt);
      await time.increase(2);
      return { ...d, ids, terms: ids.map((id) => terms.get(id)!), claimTx };
    }

    // Attack (old): anyone settled one job of a keeper's pending batch first (one cheap
    // transaction) and the whole batch reverted. Now settled jobs are skipped and counted.
    it("finalizeJobs skips a job someone settled first and returns how many it settled", async function () {
      const d = await loadFixture(threeDue);
      await d.market.connect(d.keeper).finalizeJob(d.ids[1], d.terms[1]);
      expect(await d.market.finalizeJobs.staticCall(d.ids, d.terms)).to.equal(2n);
      await d.market.finalizeJobs(d.ids, d.terms);
      for (const id of d.ids) expect(await d.market.jobState(id)).to.equal(JobState.Finalized);
    });

    it("finalizeJobs skips a job whose challenge window is still open", async function () {
      const d = await loadFixture(threeDue);
      const late = await fixtures.submitJob(d);
      expect(await d.market.finalizeJobs.staticCall([...d.ids, late.jobId], [...d.terms, late.terms])).to.equal(3n);
      await d.market.finalizeJobs([...d.ids, late.jobId], [...d.terms, late.terms]);
      expect(await d.market.jobState(late.jobId)).to.equal(JobState.Submitted);
    });

    // Attack (old): 1 wei deposited to the dispute module's ledger account broke the documented
    // `balance == totalHeld()` and was stuck. Now anyone sweeps it to the treasury.
    it("a stray 1-wei deposit to the dispute module's account is swept to the treasury, restoring balance == totalHeld", async function () {
      const d = await loadFixture(fixtures.challenged);
      await d.market.connect(d.keeper).deposit(d.disputesAddress, 1n);
      expect(await d.market.balanceOf(d.disputesAddress)).to.equal((await d.disputes.totalHeld()) + 1n);
      const treasuryBefore = await d.market.balanceOf(d.treasury.address);
      await expect(d.disputes.connect(d.keeper).sweepSurplus()).to.emit(d.disputes, "SurplusSwept").withArgs(d.treasury.address, 1n);
      expect((await d.market.balanceOf(d.treasury.address)) - treasuryBefore).to.equal(1n);
      expect(await d.disputes.totalHeld()).to.equal(BOND);
      await expectSystemSolvent(d);
    });

    it("the module's sweepSurplus with nothing stray reverts DisputeNoSurplus", async function () {
      const d = await loadFixture(fixtures.challenged);
      await expect(d.disputes.sweepSurplus()).to.be.revertedWithCustomError(d.disputes, "DisputeNoSurplus");
    });

    it("a stray 1-wei deposit to the verifier pool's account is swept to the treasury, restoring balance == totalHeld", async function () {
      const d = await loadFixture(fixtures.deployed);
      await d.market.connect(d.keeper).deposit(d.poolAddress, 1n);
      expect(await d.market.balanceOf(d.poolAddress)).to.equal((await d.pool.totalHeld()) + 1n);
      await expect(d.pool.connect(d.keeper).sweepSurplus()).to.emit(d.pool, "SurplusSwept").withArgs(d.treasury.address, 1n);
      expect(await d.pool.totalHeld()).to.equal(10n * STAKE);
      await expectSystemSolvent(d);
    });

    it("the pool's sweepSurplus with nothing stray reverts PoolZeroAmount", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.pool.sweepSurplus()).to.be.revertedWithCustomError(d.pool, "PoolZeroAmount");
    });

    // docs/auditing.md promised stake-lock events for claims and settlements; there were none.
    it("JobClaimed carries the provider's total locked stake after each claim", async function () {
      const d = await loadFixture(threeDue);
      for (const [i, id] of d.ids.entries()) {
        await expect(d.claimTx)
          .to.emit(d.market, "JobClaimed")
          .withArgs(id, d.provider.address, COLLATERAL, (x: bigint) => x > 0n, COLLATERAL * BigInt(i + 1));
      }
    });

    it("JobFinalized carries the provider's total locked stake after the unlock", async function () {
      const d = await loadFixture(threeDue);
      await expect(d.market.finalizeJob(d.ids[0], d.terms[0]))
        .to.emit(d.market, "JobFinalized")
        .withArgs(
          d.ids[0],
          d.provider.address,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
          COLLATERAL,
          2n * COLLATERAL,
        );
    });

    // Old: after `maxRounds` failed rounds the verifiers who revealed got nothing and every
    // slash went to the treasury. Now the slashes wait in the pot for the decision and go to
    // every revealer, of any round, who voted for the outcome (a liar among them gets nothing).
    describe("after every round failed for lack of quorum", function () {
      async function bothRoundsFailed() {
        const d = await fixtures.drawn();
        const treasuryBefore = await d.market.balanceOf(d.treasury.address);
        const revealers: string[] = [];
        const silentAfterFirst = async (round: Drawn) => {
          revealers.push(round.committee.verifiers[0]!);
          await vote(
            d.disputes,
            d.jobId,
            round.seat,
            round.seat.map((_, i) => (i === 0 ? d.providerHash : undefined)),
            time,
          );
          await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
          await d.disputes.resolve(d.jobId, d.terms);
        };
        await silentAfterFirst(d);
        await silentAfterFirst(await fixtures.drawRound(d, distinct));
        const before = await Promise.all(revealers.map((v) => d.market.balanceOf(v)));
        return { ...d, treasuryBefore, revealers, before };
      }

      it("the slashes of both rounds wait in the pot", async function () {
        const d = await loadFixture(bothRoundsFailed);
        expect((await d.disputes.getDispute(d.jobId)).pot).to.equal(6n * SLASH);
      });

      it("the arbiter's decision pays them to the revealers who voted for it, none to the treasury", async function () {
        const d = await loadFixture(bothRoundsFailed);
        expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingArbiter);
        await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, d.terms.resultHash);
        // The same verifier may have revealed in both rounds: count each address once.
        const unique = [...new Set(d.revealers)];
        const before = unique.map((v) => d.before[d.revealers.indexOf(v)]!);
        const paid = await Promise.all(unique.map(async (v, i) => (await d.market.balanceOf(v)) - before[i]!));
        expect(paid.reduce((a, b) => a + b, 0n)).to.equal(6n * SLASH);
        expect(await d.market.balanceOf(d.treasury.address)).to.equal(d.treasuryBefore);
        await expectSystemSolvent(d);
      });
    });
  });

  // ------------------------------------------------------------------------------------------
  // (9) Findings of the review of the first landing (review/issue-11/).
  // Just-in-time stake: the snapshot was the dispute's own block, so a liar warned by a watcher's
  // commitment bonded in the reveal's block and captured 50–98% of committees with 1–9× the
  // honest stake. Now the snapshot is the block before the submission.
  // Commitment squatting: a copy of a watcher's commitment made its commitChallenge revert; now a
  // repeat is a no-op (see (4)).
  // Reserve drain: 13 unpinned minimum-reward self-jobs took 4 tokens of reserve each and sent
  // 2.5 of them to the treasury. Now an audit's unspent budget goes back to the reserve, and an
  // audit forced by an unpinned seed may spend only what its own job paid into the reserve.
  // ------------------------------------------------------------------------------------------
  describe("(9) just-in-time stake and reserve drains", function () {
    const JIT = 10_000_000n * TOKEN_UNIT;

    /** The lie is submitted; the watcher commits (public); the liar's second account bonds 10M tokens; the reveal. */
    async function jitBonded() {
      const d = await fixtures.submitted();
      const [sybil] = await wallets("jit", 1);
      await d.token.connect(d.owner).mint(sybil.address, JIT);
      await d.token.connect(sybil).approve(d.poolAddress, JIT);
      await d.disputes
        .connect(d.challenger)
        .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
      await d.pool.connect(sybil).bond(JIT);
      await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
      return { ...d, sybil };
    }

    it("a bond made after the result was submitted weighs nothing at the dispute's snapshot", async function () {
      const d = await loadFixture(jitBonded);
      const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
      expect(snapshotBlock).to.be.lessThan(d.terms.submittedBlock);
      expect(await d.pool.weightAt(d.sybil.address, snapshotBlock)).to.equal(0n);
    });

    it("so 10M tokens bonded just in time never take a seat, over 20 seeds", async function () {
      const d = await loadFixture(jitBonded);
      for (let i = 0; i < 20; i++) {
        const snapshot = await takeSnapshot();
        await mine(1 + i);
        const receipt = (await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait())!;
        const committee = committeeOf(d.disputes, receipt);
        expect(committee.verifiers).to.not.include(d.sybil.address);
        await snapshot.restore();
      }
    });

    /** One 1,000-token job filled the reserve; then 13 minimum-reward self-jobs, their seed left to age out unpinned. */
    async function tinyJobsAged() {
      const d = await fixtures.deployed();
      const now = async () => Number(await time.latest());
      const big = jobRequest(await now(), { reward: 1_000n * TOKEN_UNIT, collateralPct: 100, challengeWindow: 1 });
      const [bigId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(big)).wait());
      await d.market.connect(d.provider).claimJob(bigId);
      const bigSubmitted = await (await d.market.connect(d.provider).submitResult(bigId, ethers.id("big"), "")).wait();
      await time.increase(2);
      await d.market.finalizeJob(bigId, submittedTerms(d.market, bigSubmitted).get(bigId)!);
      const tiny = jobRequest(await now(), { reward: TOKEN_UNIT / 100n, collateralPct: 100, challengeWindow: 3600 });
      const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(Array(13).fill(tiny))).wait());
      await d.market.connect(d.provider).claimJobs(ids);
      const submitted = await (
        await d.market.connect(d.provider).submitResults(
          ids,
          ids.map(() => ethers.id("tiny")),
          ids.map(() => ""),
        )
      ).wait();
      await mine(257);
      return { ...d, ids, terms: submittedTerms(d.market, submitted) };
    }

    it("13 forced audits of 0.01-token jobs take from the reserve no more than those jobs will pay into it", async function () {
      const d = await loadFixture(tinyJobsAged);
      const before = await d.market.auditReserve();
      const share = TOKEN_UNIT / 100n / 100n / 2n; // 1% fee, half of it to the reserve
      for (const id of d.ids) {
        await expect(d.disputes.connect(d.keeper).startAudit(id, d.terms.get(id)!))
          .to.emit(d.market, "AuditFunded")
          .withArgs(d.disputesAddress, share, (left: bigint) => left > 0n);
      }
      expect(before - (await d.market.auditReserve())).to.equal(13n * share);
      await expectSystemSolvent(d);
    });

    it("a forced audit's unspent budget goes back to the reserve, none to the treasury", async function () {
      const d = await loadFixture(tinyJobsAged);
      const [id] = d.ids;
      const terms = d.terms.get(id)!;
      const treasuryBefore = await d.market.balanceOf(d.treasury.address);
      await d.disputes.connect(d.keeper).startAudit(id, terms);
      await mine(1);
      const committee = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(id, terms)).wait());
      const everyone = [d.requester, d.provider, d.challenger, d.keeper, ...d.verifiers];
      const seats = committee.verifiers.map((a) => everyone.find((s) => s.address === a)!);
      await vote(
        d.disputes,
        id,
        seats,
        seats.map(() => terms.resultHash as string),
      );
      await d.disputes.resolve(id, terms);
      expect(await d.market.balanceOf(d.treasury.address)).to.equal(treasuryBefore);
      await expectSystemSolvent(d);
    });
  });
});
