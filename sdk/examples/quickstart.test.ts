// Runs the README's SDK quick start (`sdk/examples/quickstart.mjs`) as its own process against a
// real `hardhat node` with the system deployed and one provider daemon, so the documented
// example cannot silently rot. Here it runs on the SDK's sources (the `hashwork-source` export
// condition); test/package/pack.ts runs it from the packed package on Node 20.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { readJobState } from "../src/utils/results.ts";
import { hdAccount, privateKeyOf, startDaemonProcess, writeDaemonConfig } from "../../testkit/local-cluster.ts";
import { useDaemonTestbed } from "../../testkit/daemon-testbed.ts";

const EXAMPLE = fileURLToPath(new URL("./quickstart.mjs", import.meta.url));
const REQUESTER = 1;
const PROVIDER = 2;

/** Runs a node script in its own process group; the group is killed if it outlives `timeoutMs`. */
function runScript(file: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", "--conditions=hashwork-source", file], {
      env: { ...process.env, ...env },
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("SDK quick start example (its own process, a hardhat node and a provider daemon)", function () {
  this.timeout(120_000);
  const t = useDaemonTestbed("quickstart", [PROVIDER]);

  it("posts a Monte Carlo job, a provider daemon runs it, and the example prints the verified result", async function () {
    t.daemons.push(startDaemonProcess(await writeDaemonConfig(t.system, { dir: t.dir, name: "provider", index: PROVIDER })));

    const run = await runScript(EXAMPLE, { HASHWORK_RPC: t.node.url, HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(REQUESTER)) }, 100_000);

    expect(run.code, run.stderr).to.equal(0);
    const jobId = BigInt(/posted job (\d+)/.exec(run.stdout)?.[1] ?? "0");
    expect(run.stdout).to.match(/pi ≈ 3\.1\d*/);
    expect(["Submitted", "Finalized"]).to.include(await readJobState(t.system.clientFor(REQUESTER), jobId));
  });
});
