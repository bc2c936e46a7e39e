// Audit seeds and random audits end to end with real processes: one `hardhat node`, two provider
// daemons (one pins its own submission blocks, `provider.pinSeeds`; the other does not), a
// keeper daemon that pins the submission blocks of every job still in its window
// (`keeper.pinSeeds`) and starts the audits the lottery selects, and two verifier daemons bonded
// in the verifier pool. First with the audit lottery off: each submission block is pinned once —
// by its own provider, or else by the keeper. Then a job whose submission block nobody pinned
// ages out (256 blocks): the unpinned seed selects it, and a keeper audits it although the
// market's audit reserve holds far less than the audit budget (the reserve pays what it has);
// the committee upholds the honest result.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";
import { hashworkDisputesAbi } from "../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import {
  disputeEvents,
  hdAccount,
  logRecords,
  monteCarloJobs,
  readJournal,
  startDaemonProcess,
  waitFor,
  waitForStates,
  writeDaemonConfig,
  type ChildHandle,
} from "../../../testkit/local-cluster.ts";
import { setAuditRate, useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
/** Pins its own submission blocks. */
const PINNING_PROVIDER = 2;
/** Leaves pinning to keepers. */
const OTHER_PROVIDER = 6;
const KEEPER = 5;
const VERIFIERS = [3, 4];

const address = (index: number): Address => getAddress(hdAccount(index).address);
const has = (d: ChildHandle, msg: string, jobId?: bigint) =>
  logRecords(d).some((r) => r.msg === msg && (jobId === undefined || r.job_id === jobId.toString()));

describe("daemon audit seeds and random audits end to end (hardhat node + five daemon child processes)", function () {
  this.timeout(150_000);
  const t = useDaemonTestbed("audit", [PINNING_PROVIDER, OTHER_PROVIDER], { verifiers: VERIFIERS });

  // The daemons run across the tests below (the testbed kills its `daemons` after each test).
  const daemons: ChildHandle[] = [];
  afterEach(function () {
    if (this.currentTest?.state === "failed") {
      for (const d of daemons) console.error(`--- daemon output\n${d.lines.slice(-200).join("\n")}\n${d.stderr().slice(-3000)}`);
    }
  });
  after(() => {
    for (const d of daemons) d.kill();
  });

  const run = {} as {
    daemons: Record<"pinning" | "other" | "keeper", ChildHandle>;
    /** Submission blocks: the pinning provider's job, the other provider's. */
    ownBlock: bigint;
    otherBlock: bigint;
    auditedJob: bigint;
  };

  before(async function () {
    await setAuditRate(t.system, 0);
    const { system } = t;
    const config = (name: string, index: number, overrides: Record<string, unknown>) =>
      writeDaemonConfig(system, { dir: t.dir, name, index, overrides: { pollIntervalMs: 150, ...overrides } });
    run.daemons = {
      pinning: startDaemonProcess(await config("pinning", PINNING_PROVIDER, { provider: { pinSeeds: true, pinAfterBlocks: 1 } })),
      other: startDaemonProcess(await config("other", OTHER_PROVIDER, { provider: { pinSeeds: false } })),
      // Later than the provider, so its own pin is seen first.
      keeper: startDaemonProcess(
        await config("keeper", KEEPER, { roles: { provider: false, keeper: true }, keeper: { pinAfterBlocks: 4 } }),
      ),
    };
    daemons.push(...Object.values(run.daemons));
    for (const [i, v] of VERIFIERS.entries()) {
      daemons.push(startDaemonProcess(await config(`verifier${i}`, v, { roles: { provider: false, verifier: true } })));
    }
  });

  const post = async (seed: bigint, provider: number, challengeWindow: number) => {
    const [job] = await monteCarloJobs(t.system, {
      requester: REQUESTER,
      storeDir: join(t.dir, "requester"),
      uriFor: (h) => t.server.uriFor(h),
      seeds: [seed],
      job: { challengeWindow, designatedProvider: address(provider) } as never,
    });
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs: [job!] });
    return jobIds[0]!;
  };
  const submission = async (jobId: bigint) => {
    const logs = await t.system.publicClient.getContractEvents({
      address: t.system.deployment.market,
      abi: hashworkMarketAbi,
      eventName: "ResultSubmitted",
      args: { jobId },
      fromBlock: t.system.deployment.fromBlock,
    });
    return logs[0]!.args;
  };
  const submittedBlock = async (jobId: bigint) => BigInt((await submission(jobId)).submittedBlock!);
  const pinsOf = async (block: bigint) =>
    Promise.all(
      (await disputeEvents(t.system))
        .filter((e) => e.eventName === "AuditSeedPinned" && (e.args as { blockNumber: bigint }).blockNumber === block)
        .map(async (e) => getAddress((await t.system.publicClient.getTransaction({ hash: e.transactionHash })).from)),
    );

  it("a provider with provider.pinSeeds pins the block its result was submitted in, once; the keeper leaves that block alone", async function () {
    const jobId = await post(1n, PINNING_PROVIDER, 12);
    await waitFor("the provider's pin", () => (has(run.daemons.pinning, "audit seed pinned") ? true : undefined), 30_000);
    run.ownBlock = await submittedBlock(jobId);
    await waitForStates(t.system, [jobId], 40_000);
    expect(await pinsOf(run.ownBlock)).to.deep.equal([address(PINNING_PROVIDER)]);
    const keeperPins = readJournal(join(t.dir, "keeper", "data")).intents.filter((i) => i.action === `pin:${run.ownBlock}`);
    expect(keeperPins).to.deep.equal([]);
  });

  it("the keeper pins the submission block of another provider's job still in its window, once", async function () {
    const jobId = await post(2n, OTHER_PROVIDER, 12);
    await waitFor("the keeper's pin", () => (has(run.daemons.keeper, "audit seed pinned") ? true : undefined), 30_000);
    run.otherBlock = await submittedBlock(jobId);
    await waitForStates(t.system, [jobId], 40_000);
    expect(await pinsOf(run.otherBlock)).to.deep.equal([address(KEEPER)]);
    const intents = readJournal(join(t.dir, "keeper", "data")).intents.filter((i) => i.action.startsWith("pin:"));
    expect(intents.map((i) => [i.action, i.status])).to.deep.equal([[`pin:${run.otherBlock}`, "confirmed"]]);
    expect(has(run.daemons.other, "audit seed pinned")).to.equal(false);
  });

  it("a keeper that finds a submission block aged out unpinned audits its job (an unpinned seed selects it), funded with only what its own fee put in the reserve", async function () {
    // A keeper that pins no seeds, started only after the block aged out (more than 256 blocks).
    run.daemons.keeper.kill("SIGTERM");
    await run.daemons.keeper.exited;
    await setAuditRate(t.system, 2_000);
    run.auditedJob = await post(3n, OTHER_PROVIDER, 900);
    await waitForStates(t.system, [run.auditedJob], 30_000, ["Submitted"]);
    const block = await submittedBlock(run.auditedJob);
    // One evm_mine per block: hardhat_mine's bulk blocks carry a zero parent hash, which no chain (and no daemon) accepts.
    for (let i = 0; i < 300; i++) await t.system.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    expect((await t.system.publicClient.getBlockNumber()) > block + 256n, "more than 256 blocks mined").to.equal(true);
    const [reserve, budget] = await Promise.all([
      t.system.publicClient.readContract({ address: t.system.deployment.market, abi: hashworkMarketAbi, functionName: "auditReserve" }),
      t.system.publicClient.readContract({ address: t.system.deployment.disputes!, abi: hashworkDisputesAbi, functionName: "auditBudget" }),
    ]);
    expect(reserve > 0n && reserve < budget, "the reserve holds less than the budget").to.equal(true);
    const keeperConfig = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "keeper",
      index: KEEPER,
      overrides: { pollIntervalMs: 150, roles: { provider: false, keeper: true }, keeper: { pinSeeds: false } },
    });
    run.daemons.keeper = startDaemonProcess(keeperConfig);
    daemons.push(run.daemons.keeper);

    await waitForStates(t.system, [run.auditedJob], 60_000, ["Disputed", "Finalized"]);
    const opened = (await disputeEvents(t.system)).filter((e) => e.eventName === "DisputeOpened");
    expect(opened).to.have.length(1);
    // A forced audit (its seed aged out unpinned) may spend only the job's own reserve share.
    const [feeBps, reserveBps] = await Promise.all([
      t.system.publicClient.readContract({ address: t.system.deployment.market, abi: hashworkMarketAbi, functionName: "feeBps" }),
      t.system.publicClient.readContract({ address: t.system.deployment.market, abi: hashworkMarketAbi, functionName: "auditReserveBps" }),
    ]);
    const { reward } = await submission(run.auditedJob);
    const share = (((reward! * BigInt(feeBps)) / 10_000n) * BigInt(reserveBps)) / 10_000n;
    expect(opened[0]!.args).to.deep.include({
      jobId: run.auditedJob,
      challenger: "0x0000000000000000000000000000000000000000",
      bond: share < reserve ? share : reserve,
    });
    const tx = await t.system.publicClient.getTransaction({ hash: opened[0]!.transactionHash });
    expect(getAddress(tx.from)).to.equal(address(KEEPER));
    expect(await pinsOf(block)).to.deep.equal([]);
  });

  it("the bonded verifiers uphold the honest result and the audited job is finalized for its provider", async function () {
    await waitForStates(t.system, [run.auditedJob], 60_000);
    const resolved = (await disputeEvents(t.system)).filter((e) => e.eventName === "DisputeResolved");
    expect(resolved).to.have.length(1);
    expect(resolved[0]!.args).to.include({ jobId: run.auditedJob, providerRight: true, challengerRight: false });
    const drawn = (await disputeEvents(t.system)).find((e) => e.eventName === "CommitteeDrawn")!.args as { verifiers: readonly Address[] };
    for (const v of drawn.verifiers) expect(VERIFIERS.map(address)).to.include(getAddress(v));
  });
});
