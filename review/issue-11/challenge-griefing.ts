/**
 * Review: the two-step challenge (commitChallenge, then challenge in a later block).
 *
 * A. Commitment squatting. `commitChallenge(bytes32)` is not bound to its sender and reverts
 *    on a commitment that exists. Anyone who sees a watcher's commitChallenge in the mempool can
 *    send the same 32 bytes with a higher tip: the watcher's transaction reverts
 *    DisputeChallengeAlreadyCommitted. On chain the commitment still counts for the watcher
 *    (it is bound to the challenger inside the hash), but the SDK's commitChallenge throws and
 *    the daemon's watcher (sdk/src/daemon/roles/watcher.ts, step 1) only reveals after its own
 *    `challenge-commit` intent is "confirmed": a mined revert is final ("challenge commitment
 *    reverted; cannot challenge this job"), a refused simulation is "failed" and retried with
 *    the same journaled salt, which fails again. So a lying provider stops every daemon watcher
 *    for ~46k gas per challenge attempt.
 *
 * B. Self-challenge by pre-commitment (documented in docs/economics.md, "A cheater may challenge
 *    itself"): confirmed and measured here.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  BOND,
  CHALLENGE_SALT,
  COLLATERAL,
  Role,
  challengeCommitment,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
} from "../../test/disputes/fixtures.js";
import { inOneBlock, tip } from "./_helpers.js";

import { commitChallenge } from "../../sdk/src/actions/requester/commit-challenge.ts";
import { DisputeChallengeAlreadyCommittedError } from "../../sdk/src/errors/contract-errors.ts";
import { expectRejection } from "../../testkit/assertions.ts";
import { CHALLENGER_HASH, CHALLENGE_SALT as SDK_SALT, challengeCommitmentWithViem, createSdkFixtures } from "../../testkit/fixtures.ts";

const connection = await network.create();
const { ethers, networkHelpers, ignition } = connection;
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const sdkFixtures = createSdkFixtures(connection);
const { loadFixture, mine } = networkHelpers;

describe("Review: challenge commitments", function () {
  describe("A. squatting a watcher's commitment", function () {
    it("a copier sending the watcher's commitment bytes with a higher tip makes the watcher's commitChallenge revert DisputeChallengeAlreadyCommitted", async function () {
      const d = await loadFixture(fixtures.submitted);
      const watcher = d.challenger;
      const copier = d.keeper; // any account: the provider's second key, say
      const commitment = challengeCommitment(d.jobId, d.challengerHash, watcher.address, CHALLENGE_SALT);
      const [watcherTx, copierTx] = await inOneBlock(ethers, async () => [
        await d.disputes.connect(watcher).commitChallenge(commitment, tip(1n, 200_000n)),
        await d.disputes.connect(copier).commitChallenge(commitment, tip(50n, 200_000n)),
      ]);
      const copied = (await copierTx.wait())!;
      console.log(`      copier's commitChallenge: ${copied.gasUsed} gas`);
      expect(copied.status).to.equal(1);
      await expect(watcherTx).to.be.revertedWithCustomError(d.disputes, "DisputeChallengeAlreadyCommitted").withArgs(commitment);
    });

    it("the SDK's commitChallenge with the watcher's journaled salt throws DisputeChallengeAlreadyCommittedError once a copier committed the same bytes (the daemon's watcher never reaches its reveal)", async function () {
      const d = await loadFixture(sdkFixtures.disputableJob);
      const commitment = challengeCommitmentWithViem(d.jobId, CHALLENGER_HASH, d.address.challenger, SDK_SALT);
      await d.disputesWrite("stranger", "commitChallenge", [commitment]);
      await expectRejection(
        commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, salt: SDK_SALT }),
        DisputeChallengeAlreadyCommittedError,
      );
    });
  });

  describe("B. the lying provider's pre-committed self-challenge", function () {
    /**
     * The provider submits a wrong hash; its second account (`sybil`) committed a challenge naming
     * the right hash before the job was even submitted. A watcher commits; the sybil reveals in the
     * same block (it read the watcher's commit in the mempool, or just reacts to ChallengeCommitted).
     */
    async function selfChallenged() {
      const d = await fixtures.submitted(); // provider submitted id("provider"): the lie; id("challenger") is right
      const sybil = d.verifiers[6];
      const watcher = d.challenger;
      await d.disputes.connect(sybil).commitChallenge(challengeCommitment(d.jobId, d.challengerHash, sybil.address, CHALLENGE_SALT));
      await mine(1);
      await inOneBlock(ethers, async () => [
        await d.disputes
          .connect(watcher)
          .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, watcher.address, CHALLENGE_SALT), tip(1n, 200_000n)),
        await d.disputes.connect(sybil).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT, tip(2n, 1_000_000n)),
      ]);
      return { ...d, sybil, watcher };
    }

    it("the watcher's reveal in the next block reverts: the job is already disputed by the provider's sybil", async function () {
      const d = await loadFixture(selfChallenged);
      expect((await d.disputes.getDispute(d.jobId)).challenger).to.equal(d.sybil.address);
      await expect(
        d.disputes.connect(d.watcher).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT),
      ).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    });

    it("after an honest committee, the sybil gets the bond back plus half the collateral after verifier pay: the liar loses 8.25 of its 15 tokens and the watcher nothing", async function () {
      const d = await loadFixture(selfChallenged);
      const drawn = await fixtures.drawRound(d, distinct);
      const seats = drawn.seat;
      await vote(
        d.disputes,
        d.jobId,
        seats,
        seats.map(() => d.challengerHash),
      );
      const rx = await (await d.disputes.resolve(d.jobId, d.terms)).wait();
      let toSybil = 0n;
      for (const log of rx!.logs) {
        const p = d.disputes.interface.parseLog(log);
        if (p?.name === "DisputePayout" && p.args.to === d.sybil.address && p.args.role === Role.Challenger) toSybil += p.args.amount;
      }
      const recovered = toSybil - BOND;
      console.log(`      collateral ${COLLATERAL}, recovered by the provider's sybil ${recovered}, net loss ${COLLATERAL - recovered}`);
      expect(recovered).to.equal((COLLATERAL - 3n * (10n ** 18n / 2n)) / 2n);
      await expectSystemSolvent(d);
    });
  });
});
