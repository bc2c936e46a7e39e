// Bad and nondeterministic-looking C programs (ABI v2, built with @yowasp/clang at test time):
// each ends in a deterministic result, the same on every run and worker thread.
import { expect } from "chai";

import { C_MODES } from "../../../testkit/wasi-programs.ts";
import { compileProgram } from "../cli/program-toolchain.ts";
import { createExecutor, type Executor } from "./executor.ts";
import { ExecutionStatus } from "./result-hash.ts";
import { encodeBundle } from "./wasi-bundle.ts";
import { decodeOutput } from "./wasi-out.ts";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("ABI v2 C programs: bad behaviour ends in deterministic results", function () {
  this.timeout(180_000);
  let executor: Executor;
  let wasm: Uint8Array;
  before(async () => {
    wasm = await compileProgram({ file: "modes.c", source: new TextEncoder().encode(C_MODES) });
    executor = createExecutor({ threads: 2 });
  });
  after(() => executor?.close());
  const run = (mode: string, fuelLimit = 20_000_000n, maxOutputBytes?: number) =>
    executor.run({
      wasm,
      input: encodeBundle({ args: [mode] }),
      fuelLimit,
      jobId: 5n,
      limits: maxOutputBytes === undefined ? undefined : { maxOutputBytes },
    });
  /** Three runs at once (two worker threads): one result hash. */
  const thrice = async (mode: string, fuelLimit?: bigint, maxOutputBytes?: number) => {
    const results = await Promise.all([0, 1, 2].map(() => run(mode, fuelLimit, maxOutputBytes)));
    expect(new Set(results.map((r) => r.resultHash)).size, mode).to.equal(1);
    return results[0]!;
  };

  it("an infinite loop ends OutOfFuel at the fuel limit", async function () {
    expect(await thrice("loop")).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 20_000_000n });
  });

  it("a host-call storm (clock_gettime forever) is charged for every call and ends OutOfFuel", async function () {
    const r = await thrice("storm");
    expect(r).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 20_000_000n });
  });

  it("printing forever ends OutputTooLarge at the output cap, before the fuel runs out", async function () {
    expect((await thrice("flood", 1_000_000_000n, 64 * 1024)).status).to.equal(ExecutionStatus.OutputTooLarge);
  });

  it("files written to /out (absolute or relative path) are in the result with stdout", async function () {
    const r = await thrice("out");
    expect(r.status).to.equal(ExecutionStatus.Ok);
    const { stdout, files } = decodeOutput(r.output);
    expect(text(stdout)).to.equal("wrote 2 files\n");
    expect([...files].map(([name, bytes]) => [name, text(bytes)])).to.deep.equal([
      ["a.txt", "first file\n"],
      ["b.csv", "0,0\n1,1\n2,4\n"],
    ]);
  });

  it("the clock and randomness read twice give the same values every run (random continues the stream)", async function () {
    const lines = text((await thrice("twice")).output)
      .trim()
      .split("\n");
    expect(lines).to.have.length(2);
    expect(lines[0]!.slice(0, 15)).to.equal("time=1577836800");
    expect(lines[1]!.slice(0, 15)).to.equal("time=1577836800");
    expect(lines[0]).to.not.equal(lines[1]);
  });

  it("NaN bits computed in C are canonical (f64 and f32)", async function () {
    expect(text((await thrice("nan")).output)).to.equal("7ff8000000000000 7fc00000\n");
  });
});
