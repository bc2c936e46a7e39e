// An ordinary C program (ABI v2, WASI) as a job end to end with real processes: compiled with
// `@yowasp/clang`, its input a bundle (args, env, a file), posted on a `hardhat node`, run by a
// provider daemon child process, the output fetched and verified against the committed result
// hash — which holds the program's exit code — and equal to a local run with the same job id.
import { join } from "node:path";

import { expect } from "chai";

import { fetchJobOutput } from "../actions/requester/fetch-job-output.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { uploadJobContent } from "../actions/requester/upload-job-content.ts";
import { compileProgram } from "../cli/program-toolchain.ts";
import { createExecutor } from "../executor/executor.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { encodeBundle } from "../executor/wasi-bundle.ts";
import { createLocalStore } from "../store/local.ts";
import { startDaemonProcess, waitForStates, writeDaemonConfig } from "../../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";
import { C_CAT } from "../../../testkit/wasi-programs.ts";

const REQUESTER = 1;
const PROVIDER = 2;

describe("daemon runs an ABI v2 (WASI) C program as a job (hardhat node + daemon child process)", function () {
  this.timeout(150_000);
  const t = useDaemonTestbed("wasi", [PROVIDER]);

  it("posts it, the daemon commits Exited(7) with the program's stdout, and the requester verifies it", async function () {
    const wasm = await compileProgram({ file: "cat.c", source: new TextEncoder().encode(C_CAT) });
    const input = encodeBundle({ args: ["data/in.txt", "7"], env: ["WHO=chain"], files: [["data/in.txt", new TextEncoder().encode("bytes from the bundle\n")]] });
    const requester = t.system.clientFor(REQUESTER);
    const store = createLocalStore({ dir: join(t.dir, "requester") });
    const content = await uploadJobContent(requester, { store, program: wasm, input });
    const job = {
      programHash: content.programHash,
      inputHash: content.inputHash,
      programURI: t.server.uriFor(content.programHash),
      inputURI: t.server.uriFor(content.inputHash),
      fuelLimit: 100_000_000n,
      reward: 2n * 10n ** 18n,
      collateralPct: 100,
      executionTime: 120,
      challengeWindow: 2,
    };
    const configFile = await writeDaemonConfig(t.system, { dir: t.dir, name: "provider", index: PROVIDER });
    t.daemons.push(startDaemonProcess(configFile));
    const { jobIds } = await postJobs(requester, { jobs: [job] });
    const jobId = jobIds[0]!;
    await waitForStates(t.system, [jobId], 60_000, ["Submitted", "Finalized"]);

    const fetched = await fetchJobOutput(requester, { jobId, store, fetch: { allowHosts: ["127.0.0.1"] } });
    expect(fetched.outcome.status).to.equal(ExecutionStatus.Exited);
    expect(fetched.outcome.exitCode).to.equal(7);
    const text = new TextDecoder().decode(fetched.output);
    expect(text).to.contain("argv[2]=7\nWHO=chain\nbytes from the bundle\n");

    // A local run with the job's id gives the committed hash (randomness is seeded by the id).
    const executor = createExecutor();
    try {
      const local = await executor.run({ wasm, input, fuelLimit: job.fuelLimit, jobId });
      expect(local.resultHash).to.equal(fetched.result.resultHash);
      const otherId = await executor.run({ wasm, input, fuelLimit: job.fuelLimit, jobId: jobId + 1n });
      expect(otherId.resultHash).to.not.equal(local.resultHash);
    } finally {
      await executor.close();
    }
  });
});
