// ipfs:// jobs with real processes: a `hardhat node`, a provider daemon as a child process, the
// requester's content server acting as a trustless IPFS gateway (`/ipfs/<cid>?format=raw|car`),
// and a lying gateway on 127.0.0.1 that sends a block with one bit flipped. A daemon whose only
// gateway lies refuses the job (`IpfsBlockMismatchError`) and never claims it; a daemon that
// tries the liar first and the requester's gateway next runs the job and submits the right result.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { fetchJobOutput } from "../actions/requester/fetch-job-output.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { uploadJobContent } from "../actions/requester/upload-job-content.ts";
import { decodeMonteCarloOutput, encodeMonteCarloInput } from "../programs/montecarlo.ts";
import { loadSampleProgram } from "../programs/sample-programs.ts";
import { createIpfsResolver } from "../store/ipfs-fetch.ts";
import { createLocalStore } from "../store/local.ts";
import { jsonOf, runCli } from "../../../testkit/cli.ts";
import { startRawServer } from "../../../testkit/store.ts";
import {
  eventCounts,
  hdAccount,
  logRecords,
  privateKeyOf,
  startDaemonProcess,
  waitFor,
  waitForStates,
  writeDaemonConfig,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 5;
const PROVIDER = 2;

describe("daemon and ipfs:// jobs through trustless gateways (hardhat node + daemon child process)", function () {
  this.timeout(120_000);
  const t = useDaemonTestbed("ipfs", [PROVIDER]);
  let jobId: bigint;
  let liar: Awaited<ReturnType<typeof startRawServer>>;
  let liarHits = 0;

  before(async function () {
    // The requester names program and input by CID; its store records them, so the testbed's
    // content server answers /ipfs/<cid> for them.
    const store = createLocalStore({ dir: join(t.dir, "requester") });
    const client = t.system.clientFor(REQUESTER);
    const { wasm } = await loadSampleProgram("montecarlo");
    const content = await uploadJobContent(client, {
      store,
      program: wasm,
      input: encodeMonteCarloInput({ seed: 77n, samples: 2_000n }),
      uri: "ipfs",
    });
    expect(content.programURI).to.match(/^ipfs:\/\/bafkrei/);
    expect(content.inputURI).to.equal(`ipfs://${content.inputCid}`);
    const job = {
      ...content,
      fuelLimit: 100_000_000n,
      reward: 2n * 10n ** 18n,
      collateralPct: 100,
      executionTime: 120,
      challengeWindow: 2,
    };
    // Pre-flight checks the CIDs at the gateway providers will use.
    const preflight = { resolvers: { "ipfs:": createIpfsResolver({ gateways: [t.server.url!] }) } };
    [jobId] = (await postJobs(client, { jobs: [job], preflight })).jobIds as [bigint];

    // A gateway that relays the honest one's blocks with one bit flipped.
    liar = await startRawServer(async (request, response) => {
      liarHits++;
      const honest = new Uint8Array(
        await (await fetch(`${t.server.url}${request.url}`, { headers: { accept: request.headers.accept ?? "*/*" } })).arrayBuffer(),
      );
      honest[honest.length - 1] ^= 1;
      response.writeHead(200, { "content-type": "application/vnd.ipld.raw" }).end(honest);
    });
  });

  after(async function () {
    await liar?.close();
  });

  it("refuses the job when its only gateway sends wrong blocks, and never claims it", async function () {
    const file = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "liar-only",
      index: PROVIDER,
      overrides: { content: { ipfsGateways: [liar.url] } },
    });
    const daemon = startDaemonProcess(file);
    t.daemons.push(daemon);
    const refusal = await waitFor(
      "the ipfs:// job to be refused",
      () => logRecords(daemon).find((r) => r.msg === "job refused" && r.job_id === jobId.toString()),
      60_000,
      200,
    );
    expect(refusal.reason).to.equal("bad content");
    expect(JSON.stringify(refusal.error)).to.match(/IpfsBlockMismatchError/);
    expect(liarHits).to.be.greaterThan(0);
    const [counts] = await eventCounts(t.system, [jobId]);
    expect(counts!.claimed).to.equal(0);
  });

  it("runs the job end to end when the requester's gateway follows the liar", async function () {
    const file = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "two-gateways",
      index: PROVIDER,
      overrides: { content: { ipfsGateways: [liar.url, t.server.url!] } },
    });
    t.daemons.push(startDaemonProcess(file));
    await waitForStates(t.system, [jobId], 90_000, ["Submitted", "Finalized"]);
    const client = t.system.clientFor(REQUESTER);
    const { output } = await fetchJobOutput(client, { jobId, fetch: { allowHosts: ["127.0.0.1"] } });
    const { pi } = decodeMonteCarloOutput(output);
    expect(pi).to.be.within(2.9, 3.4);
  });

  it("hashwork job post --ipfs names the content by CID, and a daemon runs it through the gateway", async function () {
    const { wasm } = await loadSampleProgram("montecarlo");
    await writeFile(join(t.dir, "montecarlo.wasm"), wasm);
    await writeFile(join(t.dir, "seed.bin"), encodeMonteCarloInput({ seed: 78n, samples: 2_000n }));
    const run = await runCli(
      [
        ...["job", "post", "--program", join(t.dir, "montecarlo.wasm"), "--input", join(t.dir, "seed.bin")],
        ...["--reward", "2", "--fuel", "100000000", "--store", join(t.dir, "requester"), "--ipfs", "--json"],
        ...["--rpc", t.system.url, "--market", t.system.deployment.market],
      ],
      { env: { HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(REQUESTER)) } },
    );
    const posted = jsonOf<{ jobId: string; programURI: string; inputURI: string }>(run);
    expect(posted.programURI).to.match(/^ipfs:\/\/bafkrei[a-z2-7]+$/);
    expect(posted.inputURI).to.match(/^ipfs:\/\/bafkrei[a-z2-7]+$/);
    // The testbed's content server serves the store the CLI recorded the CIDs in.
    const cid = posted.inputURI.slice("ipfs://".length);
    expect((await fetch(`${t.server.url}/ipfs/${cid}?format=raw`)).status).to.equal(200);
    const notes = new TextEncoder().encode("content put --ipfs");
    await writeFile(join(t.dir, "notes.txt"), notes);
    const put = jsonOf<{ uri: string }>(
      await runCli(["content", "put", join(t.dir, "notes.txt"), "--store", join(t.dir, "requester"), "--ipfs", "--json"]),
    );
    expect(put.uri).to.match(/^ipfs:\/\/bafkrei/);
    const served = await fetch(`${t.server.url}/ipfs/${put.uri.slice("ipfs://".length)}?format=raw`);
    expect(new Uint8Array(await served.arrayBuffer())).to.deep.equal(notes);

    const file = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "cli-job",
      index: PROVIDER,
      overrides: { content: { ipfsGateways: [t.server.url!] } },
    });
    t.daemons.push(startDaemonProcess(file));
    await waitForStates(t.system, [BigInt(posted.jobId)], 90_000, ["Submitted"]);

    // A challenger re-executes it from the same gateway: the results match, nothing is sent.
    const chain = ["--rpc", t.system.url, "--market", t.system.deployment.market];
    const env = { HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(REQUESTER)) };
    const challenge = await runCli(["job", "challenge", posted.jobId, "--ipfs-gateways", t.server.url!, ...chain], { env });
    expect(challenge.stderr).to.match(/matches a local re-execution/);
    expect(challenge.code).to.equal(1);
    const bad = await runCli(["job", "challenge", posted.jobId, "--ipfs-gateways", "ftp://gateway.example", ...chain], { env });
    expect(bad.stderr.trim()).to.equal(
      'hashwork: --ipfs-gateways: "ftp://gateway.example" is not an http(s) base URL without query or fragment',
    );
    expect(bad.code).to.equal(2);
  });
});
