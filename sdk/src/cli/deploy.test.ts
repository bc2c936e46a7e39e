// `hashwork deploy` run twice against a real anvil (its own chain id, so the Ignition folder it
// writes, ignition/deployments/chain-<id>, is this test's alone): the second run, which has
// nothing new to deploy and rewrites no file, reports the same addresses (it once said "no
// deployed_addresses.json was written"), and off a terminal Ignition's batches print once each.
import { rm } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { hdAccount, type HardhatNode, privateKeyOf, startAnvilNode } from "../../../testkit/local-cluster.ts";
import { jsonOf, REPO_ROOT, runCli } from "../../../testkit/cli.ts";

const CHAIN_ID = 31_338;

describe("hashwork deploy", function () {
  this.timeout(600_000);

  let anvil: HardhatNode | undefined;
  const dir = join(REPO_ROOT, "ignition", "deployments", `chain-${CHAIN_ID}`);

  after(async function () {
    anvil?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it("run twice without --deployment-id finds its deployment both times, and prints each Ignition batch once", async function () {
    await rm(dir, { recursive: true, force: true });
    anvil = await startAnvilNode({ args: ["--chain-id", String(CHAIN_ID)] });
    const { url } = anvil;
    const env = { HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(0)) };
    type Deployed = { chainId: number; market: string; token: string; deploymentDir: string };
    // --json sends Hardhat's progress to stderr, which is not a terminal here.
    const first = await runCli(["deploy", "--rpc", url, "--yes", "--json"], { env, timeoutMs: 560_000 });
    const deployed = jsonOf<Deployed>(first);
    expect(deployed.chainId).to.equal(CHAIN_ID);
    expect(deployed.deploymentDir).to.equal(dir);
    const batches = [...first.stderr.matchAll(/^Batch #\d+$/gm)].map((m) => m[0]);
    expect(batches.length, first.stderr).to.be.greaterThan(3);
    expect(new Set(batches).size, first.stderr).to.equal(batches.length);
    expect(first.stderr).to.not.contain("Hardhat Ignition starting for");

    const second = await runCli(["deploy", "--rpc", url, "--yes", "--json"], { env, timeoutMs: 560_000 });
    expect(second.stderr).to.contain("Nothing new to deploy");
    expect(jsonOf<Deployed>(second)).to.deep.equal(deployed);
  });
});
