/**
 * Landing review 5, finding: pre-flight leaves an allowance behind. Each test PASSES WHILE THE
 * DEFENCE HOLDS, so these FAIL now.
 *
 * `prepareFunding` dry-runs the post before its approve and forgives only the token's
 * `ERC20InsufficientAllowance`. But the market pulls the payment (`_fundFromBalance`) BEFORE it
 * checks each job (`_post`: execution time, challenge window, claim deadline, designated
 * provider, min reputation), so without an allowance the dry run always stops at the pull and
 * never sees those refusals. The SDK checks only the reward and collateral bounds itself, so a job
 * the market refuses for another reason gets an approve of its whole reward, then a revert: the
 * allowance stays behind (and the approve's gas is spent), contrary to `prepareFunding`'s "a write
 * that would fail anyway never leaves an approval behind".
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";

import { hashworkTokenAbi } from "../../sdk/src/abi/hashwork-token.ts";
import { postJob } from "../../sdk/src/actions/requester/post-job.ts";
import { postJobs } from "../../sdk/src/actions/requester/post-jobs.ts";
import { createSdkFixtures, testJob } from "../../testkit/fixtures.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

type D = Awaited<ReturnType<typeof fixtures.staked>>;

async function allowanceOf(d: D) {
  return d.publicClient.readContract({
    address: d.deployment.token!,
    abi: hashworkTokenAbi,
    functionName: "allowance",
    args: [d.address.requester, d.deployment.market],
  });
}

/** Jobs the market refuses for a reason the dry run cannot see past the missing allowance. */
const REFUSED: [string, string, Parameters<typeof testJob>[0]][] = [
  ["a challenge window above the market's maximum", "MarketInvalidChallengeWindow", { challengeWindow: 8 * 24 * 3600 }],
  [
    "a designated provider that is not registered",
    "MarketUnknownProvider",
    { designatedProvider: "0x000000000000000000000000000000000000dEaD" as Address },
  ],
];

/** The error's text (name and message, with its causes'). */
function textOf(error: unknown): string {
  let out = "";
  for (let e = error as { name?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    out += ` ${e.name} ${e.message}`;
  }
  return out;
}

describe("landing review 5: pre-flight and the approve it may leave behind", function () {
  this.timeout(60_000);

  for (const [what, errorName, overrides] of REFUSED) {
    it(`postJob (pre-flight on) of a job with ${what}: refused (${errorName}), and no allowance left`, async function () {
      const d = await loadFixture(fixtures.staked);
      const before = await allowanceOf(d);
      let error: unknown;
      try {
        await postJob(d.clients.requester, testJob(overrides));
      } catch (e) {
        error = e;
      }
      expect(textOf(error), "the market refuses this job").to.include(errorName);
      expect(await allowanceOf(d), "allowance after the refused post").to.equal(before);
    });
  }

  it("postJobs with one such member: refused, and no allowance left", async function () {
    const d = await loadFixture(fixtures.staked);
    const before = await allowanceOf(d);
    let error: unknown;
    try {
      await postJobs(d.clients.requester, { jobs: [testJob(), testJob({ challengeWindow: 8 * 24 * 3600 })] });
    } catch (e) {
      error = e;
    }
    expect(textOf(error)).to.include("MarketInvalidChallengeWindow");
    expect(await allowanceOf(d), "allowance after the refused batch").to.equal(before);
  });
});
