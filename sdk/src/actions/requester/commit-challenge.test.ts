import { expect } from "chai";
import { network } from "hardhat";
import { parseEventLogs } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGER_HASH, CHALLENGE_SALT, challengeCommitmentWithViem, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { commitChallenge } from "./commit-challenge.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("commitChallenge", function () {
  it("posts keccak256(abi.encode(jobId, challengerHash, challenger, salt)) and the module records its block", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const r = await commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, salt: CHALLENGE_SALT });
    expect(r.salt).to.equal(CHALLENGE_SALT);
    expect(r.commitment).to.equal(challengeCommitmentWithViem(d.jobId, CHALLENGER_HASH, d.address.challenger, CHALLENGE_SALT));
    expect(await d.disputesRead<bigint>("challengeCommitBlock", [r.commitment])).to.equal(r.receipt.blockNumber);
    const [event] = parseEventLogs({ abi: hashworkDisputesAbi, logs: r.receipt.logs, eventName: "ChallengeCommitted" });
    expect(event!.args).to.deep.equal({ commitment: r.commitment, challenger: d.address.challenger });
  });

  it("draws a fresh random salt for each commitment when none is given", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const a = await commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH });
    const b = await commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH });
    expect(a.salt).to.match(/^0x[0-9a-f]{64}$/);
    expect(a.salt).to.not.equal(b.salt);
    expect(a.commitment).to.not.equal(b.commitment);
  });

  it("costs no bond: the challenger's tokens and allowances are untouched", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const before = await d.tokenBalance(d.address.challenger);
    await commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH });
    expect(await d.tokenBalance(d.address.challenger)).to.equal(before);
  });

  it("succeeds when someone else already committed the same bytes (a copy cannot block the watcher)", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    const commitment = challengeCommitmentWithViem(d.jobId, CHALLENGER_HASH, d.address.challenger, CHALLENGE_SALT);
    await d.disputesWrite("stranger", "commitChallenge", [commitment]);
    const mine = await commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: CHALLENGER_HASH, salt: CHALLENGE_SALT });
    expect(mine.commitment).to.equal(commitment);
  });

  it("refuses a challenger hash that is not 32 bytes with InvalidParameterError", async function () {
    const d = await loadFixture(fixtures.disputableJob);
    await expectRejection(commitChallenge(d.clients.challenger, { jobId: d.jobId, challengerHash: "0x1234" }), InvalidParameterError);
    expect(await d.publicClient.getTransactionCount({ address: d.address.challenger })).to.equal(0);
  });
});
