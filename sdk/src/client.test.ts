import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToBytes } from "viem";

import { createHashworkClient } from "./client.ts";
import { hashworkDeployments } from "./deployments.ts";
import { MarketUnexpectedJobStateError } from "./errors/contract-errors.ts";
import { ChainMismatchError, MissingWalletClientError } from "./errors/sdk.ts";
import { ExecutionStatus } from "./executor/result-hash.ts";
import { createLocalStore } from "./store/local.ts";
import { expectRejection } from "../../testkit/assertions.ts";
import { CHALLENGE_WINDOW, LOCAL_PARAMETERS, REWARD, STAKE, createSdkFixtures, testJob } from "../../testkit/fixtures.ts";
import type { HashworkWalletClient } from "./utils/client.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, time } = connection.networkHelpers;

describe("createHashworkClient", function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "hashwork-client-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("runs a job end to end: upload, post, claim, submit, wait, fetch, finalize, audit", async function () {
    const d = await loadFixture(fixtures.deployed);
    const client = (who: "requester" | "provider" | "keeper") =>
      createHashworkClient({
        publicClient: d.publicClient,
        walletClient: d.wallet[who] as HashworkWalletClient,
        deployment: d.deployment,
      });
    const requester = client("requester");
    const provider = client("provider");
    const auditor = createHashworkClient({ publicClient: d.publicClient, deployment: d.deployment });

    // Provider joins.
    await provider.registerProvider({ endpoint: "http://127.0.0.1:8700", pricePerFuel: 1n, maxFuel: 10n ** 9n });
    await provider.stake({ amount: STAKE });

    // Requester uploads content and posts.
    const requesterStore = createLocalStore({ dir: join(dir, "requester") });
    const content = await requester.uploadJobContent({
      store: requesterStore,
      program: stringToBytes("\0asm program"),
      input: stringToBytes("input"),
    });
    const { jobId } = await requester.postJob({ ...testJob(), ...content, preflight: { allowLocal: true } }); // file: URIs of a local store

    // Provider finds it, claims, "runs" it and submits.
    const [open] = await provider.listJobs({ states: ["Open"] });
    expect(open!.jobId).to.equal(jobId);
    await provider.claimJob({ jobId });
    const output = stringToBytes("the output");
    const providerStore = createLocalStore({ dir: join(dir, "provider") });
    const { uri } = await providerStore.put(output);
    await provider.submitResult({
      jobId,
      outcome: { outputHash: keccak256(output), fuelUsed: 42n, status: ExecutionStatus.Ok },
      outputURI: uri,
    });

    // Requester waits, fetches and verifies; anyone finalizes after the window.
    const { result } = await requester.waitForResult({ jobId, pollingInterval: 10, timeout: 10_000 });
    const fetched = await requester.fetchJobOutput({ jobId, result, fetch: { allowFileUris: true } });
    expect(fetched.output).to.deep.equal(output);
    await expectRejection(requester.cancelJob({ jobId }), MarketUnexpectedJobStateError);
    await time.increase(CHALLENGE_WINDOW + 1);
    const { providerPayout } = await client("keeper").finalizeJob({ jobId });

    // The auditor sees it all.
    expect((await auditor.getJob({ jobId })).state).to.equal("Finalized");
    expect((await auditor.getJobHistory({ jobId })).map((e) => e.eventName)).to.deep.equal([
      "JobPosted",
      "JobClaimed",
      "ResultSubmitted",
      "JobFinalized",
    ]);
    const p = await auditor.getProvider({ provider: d.address.provider });
    expect(p.staked).to.equal(STAKE + providerPayout);
    expect(p.reputation.completed).to.equal(1);
    const solvency = await auditor.checkSolvency();
    expect(solvency.solvent).to.equal(true);
    const fee = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
    expect(solvency.accruedFees + solvency.auditReserve).to.equal(fee); // split with the audit reserve
    await expectRejection(auditor.postJob(testJob()), MissingWalletClientError);
  });

  it("binds the verifier pool's actions: bond, read back, take out", async function () {
    const d = await loadFixture(fixtures.deployed);
    const verifier = createHashworkClient({
      publicClient: d.publicClient,
      walletClient: d.wallet.verifier1 as HashworkWalletClient,
      deployment: d.deployment,
    });
    const { bonded } = await verifier.bondVerifier({ amount: STAKE });
    expect(bonded).to.equal(STAKE);
    expect(await verifier.getVerifier({ verifier: d.address.verifier1 })).to.deep.include({
      bonded: STAKE,
      weight: STAKE,
      totalWeight: STAKE,
    });
    const { unlockAt } = await verifier.requestVerifierWithdrawal({ amount: STAKE });
    await time.increaseTo(unlockAt);
    expect((await verifier.withdrawVerifierBond()).amount).to.equal(STAKE);
  });

  it("looks the deployment up by the public client's chain when none is given", async function () {
    const d = await loadFixture(fixtures.deployed);
    const client = createHashworkClient({ publicClient: d.publicClient });
    expect(client.deployment).to.equal(hashworkDeployments[31337]);
  });

  it("refuses a deployment for another chain", async function () {
    const d = await loadFixture(fixtures.deployed);
    expect(() => createHashworkClient({ publicClient: d.publicClient, deployment: { ...d.deployment, chainId: 1 } })).to.throw(
      ChainMismatchError,
    );
  });

  it("extends with more actions bound to the same client", async function () {
    const d = await loadFixture(fixtures.staked);
    const client = createHashworkClient({ publicClient: d.publicClient, deployment: d.deployment }).extend((base) => ({
      marketAddress: () => base.deployment.market,
    }));
    expect(client.marketAddress()).to.equal(d.deployment.market);
    expect((await client.getProvider({ provider: d.address.provider })).staked).to.equal(STAKE);
  });
});
