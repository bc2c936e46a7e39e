import { expect } from "chai";
import { network } from "hardhat";

import {
  CHALLENGE_WINDOW,
  COLLATERAL_PCT,
  EXECUTION_TIME,
  LOCAL_PARAMETERS,
  PROVIDER_ENDPOINT,
  REWARD,
  STAKE,
  createSdkFixtures,
  postWithViem,
} from "../../../../testkit/fixtures.ts";
import { collateralOf } from "../../utils/job-request.ts";
import { getProvider } from "./get-provider.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

/** The protocol fee on one REWARD job (1%): 0.1 token. */
const FEE = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;

/** The provider completed one job (paying FEE) and let a second one time out. */
async function completedThenTimedOut() {
  const d = await fixtures.submittedJob();
  await time.increase(CHALLENGE_WINDOW + 1);
  await d.marketWrite("keeper", "finalizeJob", [d.jobId, d.terms]);
  const late = await postWithViem(d);
  await d.marketWrite("provider", "claimJob", [late]);
  await time.increase(EXECUTION_TIME + 1);
  await d.marketWrite("keeper", "timeOutJob", [late]);
  return d;
}

describe("getProvider", function () {
  it("reads stake, locked and free collateral, and the published profile", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const p = await getProvider(d.reader, { provider: d.address.provider });
    const collateral = collateralOf(REWARD, COLLATERAL_PCT);
    expect(p).to.deep.include({ address: d.address.provider, providerId: 1, registered: true, staked: STAKE, locked: collateral });
    expect(p.free).to.equal(STAKE - collateral);
    expect(p.profile).to.deep.include({ endpoint: PROVIDER_ENDPOINT, pricePerFuel: 1n, maxFuel: 1_000_000_000n });
  });

  it("scores a newcomer 0 for a job of any reward", async function () {
    const d = await loadFixture(fixtures.staked);
    const small = await getProvider(d.reader, { provider: d.address.provider, reward: LOCAL_PARAMETERS.minReward });
    const large = await getProvider(d.reader, { provider: d.address.provider, reward: REWARD });
    expect(small.reputation.feesPaid).to.equal(0n);
    expect(small.scoreFor).to.deep.equal({ reward: LOCAL_PARAMETERS.minReward, score: 0 });
    expect(large.scoreFor).to.deep.equal({ reward: REWARD, score: 0 });
  });

  it("shows the latest profile and unbonding stake", async function () {
    const d = await loadFixture(fixtures.staked);
    await d.marketWrite("provider", "registerProvider", ["https://new.example", 9n, 5n]);
    const receipt = await d.marketWrite("provider", "requestUnstake", [STAKE / 2n]);
    const block = await d.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const p = await getProvider(d.reader, { provider: d.address.provider });
    expect(p.profile).to.deep.include({ endpoint: "https://new.example", pricePerFuel: 9n, maxFuel: 5n });
    expect(p.unbonding).to.deep.equal({ amount: STAKE / 2n, unlockAt: block.timestamp + BigInt(LOCAL_PARAMETERS.unbondingPeriod) });
    expect(p.staked).to.equal(STAKE / 2n);
  });

  it("counts completed jobs, time-outs and the fees paid in the reputation", async function () {
    const d = await loadFixture(completedThenTimedOut);
    const p = await getProvider(d.reader, { provider: d.address.provider });
    expect(p.reputation).to.deep.equal({ completed: 1, timedOut: 1, disputesLost: 0, disputesWon: 0, feesPaid: FEE });
  });

  it("scores the provider for the given reward from its fees, lower for a larger job", async function () {
    const d = await loadFixture(completedThenTimedOut);
    const atReward = await getProvider(d.reader, { provider: d.address.provider, reward: REWARD });
    const atTenTimes = await getProvider(d.reader, { provider: d.address.provider, reward: 10n * REWARD });
    // 10000 * fees / (fees + reward * (1 + 2 * timedOut)): 0.1 token of fees, one time-out.
    expect(atReward.scoreFor).to.deep.equal({ reward: REWARD, score: 33 }); // 1000 / 30.1
    expect(atTenTimes.scoreFor).to.deep.equal({ reward: 10n * REWARD, score: 3 }); // 1000 / 300.1
  });

  it("gives no score when no reward is named", async function () {
    const d = await loadFixture(completedThenTimedOut);
    const p = await getProvider(d.reader, { provider: d.address.provider });
    expect(p).to.not.have.property("scoreFor");
  });

  it("reports an unknown address as unregistered with no profile", async function () {
    const d = await loadFixture(fixtures.staked);
    const p = await getProvider(d.reader, { provider: d.address.stranger });
    expect(p.registered).to.equal(false);
    expect(p.providerId).to.equal(0);
    expect(p.staked).to.equal(0n);
    expect(p.profile).to.equal(undefined);
  });
});
