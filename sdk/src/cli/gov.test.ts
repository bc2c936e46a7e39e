// `hashwork gov`: usage errors (exit 2, one line) before anything touches the chain, and the
// CALL syntax.
import { expect } from "chai";

import { UsageError } from "./args.ts";
import { parseCall } from "./gov.ts";
import { main } from "./hashwork.ts";

async function exitCode(argv: string[]): Promise<number> {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await main(argv);
  } finally {
    process.stderr.write = write;
  }
}

describe("hashwork gov", function () {
  it("parses contract.function(args), splitting at top-level commas only", () => {
    expect(parseCall("market.setExecutionTimeBounds(60, 86400)")).to.deep.equal({
      contract: "market",
      functionName: "setExecutionTimeBounds",
      args: ["60", "86400"],
    });
    expect(parseCall("market.pause()")).to.deep.equal({ contract: "market", functionName: "pause", args: [] });
    const config =
      '{"challengeBond":"1","verifierLock":"1","verifierFee":"1","verifierSlashBps":"1","challengerRewardBps":"1","auditRateBps":"0","committeeSize":"3","maxRounds":"1","commitPeriod":"60","revealPeriod":"60"}';
    expect(parseCall(`disputes.setConfig(${config})`).args).to.deep.equal([config]);
  });

  it("refuses a malformed call, an unknown contract, a function that is not an owner function, or the wrong argument count", () => {
    for (const text of ["setFeeBps(1)", "vault.setFeeBps(1)", "market.postJob()", "market.setFeeBps()", "market.setFeeBps(x)"]) {
      expect(() => parseCall(text), text).to.throw(UsageError);
    }
  });

  it("exits 2 on usage errors: a bad CALL, a missing description, a bad --support", async () => {
    expect(await exitCode(["gov", "propose", "market.nope(1)", "--description", "x"])).to.equal(2);
    expect(await exitCode(["gov", "propose", "market.setFeeBps(1)"])).to.equal(2);
    expect(await exitCode(["gov", "vote", "1", "--support", "maybe"])).to.equal(2);
  });
});
