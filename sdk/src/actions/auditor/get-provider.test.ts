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
} from "../../test-utils/fixtures.ts";
import { collateralOf } from "../../utils/job-request.ts";
import { getProvider } from "./get-provider.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("getProvider", function () {
  it("reads stake, locked and free collateral, and the published profile", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const p = await getProvider(d.reader, { provider: d.address.provider });
    const collateral = collateralOf(REWARD, COLLATERAL_PCT);
    expect(p).to.deep.include({ address: d.address.provider, providerId: 1, registered: true, staked: STAKE, locked: collateral });
    expect(p.free).to.equal(STAKE - collateral);
    expect(p.profile).to.deep.include({ endpoint: PROVIDER_ENDPOINT, pricePerFuel: 1n, maxFuel: 1_000_000_000n });
    expect(p.reputation.score).to.equal(5000); // a newcomer
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

  it("counts completed jobs and time-outs in the reputation", async function () {
    const d = await loadFixture(fixtures.submittedJob);
    await time.increase(CHALLENGE_WINDOW + 1);
    await d.marketWrite("keeper", "finalizeJob", [d.jobId, d.terms]);
    const late = await postWithViem(d);
    await d.marketWrite("provider", "claimJob", [late]);
    await time.increase(EXECUTION_TIME + 1);
    await d.marketWrite("keeper", "timeOutJob", [late]);
    const p = await getProvider(d.reader, { provider: d.address.provider });
    expect(p.reputation.completed).to.equal(1);
    expect(p.reputation.timedOut).to.equal(1);
    expect(p.reputation.disputesLost).to.equal(0);
    // (completed + 1) / (completed + 2 + 2 * timedOut) = 2 / 5
    expect(p.reputation.score).to.equal(4000);
    expect(p.reputation.lastActive).to.be.greaterThan(0);
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
