// An ordinary C program (ABI v2, WASI) as a job end to end with real processes: built with
// `hashwork program build` (`@yowasp/clang`), posted with `hashwork job post --arg --env --file`
// (the CLI bundles them into the input) on a `hardhat node`, run by a provider daemon child
// process, and fetched with `hashwork job result`, which verifies the output against the committed
// result hash — which holds the program's exit code — equal to a local run with the job's id.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { createExecutor } from "../executor/executor.ts";
import { createLocalStore } from "../store/local.ts";
import { startDaemonProcess, hdAccount, privateKeyOf, waitForStates, writeDaemonConfig } from "../../../testkit/local-cluster.ts";
import { jsonOf, runCli } from "../../../testkit/cli.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";
import { C_CAT } from "../../../testkit/wasi-programs.ts";

const REQUESTER = 1;
const PROVIDER = 2;

describe("daemon runs an ABI v2 (WASI) C program posted with the CLI (hardhat node + daemon child process)", function () {
  this.timeout(180_000);
  const t = useDaemonTestbed("wasi", [PROVIDER]);

  it("job post bundles --arg/--env/--file; the daemon commits Exited(7); job result verifies it and shows the exit code", async function () {
    const source = join(t.dir, "cat.c");
    const wasmFile = join(t.dir, "cat.wasm");
    const dataFile = join(t.dir, "in.txt");
    await writeFile(source, C_CAT);
    await writeFile(dataFile, "bytes from the bundle\n");
    expect(jsonOf<{ abi: number }>(await runCli(["program", "build", source, "-o", wasmFile, "--json"])).abi).to.equal(2);

    const configFile = await writeDaemonConfig(t.system, { dir: t.dir, name: "provider", index: PROVIDER });
    t.daemons.push(startDaemonProcess(configFile));
    const chain = ["--rpc", t.node.url, "--market", t.system.deployment.market];
    const env = { HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(REQUESTER)) };
    const bundle = ["--arg", "data/in.txt", "--arg", "7", "--env", "WHO=chain", "--file", `data/in.txt=${dataFile}`];
    const posted = jsonOf<{ jobId: string; inputHash: string }>(
      await runCli(
        [
          "job",
          "post",
          "--program",
          wasmFile,
          ...bundle,
          "--reward",
          "2",
          "--fuel",
          "100000000",
          "--store",
          join(t.dir, "requester"),
          "--public-url",
          t.server.url!,
          "--json",
          ...chain,
        ],
        { env },
      ),
    );
    const jobId = BigInt(posted.jobId);
    await waitForStates(t.system, [jobId], 60_000, ["Submitted", "Finalized"]);

    const outFile = join(t.dir, "out.txt");
    const result = jsonOf<{ status: string; exitCode: number; resultHash: string; verified: boolean }>(
      await runCli(["job", "result", posted.jobId, "-o", outFile, "--allow-hosts", "127.0.0.1", "--json", ...chain], { env }),
    );
    expect(result).to.include({ status: "Exited", exitCode: 7, verified: true });
    expect(await readFile(outFile, "utf8")).to.contain("argv[2]=7\nWHO=chain\nbytes from the bundle\n");

    // `program run` with the same options and the job's id computes the committed hash offline.
    const local = jsonOf<{ resultHash: string; inputHash: string }>(
      await runCli(["program", "run", wasmFile, ...bundle, "--fuel", "100000000", "--job-id", posted.jobId, "--json"]),
    );
    expect([local.inputHash, local.resultHash]).to.deep.equal([posted.inputHash, result.resultHash]);
    // Another job id seeds random_get differently: another result.
    const executor = createExecutor();
    try {
      const input = await createLocalStore({ dir: join(t.dir, "requester") }).get(posted.inputHash as `0x${string}`);
      const wasm = new Uint8Array(await readFile(wasmFile));
      const same = await executor.run({ wasm, input, fuelLimit: 100_000_000n, jobId });
      const other = await executor.run({ wasm, input, fuelLimit: 100_000_000n, jobId: jobId + 1n });
      expect(same.resultHash).to.equal(result.resultHash);
      expect(other.resultHash).to.not.equal(result.resultHash);
    } finally {
      await executor.close();
    }
  });
});
