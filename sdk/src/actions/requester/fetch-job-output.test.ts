import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToBytes } from "viem";

import { InvalidParameterError, ResultHashMismatchError } from "../../errors/sdk.ts";
import { ExecutionStatus, computeResultHash } from "../../executor/result-hash.ts";
import { ContentHashMismatchError, ContentUriRefusedError, UnsupportedUriError } from "../../store/errors.ts";
import { createContentServer } from "../../store/server.ts";
import { createLocalStore } from "../../store/local.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { FUEL_USED, OUTPUT, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { submitResult } from "../provider/submit-result.ts";
import { fetchJobOutput } from "./fetch-job-output.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const OUTCOME = { outputHash: keccak256(OUTPUT), fuelUsed: FUEL_USED, status: ExecutionStatus.Ok };

describe("fetchJobOutput", function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "hashwork-sdk-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** The provider keeps the output in its local store and submits with the outcome published. */
  async function submitFromStore(d: Awaited<ReturnType<typeof fixtures.claimedJob>>) {
    const providerStore = createLocalStore({ dir: join(dir, "provider") });
    const { uri } = await providerStore.put(OUTPUT);
    await submitResult(d.clients.provider, { jobId: d.jobId, outcome: OUTCOME, outputURI: uri });
    return { providerStore, uri };
  }

  it("fetches the output by the URI in ResultSubmitted and verifies it against the commitment", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    await submitFromStore(d);
    const { output, outcome, result } = await fetchJobOutput(d.reader, { jobId: d.jobId, fetch: { allowFileUris: true } });
    expect(output).to.deep.equal(OUTPUT);
    expect(outcome).to.deep.equal(OUTCOME);
    expect(result.provider).to.equal(d.address.provider);
  });

  it("fetches over HTTP from the provider's content server", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const providerStore = createLocalStore({ dir: join(dir, "served") });
    await providerStore.put(OUTPUT);
    const server = createContentServer({ store: providerStore });
    const base = await server.start();
    try {
      await submitResult(d.clients.provider, {
        jobId: d.jobId,
        outcome: OUTCOME,
        outputURI: `${base}/content/${OUTCOME.outputHash}`,
      });
      // A provider on loopback is reached only when allowed (the URI is the provider's choice).
      await expectRejection(fetchJobOutput(d.reader, { jobId: d.jobId }), ContentUriRefusedError);
      const { output } = await fetchJobOutput(d.reader, { jobId: d.jobId, fetch: { allowHosts: ["127.0.0.1"] } });
      expect(output).to.deep.equal(OUTPUT);
    } finally {
      await server.close();
    }
  });

  it("throws the store's ContentHashMismatchError when the served bytes were altered", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const { uri } = await submitFromStore(d);
    await writeFile(fileURLToPath(uri), stringToBytes("a different tile"));
    await expectRejection(fetchJobOutput(d.reader, { jobId: d.jobId, fetch: { allowFileUris: true } }), ContentHashMismatchError);
  });

  it("refuses a file: output URI unless asked (a provider could name any file on the requester's machine)", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    await submitFromStore(d);
    const error = await expectRejection(fetchJobOutput(d.reader, { jobId: d.jobId }), UnsupportedUriError);
    expect(error.scheme).to.equal("file:");
    expect(error.details).to.match(/allowFileUris/);
  });

  it("throws ResultHashMismatchError when the claimed outcome is not what was committed", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    await submitFromStore(d);
    const error = await expectRejection(
      fetchJobOutput(d.reader, { jobId: d.jobId, outcome: { ...OUTCOME, fuelUsed: FUEL_USED - 1n } }),
      ResultHashMismatchError,
    );
    expect(error.jobId).to.equal(d.jobId);
    expect(error.expected).to.equal(computeResultHash(OUTCOME.outputHash, FUEL_USED, ExecutionStatus.Ok));
  });

  it("prefers a local store that already holds the output", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const { uri } = await submitFromStore(d);
    await rm(fileURLToPath(uri)); // the provider's copy is gone…
    const mine = createLocalStore({ dir: join(dir, "requester") });
    await mine.put(OUTPUT); // …but the requester has one
    const { output } = await fetchJobOutput(d.reader, { jobId: d.jobId, store: mine });
    expect(output).to.deep.equal(OUTPUT);
  });

  it("returns an empty output for a run that trapped, without fetching anything", async function () {
    const d = await loadFixture(fixtures.claimedJob);
    const trapped = { outputHash: keccak256(new Uint8Array()), fuelUsed: 77n, status: ExecutionStatus.Trapped };
    await submitResult(d.clients.provider, { jobId: d.jobId, outcome: trapped, outputURI: "" });
    const { output, outcome } = await fetchJobOutput(d.reader, { jobId: d.jobId });
    expect(output.length).to.equal(0);
    expect(outcome.status).to.equal(ExecutionStatus.Trapped);
  });

  it("needs an outcome when the output URI carries none", async function () {
    const d = await loadFixture(fixtures.submittedJob); // submitted with a bare URI
    const error = await expectRejection(fetchJobOutput(d.reader, { jobId: d.jobId }), InvalidParameterError);
    expect(error.parameter).to.equal("outcome");
  });
});
