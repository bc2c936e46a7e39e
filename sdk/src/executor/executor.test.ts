import { expect } from "chai";
import { keccak256 } from "viem";

import { DEFAULT_LIMITS } from "./abi.ts";
import {
  ExecutionCancelledError,
  ExecutionTimeoutError,
  ExecutorClosedError,
  ForbiddenImportError,
  InvalidExecutionParametersError,
  MalformedProgramError,
  ProgramTooLargeError,
} from "./errors.ts";
import { executeProgram } from "./execute-program.ts";
import { createExecutor, type Executor } from "./executor.ts";
import { MAX_NESTING } from "./instrument-function.ts";
import { CANONICAL_NAN_F32, CANONICAL_NAN_F64 } from "./nan-canonicalization.ts";
import { ExecutionStatus, computeResultHash } from "./result-hash.ts";
import {
  callsAbort,
  divideByZero,
  echo,
  infiniteLoop,
  infiniteRecursion,
  infiniteStart,
  indirectRecursion,
  memoryBomb,
  mutualRecursion,
  nanProducer,
  nestedBlocks,
  okProgram,
  program,
  repeatedOutput,
  trapAfterOutput,
} from "../../../testkit/wat-programs.ts";
import { Wasm } from "./webassembly.ts";

const EMPTY = new Uint8Array();
const u32 = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);

describe("executor", function () {
  this.timeout(20_000);
  let executor: Executor;
  before(function () {
    executor = createExecutor({ threads: 2 });
  });
  after(async function () {
    await executor.close();
  });

  it("returns the result commitment of a run", async function () {
    const result = await executor.run({ wasm: okProgram(), input: EMPTY, fuelLimit: 100n });
    expect(result.status).to.equal(ExecutionStatus.Ok);
    expect(new TextDecoder().decode(result.output)).to.equal("ok");
    expect(result.outputHash).to.equal(keccak256(result.output));
    expect(result.resultHash).to.equal(computeResultHash(result.outputHash, result.fuelUsed, result.status));
    expect(result.programHash).to.equal(keccak256(okProgram()));
  });

  it("warm() starts the workers up front; runs use them and close() stops them", async function () {
    const warmed = createExecutor({ threads: 2 });
    try {
      warmed.warm();
      warmed.warm(); // idempotent
      const result = await warmed.run({ wasm: okProgram(), input: EMPTY, fuelLimit: 100n });
      expect(result.status).to.equal(ExecutionStatus.Ok);
    } finally {
      await warmed.close();
    }
  });

  describe("infinite loops", function () {
    it("end OutOfFuel with the same fuelUsed every time", async function () {
      const runs = await Promise.all([1, 2, 3].map(() => executor.run({ wasm: infiniteLoop(), input: EMPTY, fuelLimit: 5_000_000n })));
      for (const r of runs) {
        expect(r).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 5_000_000n });
        expect(r.output.length).to.equal(0);
        expect(r.resultHash).to.equal(runs[0]!.resultHash);
      }
    });

    it("are metered in the start function too", async function () {
      const r = await executor.run({ wasm: infiniteStart(), input: EMPTY, fuelLimit: 1_000_000n });
      expect(r.status).to.equal(ExecutionStatus.OutOfFuel);
    });

    it("hit the wall-clock guard as a typed error, and the pool recovers", async function () {
      const started = performance.now();
      let error: unknown;
      await executor.run({ wasm: infiniteLoop(), input: EMPTY, fuelLimit: 1n << 62n, timeoutMs: 300 }).catch((e) => (error = e));
      expect(error).to.be.instanceOf(ExecutionTimeoutError);
      expect((error as ExecutionTimeoutError).timeoutMs).to.equal(300);
      expect(performance.now() - started < 10_000).to.equal(true);
      const after = await executor.run({ wasm: okProgram(), input: EMPTY, fuelLimit: 100n });
      expect(after.status).to.equal(ExecutionStatus.Ok);
    });

    it("can be cancelled", async function () {
      const controller = new AbortController();
      const running = executor.run({ wasm: infiniteLoop(), input: EMPTY, fuelLimit: 1n << 62n, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      let error: unknown;
      await running.catch((e) => (error = e));
      expect(error).to.be.instanceOf(ExecutionCancelledError);
    });
  });

  describe("unbounded recursion", function () {
    it("traps at the stack budget with identical fuel whatever the engine's stack size", async function () {
      const small = createExecutor({ resourceLimits: { stackSizeMb: 4 } });
      try {
        const [a, b] = await Promise.all([
          small.run({ wasm: infiniteRecursion(), input: EMPTY, fuelLimit: 1n << 40n }),
          executor.run({ wasm: infiniteRecursion(), input: EMPTY, fuelLimit: 1n << 40n }),
        ]);
        expect(a.status).to.equal(ExecutionStatus.Trapped);
        expect(a.resultHash).to.equal(b.resultHash);
        expect(a.fuelUsed).to.equal(b.fuelUsed);
      } finally {
        await small.close();
      }
    });

    it("covers mutual recursion and recursion through the table", async function () {
      for (const wasm of [mutualRecursion(), indirectRecursion()]) {
        const r = await executor.run({ wasm, input: EMPTY, fuelLimit: 1n << 40n });
        expect(r.status).to.equal(ExecutionStatus.Trapped);
      }
    });
  });

  describe("memory", function () {
    it("caps growth: a memory bomb is a result, not a crash", async function () {
      const r = await executor.run({ wasm: memoryBomb(), input: EMPTY, fuelLimit: 1n << 40n });
      expect(r.status).to.equal(ExecutionStatus.Ok);
      expect(u32(r.output)).to.equal(1009); // 1 + 63 × 16 ≤ 1024 pages; one more step would exceed the cap
      const again = await executor.run({ wasm: memoryBomb(), input: EMPTY, fuelLimit: 1n << 40n });
      expect(again.resultHash).to.equal(r.resultHash);
    });

    it("honours a smaller cap and the module's own maximum", async function () {
      const capped = await executor.run({ wasm: memoryBomb(), input: EMPTY, fuelLimit: 1n << 40n, limits: { maxMemoryPages: 64 } });
      expect(u32(capped.output)).to.equal(49);
      const declared = await executor.run({ wasm: memoryBomb(`(memory (export "memory") 1 20)`), input: EMPTY, fuelLimit: 1n << 40n });
      expect(u32(declared.output)).to.equal(17);
    });
  });

  describe("output", function () {
    it("ends OutputTooLarge one byte past the cap", async function () {
      const max = DEFAULT_LIMITS.maxOutputBytes / 65536;
      const over = await executor.run({ wasm: repeatedOutput(max + 1), input: EMPTY, fuelLimit: 1n << 40n });
      expect(over.status).to.equal(ExecutionStatus.OutputTooLarge);
      expect(over.output.length).to.equal(0);
      const atCap = await executor.run({ wasm: repeatedOutput(max), input: EMPTY, fuelLimit: 1n << 40n });
      expect(atCap.status).to.equal(ExecutionStatus.Ok);
      expect(atCap.output.length).to.equal(DEFAULT_LIMITS.maxOutputBytes);
    });

    it("passes the input through", async function () {
      const input = new TextEncoder().encode("hello, hashwork");
      const r = await executor.run({ wasm: echo(), input, fuelLimit: 1000n });
      expect(Buffer.from(r.output).equals(Buffer.from(input))).to.equal(true);
    });
  });

  describe("traps", function () {
    for (const [what, wasm] of [
      ["unreachable (after output)", trapAfterOutput],
      ["integer division by zero", divideByZero],
      ["AssemblyScript's abort()", callsAbort],
      ["output_write out of bounds", () => program(`(call $output_write (i32.const 65530) (i32.const 100))`)],
      ["input_read past the input", () => program(`(call $input_read (i32.const 0) (i32.const 1) (i32.const 1))`)],
      ["a data segment out of bounds", () => program(``, `(data (i32.const 70000) "x")`)],
    ] as const) {
      it(`end Trapped with empty output: ${what}`, async function () {
        const r = await executor.run({ wasm: wasm(), input: EMPTY, fuelLimit: 10_000n });
        expect(r.status).to.equal(ExecutionStatus.Trapped);
        expect(r.output.length).to.equal(0);
        expect(r.outputHash).to.equal(keccak256(EMPTY));
      });
    }
  });

  describe("NaN canonicalization", function () {
    const payloadNaN = new Uint8Array(new BigUint64Array([0x7ff4_0000_0000_0001n]).buffer);

    it("makes every NaN that reaches memory the canonical NaN", async function () {
      const r = await executor.run({ wasm: nanProducer(), input: payloadNaN, fuelLimit: 10_000n });
      expect(r.status).to.equal(ExecutionStatus.Ok);
      const view = new DataView(r.output.buffer, r.output.byteOffset);
      expect(view.getBigUint64(0, true)).to.equal(CANONICAL_NAN_F64); // payload NaN + 1
      expect(view.getBigUint64(8, true)).to.equal(CANONICAL_NAN_F64); // 0 / 0
      expect(view.getBigUint64(16, true)).to.equal(CANONICAL_NAN_F64); // reinterpret(sqrt(-1))
      expect(view.getFloat64(24, true)).to.equal(1); // copysign(1, NaN): the canonical NaN is positive
      expect(view.getUint32(32, true)).to.equal(CANONICAL_NAN_F32); // f32 0 / 0
      expect(view.getBigUint64(48, true)).to.equal(CANONICAL_NAN_F64); // f64x2 lane 0: 0 / 0
      expect(view.getFloat64(56, true)).to.equal(1); // f64x2 lane 1: 1 / 1
    });

    it("changes what the engine alone would produce (the payload survives without it)", function () {
      // Without instrumentation the hardware propagates the input NaN's payload (x86 and ARM alike).
      const instance = new Wasm.Instance(new Wasm.Module(nanProducer()), {
        hashwork: {
          input_size: () => payloadNaN.length,
          input_read: (ptr: number, offset: number, len: number) =>
            new Uint8Array((instance.exports.memory as { buffer: ArrayBuffer }).buffer).set(payloadNaN.subarray(offset, offset + len), ptr),
          output_write: () => {},
        },
      });
      (instance.exports.run as () => void)();
      const raw = new DataView((instance.exports.memory as { buffer: ArrayBuffer }).buffer);
      expect(Number.isNaN(raw.getFloat64(0, true))).to.equal(true);
      expect(raw.getBigUint64(0, true)).to.not.equal(CANONICAL_NAN_F64);
    });
  });

  describe("refusals and parameters", function () {
    it("rejects invalid programs with typed errors", async function () {
      let error: unknown;
      await executor.run({ wasm: new Uint8Array([0, 97, 115, 109, 1]), input: EMPTY, fuelLimit: 1n }).catch((e) => (error = e));
      expect(error).to.be.instanceOf(MalformedProgramError);
      await executor
        .run({ wasm: program("", `(import "env" "seed" (func (result f64)))`), input: EMPTY, fuelLimit: 1n })
        .catch((e) => (error = e));
      expect(error).to.be.instanceOf(ForbiddenImportError);
    });

    it("rejects a fuel limit out of range and an input over the limit", async function () {
      let error: unknown;
      await executor.run({ wasm: okProgram(), input: EMPTY, fuelLimit: -1n }).catch((e) => (error = e));
      expect(error).to.be.instanceOf(InvalidExecutionParametersError);
      error = undefined;
      await executor.run({ wasm: okProgram(), input: EMPTY, fuelLimit: 1n << 64n }).catch((e) => (error = e));
      expect(error).to.be.instanceOf(InvalidExecutionParametersError);
      error = undefined;
      await executor
        .run({ wasm: okProgram(), input: new Uint8Array(5), fuelLimit: 1n, limits: { maxInputBytes: 4 } })
        .catch((e) => (error = e));
      expect(error).to.be.instanceOf(InvalidExecutionParametersError);
    });

    it("refuses nesting past the fixed limit, whatever the caller's stack", async function () {
      const deep = await executor.run({ wasm: nestedBlocks(MAX_NESTING - 10), input: EMPTY, fuelLimit: 100n });
      expect(deep.status).to.equal(ExecutionStatus.Ok);
      let error: unknown;
      await executor.run({ wasm: nestedBlocks(MAX_NESTING + 10), input: EMPTY, fuelLimit: 100n }).catch((e) => (error = e));
      // The section scan refuses it before binaryen sees it (MODULE_LIMITS.maxControlNesting = MAX_NESTING).
      expect(error).to.be.instanceOf(ProgramTooLargeError);
      expect((error as ProgramTooLargeError).limit).to.equal("maxControlNesting");
      expect((error as ProgramTooLargeError).max).to.equal(MAX_NESTING);
    });

    it("instruments a program once (cached by program hash)", async function () {
      const wasm = echo();
      const first = await executor.cache.prepare(wasm, DEFAULT_LIMITS);
      await executor.run({ wasm, input: EMPTY, fuelLimit: 100n });
      const second = await executor.cache.prepare(new Uint8Array(wasm), DEFAULT_LIMITS);
      expect(second.module).to.equal(first.module);
    });

    it("takes a verified program hash instead of hashing the program again (the daemon's store verified it)", async function () {
      const wasm = echo();
      const byHash = await executor.cache.prepare(wasm, DEFAULT_LIMITS, keccak256(wasm));
      expect(byHash.programHash).to.equal(keccak256(wasm));
      // The same entry as the hashed path: one preparation per program either way.
      expect((await executor.cache.prepare(new Uint8Array(wasm), DEFAULT_LIMITS)).module).to.equal(byHash.module);
      // The given hash is trusted, not checked: bytes handed in under it get that entry (so they were not hashed).
      expect((await executor.cache.prepare(okProgram(), DEFAULT_LIMITS, keccak256(wasm))).module).to.equal(byHash.module);
      const run = await executor.run({ wasm, input: EMPTY, fuelLimit: 100n, programHash: keccak256(wasm) });
      expect(run.programHash).to.equal(keccak256(wasm));
    });

    it("refuses runs after close", async function () {
      const closing = createExecutor();
      await closing.run({ wasm: okProgram(), input: EMPTY, fuelLimit: 100n });
      await closing.close();
      let error: unknown;
      await closing.run({ wasm: okProgram(), input: EMPTY, fuelLimit: 100n }).catch((e) => (error = e));
      expect(error).to.be.instanceOf(ExecutorClosedError);
    });
  });

  it("executeProgram runs once in its own worker", async function () {
    const r = await executeProgram({ wasm: okProgram(), input: EMPTY, fuelLimit: 100n });
    expect(r.status).to.equal(ExecutionStatus.Ok);
    expect(r.fuelUsed).to.equal(73n); // 9 for the instructions, 64 for the host call
  });
});
