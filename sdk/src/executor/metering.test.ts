import { expect } from "chai";

import { DEFAULT_LIMITS, FUEL_PER_HOST_CALL as HOST, FUEL_PER_PAGE, resolveLimits, type ExecutionLimits } from "./abi.ts";
import { binaryen } from "./binaryen-api.ts";
import { instrumentProgram } from "./instrument.ts";
import { ExecutionStatus } from "./result-hash.ts";
import { runInstrumented } from "./run-instrumented.ts";
import { bulkCopy, memoryBomb, okProgram, program } from "../../../testkit/wat-programs.ts";
import { Wasm } from "./webassembly.ts";

/** Instruments and runs in this thread (the worker pool is tested in executor.test.ts). */
function run(wasm: Uint8Array, input = new Uint8Array(), fuelLimit = 1_000_000_000n, limits: ExecutionLimits = DEFAULT_LIMITS) {
  const module = new Wasm.Module(instrumentProgram({ wasm, limits }).wasm);
  return runInstrumented({ module, input, fuelLimit, maxOutputBytes: limits.maxOutputBytes });
}

describe("fuel metering", function () {
  it("charges one fuel per instruction, four per call and FUEL_PER_HOST_CALL per host call", function () {
    // i32.store16 + 2 consts = 3; call + 2 consts = 6; the host call
    const result = run(okProgram());
    expect(result.status).to.equal(ExecutionStatus.Ok);
    expect(result.fuelUsed).to.equal(9n + HOST);
    expect(new TextDecoder().decode(result.output)).to.equal("ok");
  });

  it("charges a loop body on every iteration", function () {
    // br_if, i32.ne, local.tee, i32.add, local.get, 2 consts = 7 per iteration, 10 iterations
    const wasm = program(`(local $i i32)
      (loop $l (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 10))))`);
    expect(run(wasm).fuelUsed).to.equal(70n);
  });

  it("charges a large if arm only when it runs", function () {
    const drops = Array.from({ length: 5 }, (_, i) => `(drop (i32.const ${i}))`).join(" ");
    const wasm = program(`(if (call $input_size) (then ${drops}))`);
    // if + call = 5 at entry; the arm (5 drops + 5 consts) = 10 more
    expect(run(wasm).fuelUsed).to.equal(5n + HOST);
    expect(run(wasm, new Uint8Array([1])).fuelUsed).to.equal(15n + HOST);
  });

  it("charges a small straight-line arm up front, whether or not it runs", function () {
    const wasm = program(`(if (call $input_size) (then (drop (i32.const 1))) (else (nop)))`);
    // if + call = 5, plus the larger arm (drop + const = 2) paid by the entry segment
    expect(run(wasm).fuelUsed).to.equal(7n + HOST);
    expect(run(wasm, new Uint8Array([1])).fuelUsed).to.equal(7n + HOST);
  });

  it("charges a while-style loop once per iteration, arm included", function () {
    // loop { if (i < 10) { i++; br loop } }: header pays if + lt_u + get + const (4) + arm
    // (local.set, add, get, const, br = 5) on each of 11 entries (the last one exits).
    const wasm = program(`(local $i i32)
      (loop $l (if (i32.lt_u (local.get $i) (i32.const 10))
        (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))`);
    expect(run(wasm).fuelUsed).to.equal(11n * 9n);
  });

  it("charges the code after a branch target as its own segment", function () {
    const wasm = program(`(block $skip (br_if $skip (call $input_size)) (drop (i32.const 1)))
      (loop $twice (br_if $twice (i32.eqz (call $input_size))))`);
    // With input: block segment (br_if 1 + call 4 + drop 1 + const 1 = 7) + loop (br_if, eqz, call = 6) once.
    expect(run(wasm, new Uint8Array([1])).fuelUsed).to.equal(13n + 2n * HOST); // and two host calls
  });

  describe("a leaf function (no loop, no call but to the host, at most 64 expressions)", function () {
    // $get: if (x > 9) { drop } else { drop; drop }, then x + 1. Its costliest path: if + gt_s +
    // get + const (4), the else arm (2 drops + 2 consts = 4), add + get + const (3) = 11.
    const leaf = `(func $get (param $x i32) (result i32)
      (if (i32.gt_s (local.get $x) (i32.const 9)) (then (drop (i32.const 1))) (else (drop (i32.const 1)) (drop (i32.const 2))))
      (i32.add (local.get $x) (i32.const 1)))`;

    it("is paid by its caller at its costliest path, whichever path runs", function () {
      // drop + call 4 + const = 6, plus the leaf's 11
      expect(run(program(`(drop (call $get (i32.const 0)))`, leaf)).fuelUsed).to.equal(17n);
      expect(run(program(`(drop (call $get (i32.const 10)))`, leaf)).fuelUsed).to.equal(17n);
    });

    it("is paid inside the caller's loop iteration, and traps on fuel at the loop header", function () {
      // loop { br_if (ne (tee i (call get i)) 100) }: br_if, ne, tee, call 4, get, const = 9, + 11, 100 times
      const wasm = program(`(local $i i32) (loop $l (br_if $l (i32.ne (local.tee $i (call $get (local.get $i))) (i32.const 100))))`, leaf);
      expect(run(wasm).fuelUsed).to.equal(2000n);
      expect(run(wasm, new Uint8Array(), 1999n)).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 1999n });
    });

    it("through a table is paid at the costliest leaf of the signature, when every table function of it is a leaf", function () {
      const table = `(type $t (func (param i32) (result i32))) (table 2 funcref) (elem (i32.const 0) $get $inc) ${leaf}
        (func $inc (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))`;
      // drop + call_indirect 4 + 2 consts = 7, plus the costlier of $get (11) and $inc (3)
      expect(run(program(`(drop (call_indirect (type $t) (i32.const 1) (i32.const 1)))`, table)).fuelUsed).to.equal(18n);
      // A non-leaf of the same signature in the table: each callee pays for itself ($inc: 7 + its 3)
      const mixed = `(type $t (func (param i32) (result i32))) (table 3 funcref) (elem (i32.const 0) $inc $loops $get) ${leaf}
        (func $inc (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
        (func $loops (param $x i32) (result i32) (loop $l (br_if $l (i32.eqz (local.get $x)))) (local.get $x))`;
      expect(run(program(`(drop (call_indirect (type $t) (i32.const 1) (i32.const 0)))`, mixed)).fuelUsed).to.equal(10n);
    });

    it("still pays for its host calls where they happen", function () {
      const hostLeaf = `(func $size (result i32) (call $input_size))`;
      // drop + call 4 = 5, plus the leaf's call 4, plus the host call
      expect(run(program(`(drop (call $size))`, hostLeaf)).fuelUsed).to.equal(9n + HOST);
    });
  });

  it("charges bulk memory by the byte (1 fuel per 16 bytes)", function () {
    const small = run(bulkCopy(), new Uint8Array([0])).fuelUsed;
    const large = run(bulkCopy(), new Uint8Array([100])).fuelUsed;
    expect(large - small).to.equal(100n);
  });

  it("charges memory.grow per page granted", function () {
    const at = (pages: number) => run(memoryBomb(), new Uint8Array(), 1n << 40n, resolveLimits({ maxMemoryPages: pages })).fuelUsed;
    // 64 pages: 1 + 3×16 granted, 4 iterations; 128 pages: 1 + 7×16 granted, 8 iterations.
    const extra = at(128) - at(64);
    const perIteration = (extra - 4n * 16n * FUEL_PER_PAGE) / 4n;
    expect(extra).to.equal(4n * 16n * FUEL_PER_PAGE + 4n * perIteration);
    expect(perIteration > 0n && perIteration < 20n).to.equal(true);
  });

  it("reports OutOfFuel with fuelUsed = fuelLimit, and Ok one fuel later", function () {
    const exhausted = run(okProgram(), new Uint8Array(), 8n + HOST);
    expect(exhausted).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 8n + HOST });
    expect(exhausted.output.length).to.equal(0);
    expect(run(okProgram(), new Uint8Array(), 9n + HOST)).to.deep.include({ status: ExecutionStatus.Ok, fuelUsed: 9n + HOST });
    expect(run(okProgram(), new Uint8Array(), 0n)).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 0n });
  });

  it("accepts the whole uint64 range of a job's fuel limit", function () {
    expect(run(okProgram(), new Uint8Array(), (1n << 64n) - 1n)).to.deep.include({ status: ExecutionStatus.Ok, fuelUsed: 9n + HOST });
  });

  it("charges host copies by the byte", function () {
    const wasm = program(`(call $output_write (i32.const 0) (i32.const 1600))`);
    expect(run(wasm).fuelUsed).to.equal(6n + HOST + 100n); // call + 2 consts, the host call, then 1600 / 16
  });
});

describe("instrumentation", function () {
  it("is deterministic and produces a valid module", function () {
    const a = instrumentProgram({ wasm: memoryBomb(), limits: DEFAULT_LIMITS }).wasm;
    const b = instrumentProgram({ wasm: memoryBomb(), limits: DEFAULT_LIMITS }).wasm;
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
    const module = binaryen.readBinary(a);
    try {
      module.setFeatures(binaryen.Features.All);
      expect(module.validate()).to.not.equal(0);
    } finally {
      module.dispose();
    }
  });

  it("exports only the host's entry points", function () {
    const wasm = program(``, `(func (export "other")) (global (export "g") i32 (i32.const 1))`);
    const module = new Wasm.Module(instrumentProgram({ wasm, limits: DEFAULT_LIMITS }).wasm);
    expect(
      Wasm.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).to.deep.equal(["__hashwork_entry", "__hashwork_fault", "__hashwork_fuel", "memory"]);
  });
});
