/**
 * Landing review 5, what held: leaf functions (metering v3, `sdk/src/executor/leaf-functions.ts`).
 * Each test PASSES WHILE THE DEFENCE HOLDS. Real binaryen instrumentation, real wasm runs.
 *
 * Attacks: a host call inside a leaf that moves many bytes (must cost what it costs outside a
 * leaf); a trap inside a leaf (fuel must stay deterministic and never below what ran); a table
 * mixing leaves with a host import of the same signature (the import is not a leaf, so nothing is
 * prepaid for it); recursion through the table (a function with `call_indirect` is never a leaf,
 * so the cycle still pays and is stopped); a leaf at the 64-expression limit called in a loop.
 */
import { expect } from "chai";

import { DEFAULT_LIMITS } from "../../sdk/src/executor/abi.ts";
import { instrumentProgram } from "../../sdk/src/executor/instrument.ts";
import { ExecutionStatus } from "../../sdk/src/executor/result-hash.ts";
import { runInstrumented } from "../../sdk/src/executor/run-instrumented.ts";
import { Wasm } from "../../sdk/src/executor/webassembly.ts";
import { program } from "../../testkit/wat-programs.ts";

function run(wasm: Uint8Array, fuelLimit = 10_000_000_000n) {
  const module = new Wasm.Module(instrumentProgram({ wasm, limits: DEFAULT_LIMITS }).wasm);
  return runInstrumented({ module, input: new Uint8Array(), fuelLimit, maxOutputBytes: DEFAULT_LIMITS.maxOutputBytes });
}

/** `output_write(0, n)` in a leaf, or inline. */
const viaLeaf = (n: number) =>
  program(`(call $w (i32.const ${n}))`, `(func $w (param $n i32) (call $output_write (i32.const 0) (local.get $n)))`);
const inline = (n: number) =>
  program(
    `(call $output_write (i32.const 0) (i32.const ${n}))`,
    `(func $w (param $n i32) (call $output_write (i32.const 0) (local.get $n)))`,
  );

describe("landing review 5: leaf functions", function () {
  this.timeout(60_000);

  it("a host call inside a leaf costs what it costs outside one, whatever its size", function () {
    const small = [run(viaLeaf(16)), run(inline(16))];
    const large = [run(viaLeaf(60_000)), run(inline(60_000))];
    for (const r of [...small, ...large]) expect(r.status).to.equal(ExecutionStatus.Ok);
    expect(large[1]!.fuelUsed).to.be.greaterThan(small[1]!.fuelUsed, "the host charges by the byte");
    expect(large[0]!.fuelUsed - large[1]!.fuelUsed).to.equal(small[0]!.fuelUsed - small[1]!.fuelUsed);
  });

  it("a trap inside a leaf: the same fuel on every run, at least the instructions that ran", function () {
    // The leaf traps on its first instruction path (unreachable after a store); the caller prepaid all of it.
    const wasm = program(
      `(drop (call $t (i32.const 1)))`,
      `(func $t (param $x i32) (result i32) (i32.store (i32.const 0) (local.get $x)) (if (local.get $x) (then unreachable)) (i32.add (local.get $x) (i32.const 1)))`,
    );
    const a = run(wasm);
    const b = run(wasm);
    expect(a.status).to.not.equal(ExecutionStatus.Ok);
    expect(a.fuelUsed).to.equal(b.fuelUsed);
    expect(a.fuelUsed).to.be.greaterThanOrEqual(8n);
  });

  it("a table mixing leaves with a host import of their signature: the import's bytes are still charged", function () {
    const table = (n: number) =>
      program(
        `(call_indirect (type $t) (i32.const 0) (i32.const ${n}) (i32.const 0))`,
        `(type $t (func (param i32 i32))) (table 2 funcref) (elem (i32.const 0) $output_write $leaf)
         (func $leaf (param i32 i32) (nop))`,
      );
    const [small, large] = [run(table(16)), run(table(60_000))];
    expect(large.fuelUsed - small.fuelUsed).to.equal(run(inline(60_000)).fuelUsed - run(inline(16)).fuelUsed);
  });

  it("recursion through the table is not a leaf: it runs out of fuel", function () {
    const wasm = program(
      `(call $a)`,
      `(type $v (func)) (table 2 funcref) (elem (i32.const 0) $a $b)
       (func $a (call_indirect (type $v) (i32.const 1))) (func $b (call_indirect (type $v) (i32.const 0)))`,
    );
    const r = run(wasm, 1_000_000n);
    expect(r.status).to.not.equal(ExecutionStatus.Ok);
  });

  it("a leaf near the 64-expression limit, in a loop: stopped at exactly the fuel limit", function () {
    const body = Array.from({ length: 15 }, (_, i) => `(local.set $x (i32.add (local.get $x) (i32.const ${i})))`).join(" ");
    const leaf = `(func $big (param $x i32) (result i32) ${body} (local.get $x))`;
    const wasm = program(`(local $i i32) (loop $l (local.set $i (call $big (local.get $i))) (br $l))`, leaf);
    const r = run(wasm, 1_000_000n);
    expect(r).to.deep.include({ status: ExecutionStatus.OutOfFuel });
    expect(r.fuelUsed).to.be.lessThanOrEqual(1_000_000n);
  });
});
