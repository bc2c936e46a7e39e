import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToBytes } from "viem";

import { fetchVerified } from "../../store/fetch-verified.ts";
import { createLocalStore } from "../../store/local.ts";
import { createSdkFixtures, testJob } from "../../../../testkit/fixtures.ts";
import { getJob } from "../auditor/get-job.ts";
import { listJobs } from "../auditor/list-jobs.ts";
import { postJob } from "./post-job.ts";
import { uploadJobContent } from "./upload-job-content.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("uploadJobContent", function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "hashwork-sdk-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("stores program and input and returns hashes and URIs a job can carry", async function () {
    const d = await loadFixture(fixtures.staked);
    const program = stringToBytes("\0asm fake program");
    const input = stringToBytes('{"tile":[0,0]}');
    const content = await uploadJobContent(d.clients.requester, { store: createLocalStore({ dir }), program, input });
    expect(content.programHash).to.equal(keccak256(program));
    expect(content.inputHash).to.equal(keccak256(input));
    // A provider fetches both from the URIs in JobPosted and verifies them by hash.
    // file: URIs of a local store: read from disk by the pre-flight checks when allowed.
    const { jobId } = await postJob(d.clients.requester, { ...testJob(), ...content, preflight: { allowLocal: true } });
    const [posted] = await listJobs(d.reader);
    expect(posted!.jobId).to.equal(jobId);
    const { request } = posted!;
    const local = { allowFileUris: true, allowHosts: ["127.0.0.1"] };
    expect(await fetchVerified(request.programURI, request.programHash, local)).to.deep.equal(program);
    expect(await fetchVerified(request.inputURI, request.inputHash, local)).to.deep.equal(input);
    expect((await getJob(d.reader, { jobId })).state).to.equal("Open");
  });
});
