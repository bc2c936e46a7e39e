/**
 * Whole disputes driven through the SDK's client only (challenge → draw → commit → reveal →
 * resolve), for both outcomes, checked against the ledger balances the economics promise.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, type Address, type Hex } from "viem";

import { createHashworkClient, type HashworkClient } from "../client.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import {
  CHALLENGER_HASH,
  COLLATERAL_PCT,
  DISPUTE_PARAMETERS,
  FUEL_USED,
  LOCAL_PARAMETERS,
  OUTPUT,
  OUTPUT_URI,
  RESULT_HASH,
  REWARD,
  VERIFIERS,
  createSdkFixtures,
  testJob,
} from "../../../testkit/fixtures.ts";
import type { HashworkWalletClient } from "../utils/client.ts";
import type { VoteSecret } from "./verifier/commit-vote.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

const BOND = DISPUTE_PARAMETERS.challengeBond;
const FEE = DISPUTE_PARAMETERS.verifierFee;
const COLLATERAL = (REWARD * BigInt(COLLATERAL_PCT) + 99n) / 100n;

type Fixture = Awaited<ReturnType<typeof fixtures.verifiersBonded>>;
type Actor = keyof Fixture["wallet"];

/** A job posted, claimed and submitted, then challenged, all through Hashwork clients. */
async function challengedThroughSdk() {
  const d = await fixtures.verifiersBonded();
  const client = (who: Actor): HashworkClient =>
    createHashworkClient({ publicClient: d.publicClient, walletClient: d.wallet[who] as HashworkWalletClient, deployment: d.deployment });
  const { jobId } = await client("requester").postJob(testJob());
  await client("provider").claimJob({ jobId });
  await client("provider").submitResult({
    jobId,
    outcome: { outputHash: keccak256(OUTPUT), fuelUsed: FUEL_USED, status: ExecutionStatus.Ok },
    outputURI: OUTPUT_URI,
    publishOutcome: false,
  });
  const tokensBefore = await d.tokenBalance(d.address.challenger);
  const challenge = await client("challenger").challengeJob({ jobId, challengerHash: CHALLENGER_HASH });
  const tokensAfter = await d.tokenBalance(d.address.challenger);
  return { ...d, client, jobId, challenge, bondPaid: tokensBefore - tokensAfter };
}

/** Draws the committee and has every seat commit then reveal `vote`; returns the secrets. */
async function voteThroughSdk(d: Awaited<ReturnType<typeof challengedThroughSdk>>, vote: Hex) {
  await mine(1);
  const draw = await d.client("keeper").drawCommittee({ jobId: d.jobId });
  if (draw.outcome !== "drawn") throw new Error(`expected a committee, got ${draw.outcome}`);
  const actorOf = (v: Address) => (Object.keys(d.address) as Actor[]).find((n) => d.address[n] === v)!;
  const seats = draw.verifiers.map(actorOf);
  const secrets: VoteSecret[] = [];
  for (const seat of seats) secrets.push(await d.client(seat).commitVote({ jobId: d.jobId, resultHash: vote }));
  for (const [i, seat] of seats.entries()) await d.client(seat).revealVote(secrets[i]!);
  return { draw, seats, secrets };
}

const ledger = (d: Fixture, who: Address) => d.read<bigint>("balanceOf", [who]);

describe("a dispute through the SDK", function () {
  it("opens with the bond pulled from the challenger's wallet (approving exactly the bond)", async function () {
    const d = await loadFixture(challengedThroughSdk);
    expect(d.bondPaid).to.equal(BOND);
    expect(d.challenge.approvalTransactionHash).to.be.a("string");
    expect(d.challenge.commitTransactionHash).to.be.a("string"); // committed, then revealed
    expect(d.challenge.dispute).to.include({
      jobId: d.jobId,
      challenger: d.address.challenger,
      provider: d.address.provider,
      providerHash: RESULT_HASH,
      challengerHash: CHALLENGER_HASH,
      bond: BOND,
    });
    expect((await d.client("stranger").getJob({ jobId: d.jobId })).state).to.equal("Disputed");
  });

  describe("when the committee finds the provider right", function () {
    async function resolvedForProvider() {
      const d = await challengedThroughSdk();
      const before = {
        provider: await ledger(d, d.address.provider),
        providerStake: (await d.client("stranger").getProvider({ provider: d.address.provider })).staked,
        challenger: await ledger(d, d.address.challenger),
      };
      const votes = await voteThroughSdk(d, RESULT_HASH);
      const verifiersBefore = await Promise.all(votes.draw.verifiers.map((v) => ledger(d, v)));
      const resolved = await d.client("keeper").resolveDispute({ jobId: d.jobId });
      return { ...d, ...votes, before, verifiersBefore, resolved };
    }

    it("seats three votes among the bonded verifiers, never the provider, the challenger or the requester", async function () {
      const d = await loadFixture(resolvedForProvider);
      expect(d.draw.votes.reduce((a, b) => a + b, 0)).to.equal(DISPUTE_PARAMETERS.committeeSize);
      for (const seat of d.seats) expect(VERIFIERS).to.include(seat);
      expect(d.secrets.map((s) => s.seatIndex)).to.deep.equal(d.seats.map((_, i) => i)); // one commitment per entry
    });

    it("resolves for the provider: finalized, the bond pays the provider and each verifier its fee", async function () {
      const d = await loadFixture(resolvedForProvider);
      if (d.resolved.outcome !== "resolved") expect.fail(`expected a resolution, got ${d.resolved.outcome}`);
      expect(d.resolved).to.include({ providerRight: true, challengerRight: false, winningHash: RESULT_HASH, honestVerifiers: 3n });
      expect(d.resolved.slashed).to.deep.equal([]);
      const toProvider = BOND - 3n * FEE;
      const pay = (i: number) => FEE * BigInt(d.draw.votes[i]!); // verifiers are paid by votes
      expect(d.resolved.payouts).to.deep.equal([
        { to: d.address.provider, role: "Provider", amount: toProvider },
        ...d.draw.verifiers.map((v, i) => ({ to: v, role: "Verifier", amount: pay(i) })),
      ]);
      // Ledger credits match the payouts; the reward minus the fee went into the stake.
      expect((await ledger(d, d.address.provider)) - d.before.provider).to.equal(toProvider);
      for (const [i, v] of d.draw.verifiers.entries()) expect((await ledger(d, v)) - d.verifiersBefore[i]!).to.equal(pay(i));
      expect(await ledger(d, d.address.challenger)).to.equal(d.before.challenger);
      const fee = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
      const stake = (await d.client("stranger").getProvider({ provider: d.address.provider })).staked;
      expect(stake - d.before.providerStake).to.equal(REWARD - fee);
      expect((await d.client("stranger").getJob({ jobId: d.jobId })).state).to.equal("Finalized");
      expect((await d.client("stranger").checkSolvency()).solvent).to.equal(true);
    });

    it("shows the whole dispute in the job's history, in log order", async function () {
      const d = await loadFixture(resolvedForProvider);
      const history = await d.client("stranger").getJobHistory({ jobId: d.jobId });
      const perEntry = (event: string) => d.seats.map(() => event); // one per verifier, whatever its votes
      expect(history.map((e) => `${e.contract}:${e.eventName}`)).to.deep.equal([
        "market:JobPosted",
        "market:JobClaimed",
        "market:ResultSubmitted",
        "market:JobDisputed",
        "disputes:DisputeOpened",
        "disputes:CommitteeDrawn",
        ...perEntry("disputes:VoteCommitted"),
        ...perEntry("disputes:VoteRevealed"),
        "market:JobFinalized",
        "market:DisputeSettled",
        "disputes:DisputePayout",
        ...perEntry("disputes:DisputePayout"),
        "disputes:DisputeResolved",
      ]);
      const order = history.map((e) => e.blockNumber * 1000n + BigInt(e.logIndex));
      expect([...order].sort((a, b) => (a < b ? -1 : 1))).to.deep.equal(order);
    });

    it("leaves the dispute Resolved and nothing held by the module", async function () {
      const d = await loadFixture(resolvedForProvider);
      const dispute = await d.client("stranger").getDispute({ jobId: d.jobId });
      expect(dispute).to.include({ phase: "Resolved", bond: 0n, pot: 0n, isAudit: false, voidableAfter: undefined });
      expect(await ledger(d, d.deployment.disputes!)).to.equal(0n);
    });
  });

  describe("when the committee finds the challenger right", function () {
    async function resolvedForChallenger() {
      const d = await challengedThroughSdk();
      const before = {
        requester: await ledger(d, d.address.requester),
        challenger: await ledger(d, d.address.challenger),
        providerStake: (await d.client("stranger").getProvider({ provider: d.address.provider })).staked,
      };
      const votes = await voteThroughSdk(d, CHALLENGER_HASH);
      const resolved = await d.client("keeper").resolveDispute({ jobId: d.jobId });
      return { ...d, ...votes, before, resolved };
    }

    it("overturns the job: the challenger gets its bond and reward, the requester its refund and the rest", async function () {
      const d = await loadFixture(resolvedForChallenger);
      if (d.resolved.outcome !== "resolved") expect.fail(`expected a resolution, got ${d.resolved.outcome}`);
      expect(d.resolved).to.include({ providerRight: false, challengerRight: true, winningHash: CHALLENGER_HASH });
      const afterFees = COLLATERAL - 3n * FEE;
      const reward = (afterFees * BigInt(DISPUTE_PARAMETERS.challengerRewardBps)) / 10_000n;
      const toRequester = afterFees - reward;
      expect(d.resolved.payouts).to.deep.equal([
        { to: d.address.challenger, role: "Challenger", amount: BOND + reward },
        { to: d.address.requester, role: "Requester", amount: toRequester },
        ...d.draw.verifiers.map((v, i) => ({ to: v, role: "Verifier", amount: FEE * BigInt(d.draw.votes[i]!) })),
      ]);
      expect((await ledger(d, d.address.challenger)) - d.before.challenger).to.equal(BOND + reward);
      // The market refunds the reward to the requester's ledger as well.
      expect((await ledger(d, d.address.requester)) - d.before.requester).to.equal(REWARD + toRequester);
      const stake = (await d.client("stranger").getProvider({ provider: d.address.provider })).staked;
      expect(d.before.providerStake - stake).to.equal(COLLATERAL);
      expect((await d.client("stranger").getJob({ jobId: d.jobId })).state).to.equal("Overturned");
      expect((await d.client("stranger").checkSolvency()).solvent).to.equal(true);
    });
  });
});
