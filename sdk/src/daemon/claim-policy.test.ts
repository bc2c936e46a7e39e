import { expect } from "chai";
import { zeroAddress, type Address } from "viem";

import { decideClaim } from "./claim-policy.ts";
import { parseConfig } from "./config.ts";
import type { TrackedJob } from "./job-index.ts";

const TOKEN = 10n ** 18n;
const ME: Address = "0x00000000000000000000000000000000000000aa";
const REQUESTER: Address = "0x00000000000000000000000000000000000000bb";

const policy = (claimPolicy: Record<string, unknown> = {}) =>
  parseConfig({ rpcUrl: "http://127.0.0.1:1", key: { env: "UNUSED" }, dataDir: "/tmp/unused", claimPolicy }).claimPolicy;

/** An open job: 2 tokens, collateral 100 %, ungated, open to anyone, unless `request` says otherwise. */
function job(request: Partial<TrackedJob["request"]> = {}): TrackedJob {
  return {
    jobId: 1n,
    requester: REQUESTER,
    request: {
      programHash: `0x${"11".repeat(32)}`,
      inputHash: `0x${"22".repeat(32)}`,
      fuelLimit: 1_000_000n,
      reward: 2n * TOKEN,
      collateralPct: 100,
      claimDeadline: 2_000_000_000,
      executionTime: 60,
      challengeWindow: 60,
      minReputation: 0,
      designatedProvider: zeroAddress,
      programURI: "",
      inputURI: "",
      ...request,
    },
    postedBlock: 1n,
    postedTx: `0x${"33".repeat(32)}`,
    state: "Open",
    deadline: 2_000_000_000n,
    provider: zeroAddress,
  };
}

describe("daemon claim policy", function () {
  describe("collateral", function () {
    it("claims a job asking 200 % collateral by default, locking twice the reward", function () {
      expect(decideClaim(job({ collateralPct: 200 }), policy(), { me: ME })).to.deep.equal({ claim: true, collateral: 4n * TOKEN });
    });

    it("skips a job asking more than maxCollateralPct, saying how much it asks", function () {
      const d = decideClaim(job({ collateralPct: 201 }), policy(), { me: ME });
      expect(d).to.deep.equal({ claim: false, refusal: "collateral", reason: "collateral 201% of the reward above maxCollateralPct 200%" });
    });

    it("takes a job up to a raised maxCollateralPct", function () {
      expect(decideClaim(job({ collateralPct: 300 }), policy({ maxCollateralPct: 300 }), { me: ME }).claim).to.equal(true);
    });
  });

  describe("reputation", function () {
    it("claims an ungated job without any score (a newcomer scores 0 and may take it)", function () {
      expect(decideClaim(job(), policy(), { me: ME }).claim).to.equal(true);
      expect(decideClaim(job(), policy(), { me: ME, score: 0 }).claim).to.equal(true);
    });

    it("asks for our score on a gated job before deciding", function () {
      const d = decideClaim(job({ minReputation: 5_000 }), policy(), { me: ME });
      expect(d).to.include({ claim: false, refusal: "score-needed" });
    });

    it("skips a gated job when our score on it is below its minReputation", function () {
      const d = decideClaim(job({ minReputation: 5_000 }), policy(), { me: ME, score: 4_999 });
      expect(d).to.deep.equal({
        claim: false,
        refusal: "reputation",
        reason: "our reputation on this job, 4999, below its minReputation 5000",
      });
    });

    it("claims a gated job when our score on it reaches its minReputation", function () {
      expect(decideClaim(job({ minReputation: 5_000 }), policy(), { me: ME, score: 5_000 })).to.deep.equal({
        claim: true,
        collateral: 2n * TOKEN,
      });
    });

    it("needs no score for a gated job the cheaper checks already refuse", function () {
      const d = decideClaim(job({ minReputation: 5_000, collateralPct: 300 }), policy(), { me: ME });
      expect(d).to.include({ claim: false, refusal: "collateral" });
      const denied = decideClaim(job({ minReputation: 5_000 }), policy({ denyRequesters: [REQUESTER] }), { me: ME });
      expect(denied).to.include({ claim: false, refusal: "policy", reason: "requester denied" });
    });
  });

  describe("stake and the rest of the policy", function () {
    it("skips a job whose collateral would leave less than minFreeStake free", function () {
      const d = decideClaim(job(), policy({ minFreeStake: String(TOKEN) }), { me: ME, freeStake: 3n * TOKEN - 1n });
      expect(d).to.include({ claim: false, refusal: "stake" });
      expect(decideClaim(job(), policy({ minFreeStake: String(TOKEN) }), { me: ME, freeStake: 3n * TOKEN }).claim).to.equal(true);
    });

    it("skips a job designated to another provider", function () {
      const d = decideClaim(job({ designatedProvider: REQUESTER }), policy(), { me: ME });
      expect(d).to.include({ claim: false, reason: "designated to another provider" });
    });

    it("skips a job paying less than minPricePerFuel", function () {
      const d = decideClaim(
        job({ reward: TOKEN / 100n, fuelLimit: 10n ** 15n + 1n }),
        policy({ minPricePerFuel: 10, maxFuel: "10000000000000000" }),
        { me: ME },
      );
      expect(d).to.include({ claim: false, refusal: "policy" });
    });
  });
});
