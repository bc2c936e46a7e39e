// Bad jobs with real processes: one provider daemon against a `hardhat node`, and jobs posted
// in one batch where bad ones sit between good ones — a program URI serving bytes that do not
// hash to the program hash, an input URI nobody listens on, and an input that makes the wasm
// trap. The daemon logs the bad ones, never claims the unfetchable or mismatched ones (no stake
// locked for them), settles the trapping one with a `Trapped` result, and completes every good job.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";

import { getProvider } from "../actions/auditor/get-provider.ts";
import { fetchJobOutput } from "../actions/requester/fetch-job-output.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { decodeMonteCarloOutput } from "../programs/montecarlo.ts";
import { readJobState } from "../utils/results.ts";
import {
  eventCounts,
  freePort,
  hdAccount,
  LOCAL_FETCH_HOSTS,
  logRecords,
  monteCarloJobs,
  readJournal,
  startDaemonProcess,
  txCountOf,
  waitForStates,
  writeDaemonConfig,
  type TestJob,
} from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const REQUESTER = 1;
const PROVIDER = 2;

const address = (index: number): Address => getAddress(hdAccount(index).address);

describe("daemon refuses or settles bad jobs and keeps serving (hardhat node + daemon child process)", function () {
  this.timeout(60_000);
  const t = useDaemonTestbed("bad-jobs", [PROVIDER]);

  it("hash mismatch and unreachable input are logged and never claimed, a trapping run settles as Trapped, every good job completes", async function () {
    const configFile = await writeDaemonConfig(t.system, {
      dir: t.dir,
      name: "provider",
      index: PROVIDER,
      overrides: { fetch: { timeoutMs: 2_000 } },
    });
    const txsBefore = await txCountOf(t.system, PROVIDER);
    const daemon = startDaemonProcess(configFile);
    t.daemons.push(daemon);

    const base = { requester: REQUESTER, storeDir: join(t.dir, "requester"), uriFor: (h: `0x${string}`) => t.server.uriFor(h) };
    const good = await monteCarloJobs(t.system, { ...base, seeds: [11n, 12n, 13n, 14n] });
    const [mismatchBase] = await monteCarloJobs(t.system, { ...base, seeds: [21n] });
    // The input URI serves the program's bytes: they do not hash to the input hash. (Not the
    // program URI: every montecarlo job has the same program hash, so once the provider holds
    // that program from another job it rightly needs no URI for it — the refusal would depend on
    // the order the jobs are looked at.)
    const mismatch: TestJob = { ...mismatchBase!, inputURI: t.server.uriFor(mismatchBase!.programHash) };
    const [unreachableBase] = await monteCarloJobs(t.system, { ...base, seeds: [22n] });
    const closedPort = await freePort();
    const unreachable: TestJob = { ...unreachableBase!, inputURI: `http://127.0.0.1:${closedPort}/content/${unreachableBase!.inputHash}` };
    // Three bytes are not a montecarlo input: the program traps.
    const [trapping] = await monteCarloJobs(t.system, { ...base, seeds: [0n], input: new Uint8Array([1, 2, 3]) });
    const jobs = [good[0]!, mismatch, good[1]!, unreachable, good[2]!, trapping!, good[3]!];
    const { jobIds } = await postJobs(t.system.clientFor(REQUESTER), { jobs, preflight: false });
    const [g0, bad, g1, gone, g2, trap, g3] = jobIds as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    const settled = [g0, g1, g2, trap, g3];

    await waitForStates(t.system, settled, 25_000);

    const requester = t.system.clientFor(REQUESTER);
    for (const [i, jobId] of [g0, g1, g2, g3].entries()) {
      const { output, outcome } = await fetchJobOutput(requester, { jobId, fetch: { allowHosts: LOCAL_FETCH_HOSTS } });
      expect(outcome.status).to.equal(ExecutionStatus.Ok);
      expect(decodeMonteCarloOutput(output).seed).to.equal(BigInt(11 + i));
    }
    const trapped = await fetchJobOutput(requester, { jobId: trap, fetch: { allowHosts: LOCAL_FETCH_HOSTS } });
    expect(trapped.outcome.status).to.equal(ExecutionStatus.Trapped);
    expect(trapped.result.provider).to.equal(address(PROVIDER));

    // The bad ones: still open, never claimed, no stake locked for them.
    expect(await readJobState(requester, bad)).to.equal("Open");
    expect(await readJobState(requester, gone)).to.equal("Open");
    expect(await eventCounts(t.system, jobIds)).to.deep.equal(
      jobIds.map((id) =>
        id === bad || id === gone ? { claimed: 0, submitted: 0, finalized: 0 } : { claimed: 1, submitted: 1, finalized: 1 },
      ),
    );
    const p = await getProvider(requester, { provider: address(PROVIDER), includeProfile: false });
    expect(p.locked).to.equal(0n);

    // Logged as structured JSON lines with the job id.
    const records = logRecords(daemon);
    const about = (id: bigint) => records.filter((r) => r.job_id === id.toString());
    expect(about(bad).some((r) => r.msg === "job refused" && r.reason === "bad content" && r.level === "warn")).to.equal(true);
    expect(about(gone).some((r) => r.level === "warn" && (r.msg === "content not available yet" || r.msg === "job refused"))).to.equal(
      true,
    );
    expect(about(trap).some((r) => r.msg === "executed" && r.status === ExecutionStatus.Trapped)).to.equal(true);
    for (const id of [bad, gone]) expect(about(id).some((r) => r.msg === "claimed")).to.equal(false);

    daemon.kill("SIGTERM");
    expect(await daemon.exited).to.equal(0);
    const { intents, txs } = readJournal(join(t.dir, "provider", "data"));
    expect(intents.filter((r) => r.job_id === bad.toString() || r.job_id === gone.toString())).to.deep.equal([]);
    expect(intents.every((r) => r.status === "confirmed")).to.equal(true);
    expect(intents).to.have.length(3 * settled.length);
    // What left the account is exactly the journal's transactions (claim, submit and finalize may
    // be batched: at most one per job and step), all mined and succeeded.
    expect(txs.every((tx) => tx.status === "mined")).to.equal(true);
    expect(txs.length).to.be.within(3, 3 * settled.length);
    expect(await txCountOf(t.system, PROVIDER)).to.equal(txsBefore + txs.length);
    for (const tx of txs) {
      expect((await t.system.publicClient.getTransactionReceipt({ hash: tx.hash as `0x${string}` })).status).to.equal("success");
    }
  });
});
