// The claim policy against the market's job value bounds and fee-denominated reputation, with
// real processes: a `hardhat node`, jobs posted in one batch, a provider daemon as a child process.
// A newcomer has paid no fees and scores 0 on every job, so it leaves gated jobs alone (one log
// line each) until its own completed jobs have paid enough fees for the score a job asks — a score
// relative to that job's reward. Jobs asking more collateral than `claimPolicy.maxCollateralPct`
// are left alone too (one log line).
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { readJobState } from "../utils/results.ts";
import {
  eventCounts,
  hdAccount,
  logRecords,
  marketEvents,
  monteCarloJobs,
  startDaemonProcess,
  waitForStates,
  writeDaemonConfig,
  type TestJob,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const TOKEN = 10n ** 18n;
const REQUESTER = 1;
/** Two newcomers: registered and staked, no job completed yet. */
const NEWCOMER_A = 2;
const NEWCOMER_B = 3;

const address = (index: number): Address => getAddress(hdAccount(index).address);

describe("daemon claim policy on chain: reputation gates and the collateral cap (hardhat node + daemon child process)", function () {
  this.timeout(90_000);
  const t = useDaemonTestbed("claim-policy", [NEWCOMER_A, NEWCOMER_B]);

  const jobs = (seeds: bigint[], job: Partial<TestJob> = {}) =>
    monteCarloJobs(t.system, { requester: REQUESTER, storeDir: join(t.dir, "requester"), uriFor: (h) => t.server.uriFor(h), seeds, job });

  async function startProvider(index: number) {
    const configFile = await writeDaemonConfig(t.system, { dir: t.dir, name: `provider-${index}`, index });
    const daemon = startDaemonProcess(configFile);
    t.daemons.push(daemon);
    return daemon;
  }

  const scoreFor = (index: number, reward: bigint) =>
    t.system.publicClient.readContract({
      address: t.system.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "scoreFor",
      args: [address(index), reward],
    });

  it("a newcomer leaves a gated job and a job above its collateral cap alone, one log line each, and completes the rest", async function () {
    const daemon = await startProvider(NEWCOMER_A);
    const [plain] = await jobs([301n]);
    const [gated] = await jobs([302n], { minReputation: 9_000 });
    const [heavy] = await jobs([303n], { collateralPct: 300 });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs: [plain!, gated!, heavy!] });
    const [plainId, gatedId, heavyId] = jobIds as [bigint, bigint, bigint];

    await waitForStates(t.system, [plainId], 25_000);
    // A few more polls after our finalization, which looks at the gated job again (our score on
    // it is 99 now: 0.02 HWK of fees against a 2 HWK job, still far below 9,000).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await scoreFor(NEWCOMER_A, plain!.reward)).to.equal(99);

    expect([await readJobState(t.system.clientFor(0), gatedId), await readJobState(t.system.clientFor(0), heavyId)]).to.deep.equal([
      "Open",
      "Open",
    ]);
    expect(await eventCounts(t.system, [gatedId, heavyId])).to.deep.equal([
      { claimed: 0, submitted: 0, finalized: 0 },
      { claimed: 0, submitted: 0, finalized: 0 },
    ]);
    const skips = (id: bigint) => logRecords(daemon).filter((r) => r.job_id === id.toString() && r.msg === "not claiming");
    expect(skips(gatedId).map((r) => [r.level, r.reason])).to.deep.equal([
      ["info", "our reputation on this job, 0, below its minReputation 9000"],
    ]);
    expect(skips(heavyId).map((r) => [r.level, r.reason])).to.deep.equal([
      ["info", "collateral 300% of the reward above maxCollateralPct 200%"],
    ]);
  });

  it("a newcomer claims a gated job once the fees its own finished jobs paid reach the score that job asks", async function () {
    await startProvider(NEWCOMER_B);
    // 0.02 HWK of fees from the 2 HWK job give a score of 6,666 on a 0.01 HWK job: enough for 5,000.
    const [plain] = await jobs([311n]);
    const [gated] = await jobs([312n], { reward: TOKEN / 100n, minReputation: 5_000 });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs: [plain!, gated!] });
    const [plainId, gatedId] = jobIds as [bigint, bigint];

    await waitForStates(t.system, [plainId, gatedId], 30_000);
    const events = await marketEvents(t.system);
    const block = (name: string, id: bigint) =>
      events.find((e) => e.eventName === name && (e.args as { jobId?: bigint }).jobId === id)!.blockNumber;
    const claimedBy = (id: bigint) =>
      getAddress(
        (events.find((e) => e.eventName === "JobClaimed" && (e.args as { jobId?: bigint }).jobId === id)!.args as { provider: Address })
          .provider,
      );
    expect([claimedBy(plainId), claimedBy(gatedId)]).to.deep.equal([address(NEWCOMER_B), address(NEWCOMER_B)]);
    // Not before its first job paid its fee: a newcomer scores 0.
    expect(block("JobClaimed", gatedId) > block("JobFinalized", plainId)).to.equal(true);
    // The gated job's own fee (0.0001 HWK) is below a reputation unit: the record is still 0.02 HWK.
    expect(await scoreFor(NEWCOMER_B, TOKEN / 100n)).to.equal(6_666);
  });
});
