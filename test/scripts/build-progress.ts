// The demo's compile step (scripts/lib/build-progress.ts): Hardhat's own job planning lists what a
// fresh clone compiles (job by job, with the settings that make it slow), and an up-to-date build
// is one line. Nothing is compiled here: `force` only plans, and the build is already done.
import { expect } from "chai";
import hre from "hardhat";

import { buildContracts, planContractBuild } from "../../scripts/lib/build-progress.ts";

describe("the demo's contract build with progress (scripts/lib/build-progress.ts)", function () {
  it("plans a fresh clone's build: every contract job with its optimizer runs, tests' Solidity left out", async function () {
    const plan = await planContractBuild(hre, { force: true });
    expect(plan.files).to.be.greaterThan(10);
    expect(plan.solcVersion).to.match(/^0\.8\.\d+$/);
    // The size-limited contracts compile in jobs of their own, at their own runs (hardhat.config.ts).
    expect(plan.jobs).to.include("HashworkMarket.sol (viaIR, 300 optimizer runs)");
    expect(plan.jobs).to.include("HashworkDisputes.sol (viaIR, 20 optimizer runs)");
    expect(plan.jobs.join("\n")).to.not.match(/\.t\.sol/);
  });

  it("plans nothing and says so in one line when the artifacts are up to date", async function () {
    expect((await planContractBuild(hre)).jobs).to.deep.equal([]);
    const lines: string[] = [];
    await buildContracts(hre, (line) => lines.push(line));
    expect(lines).to.have.lengthOf(1);
    expect(lines[0]).to.match(/^contracts up to date \(hardhat build, \d+\.\d s\)$/);
  });
});
