import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { toFunctionSelector } from "viem";

import { ABI_CONTRACTS, renderGeneratedFiles, staleGeneratedFiles } from "../../../scripts/generate-abis.ts";
import { contractErrorsBySelector } from "../errors/contract-errors.ts";
import { JobState, Phase, jobStateNames, phaseNames } from "./enums.ts";
import { hashworkDisputesAbi } from "./hashwork-disputes.ts";
import { hashworkMarketAbi } from "./hashwork-market.ts";
import { verifierPoolAbi } from "./verifier-pool.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("generated ABIs and errors", function () {
  it("are up to date with the compiled artifacts (run `npm run generate:abis` if not)", async function () {
    const expected = await renderGeneratedFiles(root);
    const stale: string[] = [];
    for (const [path, content] of expected) {
      const current = await readFile(join(root, path), "utf8").catch(() => "");
      if (current !== content) stale.push(path);
    }
    stale.push(...(await staleGeneratedFiles(root, expected)));
    expect(stale, `stale generated files: ${stale.join(", ")}`).to.deep.equal([]);
  });

  it("cover every contract listed in ABI_CONTRACTS", async function () {
    const files = await renderGeneratedFiles(root);
    for (const name of Object.keys(ABI_CONTRACTS)) {
      const kebab = name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
      expect(files.has(`sdk/src/abi/${kebab}.ts`), name).to.equal(true);
    }
  });

  it("give every custom error class the selector of its signature", function () {
    const market = hashworkMarketAbi.filter((item) => item.type === "error");
    const disputes = hashworkDisputesAbi.filter((item) => item.type === "error");
    const pool = verifierPoolAbi.filter((item) => item.type === "error");
    expect(market.length).to.be.greaterThan(40);
    expect(disputes.filter((item) => item.name.startsWith("Dispute")).length).to.equal(27);
    expect(pool.filter((item) => item.name.startsWith("Pool")).length).to.equal(8);
    for (const item of [...market, ...disputes, ...pool]) {
      const signature = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      const cls = contractErrorsBySelector[toFunctionSelector(signature) as keyof typeof contractErrorsBySelector];
      expect(cls, signature).to.not.equal(undefined);
      expect(cls.errorName).to.equal(item.name);
    }
  });

  it("mirror the Solidity JobState enum in order", function () {
    expect(jobStateNames[JobState.Open]).to.equal("Open");
    expect(JobState.Finalized).to.equal(5);
    expect(jobStateNames.length).to.equal(Object.keys(JobState).length);
  });

  it("mirror the dispute module's Phase enum in order", function () {
    expect(phaseNames[Phase.Voting]).to.equal("Voting");
    expect(Phase.Voided).to.equal(5);
    expect(phaseNames.length).to.equal(Object.keys(Phase).length);
  });
});
