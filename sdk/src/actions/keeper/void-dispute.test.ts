import { expect } from "chai";
import { network } from "hardhat";

import { JobState, Phase } from "../../abi/enums.ts";
import { DisputeNotActiveError, MarketDisputeDeadlineNotReachedError } from "../../errors/contract-errors.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { COLLATERAL_PCT, DISPUTE_PARAMETERS, REWARD, RESULT_HASH, createSdkFixtures, voteWithViem } from "../../../../testkit/fixtures.ts";
import { getDispute } from "../auditor/get-dispute.ts";
import { voidDispute } from "./void-dispute.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

const BOND = DISPUTE_PARAMETERS.challengeBond;

describe("voidDispute", function () {
  it("throws MarketDisputeDeadlineNotReachedError before the market's dispute deadline", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    const { voidableAfter } = await getDispute(d.reader, { jobId: d.jobId });
    const error = await expectRejection(voidDispute(d.clients.keeper, { jobId: d.jobId }), MarketDisputeDeadlineNotReachedError);
    expect(error.deadline).to.equal(voidableAfter);
  });

  describe("after the deadline", function () {
    async function voided() {
      const d = await fixtures.drawnJob();
      const { voidableAfter } = await getDispute(d.reader, { jobId: d.jobId });
      await time.increaseTo(Number(voidableAfter! + 1n));
      const before = {
        requester: await d.read<bigint>("balanceOf", [d.address.requester]),
        challenger: await d.read<bigint>("balanceOf", [d.address.challenger]),
      };
      const result = await voidDispute(d.clients.stranger, { jobId: d.jobId });
      return { ...d, before, result };
    }

    it("refunds the requester, returns the bond and reports both", async function () {
      const d = await loadFixture(voided);
      expect(d.result).to.include({ refund: REWARD, bondReturned: BOND, potToTreasury: 0n });
      expect(d.result.collateralUnlocked).to.equal((REWARD * BigInt(COLLATERAL_PCT) + 99n) / 100n);
      expect(d.result.payouts).to.deep.equal([{ to: d.address.challenger, role: "Challenger", amount: BOND }]);
      expect((await d.read<bigint>("balanceOf", [d.address.requester])) - d.before.requester).to.equal(REWARD);
      expect((await d.read<bigint>("balanceOf", [d.address.challenger])) - d.before.challenger).to.equal(BOND);
    });

    it("releases every lock and leaves job and dispute Voided", async function () {
      const d = await loadFixture(voided);
      for (const v of d.committee) expect((await d.poolRead<{ locked: bigint }>("memberOf", [v])).locked).to.equal(0n);
      expect((await d.read<{ locked: bigint }>("stakeOf", [d.address.provider])).locked).to.equal(0n);
      expect(await d.read("jobState", [d.jobId])).to.equal(JobState.Voided);
      expect((await getDispute(d.reader, { jobId: d.jobId })).phase).to.equal("Voided");
    });
  });

  it("throws DisputeNotActiveError once the dispute was resolved", async function () {
    const d = await loadFixture(fixtures.drawnJob);
    await voteWithViem(d, [RESULT_HASH, RESULT_HASH, RESULT_HASH]);
    await d.disputesWrite("keeper", "resolve", [d.jobId, d.terms]);
    const error = await expectRejection(voidDispute(d.clients.keeper, { jobId: d.jobId }), DisputeNotActiveError);
    expect(error.current).to.equal(Phase.Resolved);
  });
});
