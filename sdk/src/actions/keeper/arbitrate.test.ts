import { expect } from "chai";
import { network } from "hardhat";

import { JobState, Phase } from "../../abi/enums.ts";
import { DisputeNotArbiterError, DisputeWrongPhaseError } from "../../errors/contract-errors.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGER_HASH, COLLATERAL_PCT, DISPUTE_PARAMETERS, REWARD, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { arbitrate } from "./arbitrate.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

const BOND = DISPUTE_PARAMETERS.challengeBond;
const COLLATERAL = (REWARD * BigInt(COLLATERAL_PCT) + 99n) / 100n;

/** A challenge no committee could be drawn for in either round: it waits for the arbiter. */
async function awaitingArbiter() {
  const d = await fixtures.challengedWithEmptyPool();
  for (let round = 0; round < DISPUTE_PARAMETERS.maxRounds; round++) {
    await mine(1);
    await d.disputesWrite("keeper", "drawCommittee", [d.jobId, d.terms]);
  }
  return d;
}

describe("arbitrate", function () {
  it("lets the arbiter overturn the result with the challenger's hash: the challenger gets its bond and reward, no verifier is paid", async function () {
    const d = await loadFixture(awaitingArbiter);
    const { phase } = await d.disputesRead<{ phase: number }>("getDispute", [d.jobId]);
    expect(phase).to.equal(Phase.AwaitingArbiter);
    const r = await arbitrate(d.clients.owner, { jobId: d.jobId, correctHash: CHALLENGER_HASH });
    const reward = (COLLATERAL * BigInt(DISPUTE_PARAMETERS.challengerRewardBps)) / 10_000n;
    expect(r).to.include({
      arbiter: d.address.owner,
      providerRight: false,
      challengerRight: true,
      winningHash: CHALLENGER_HASH,
      honestVerifiers: 0n,
    });
    expect(r.payouts).to.deep.equal([
      { to: d.address.challenger, role: "Challenger", amount: BOND + reward },
      { to: d.address.requester, role: "Requester", amount: COLLATERAL - reward },
    ]);
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Overturned);
  });

  it("overturns without a challenger reward when the correct hash is neither party's: the challenger gets its bond back", async function () {
    const d = await loadFixture(awaitingArbiter);
    const third = `0x${"3".repeat(64)}` as const;
    const r = await arbitrate(d.clients.owner, { jobId: d.jobId, correctHash: third });
    expect(r).to.include({ providerRight: false, challengerRight: false, winningHash: third });
    expect(r.payouts).to.deep.equal([
      { to: d.address.challenger, role: "Challenger", amount: BOND },
      { to: d.address.requester, role: "Requester", amount: COLLATERAL },
    ]);
  });

  it("throws InvalidParameterError, sending nothing, unless exactly one of correctHash and providerRight is given", async function () {
    const d = await loadFixture(awaitingArbiter);
    await expectRejection(arbitrate(d.clients.owner, { jobId: d.jobId }), InvalidParameterError);
    await expectRejection(
      arbitrate(d.clients.owner, { jobId: d.jobId, providerRight: true, correctHash: CHALLENGER_HASH }),
      InvalidParameterError,
    );
    await expectRejection(arbitrate(d.clients.owner, { jobId: d.jobId, correctHash: `0x${"0".repeat(64)}` }), InvalidParameterError);
    const { phase } = await d.disputesRead<{ phase: number }>("getDispute", [d.jobId]);
    expect(phase).to.equal(Phase.AwaitingArbiter);
  });

  it("lets the arbiter uphold the result: the bond compensates the provider", async function () {
    const d = await loadFixture(awaitingArbiter);
    const r = await arbitrate(d.clients.owner, { jobId: d.jobId, providerRight: true, terms: d.terms });
    expect(r.payouts).to.deep.equal([{ to: d.address.provider, role: "Provider", amount: BOND }]);
    expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Finalized);
  });

  it("throws DisputeNotArbiterError for anyone else", async function () {
    const d = await loadFixture(awaitingArbiter);
    const error = await expectRejection(arbitrate(d.clients.keeper, { jobId: d.jobId, providerRight: true }), DisputeNotArbiterError);
    expect(error.caller).to.equal(d.address.keeper);
  });

  it("throws DisputeWrongPhaseError while a committee can still decide", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const error = await expectRejection(arbitrate(d.clients.owner, { jobId: d.jobId, providerRight: true }), DisputeWrongPhaseError);
    expect(error.current).to.equal(Phase.Voting);
    expect(error.expected).to.equal(Phase.AwaitingArbiter);
  });
});
