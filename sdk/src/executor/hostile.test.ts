// Issue 12: jobs that pass the pre-claim checks must end in a committed result, and the
// pre-claim work must be bounded and never paid twice. Every hostile module is generated here.
import { expect } from "chai";

import { DEFAULT_LIMITS, FUEL_PER_HOST_CALL, MAX_STACK_SLOTS } from "./abi.ts";
import { binaryen } from "./binaryen-api.ts";
import { analyzeCallGraph } from "./call-graph.ts";
import { ExecutorResourceError, InstrumentationError, InvalidProgramError, ProgramTooLargeError } from "./errors.ts";
import { createExecutor, type Executor } from "./executor.ts";
import {
  deepFrameChain,
  deepOperandStackRecursion,
  hugeTable,
  indirectCallMesh,
  manyLocals,
  manyOutputWrites,
  nestedBrIf,
  randomProgram,
  recursionWithLocals,
} from "../../../testkit/hostile-programs.ts";
import { createInstrumenter, type Instrumenter } from "./instrumenter.ts";
import { createModuleCache, type ModuleCache } from "./module-cache.ts";
import { ExecutionStatus } from "./result-hash.ts";
import { okProgram } from "../../../testkit/wat-programs.ts";

const EMPTY = new Uint8Array();
const STATUSES = new Set<number>(Object.values(ExecutionStatus));

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

describe("hostile jobs (issue 12)", function () {
  this.timeout(20_000);
  let executor: Executor;
  let cache: ModuleCache;
  let instrumenter: Instrumenter;
  before(function () {
    instrumenter = createInstrumenter();
    cache = createModuleCache({ instrumenter });
    executor = createExecutor({ threads: 1, cache });
  });
  after(async function () {
    await executor.close();
    await instrumenter.close();
  });

  describe("runs that used to end without a result", function () {
    it("a million 1-byte output_write calls pay a host-call fee and end in a result", async function () {
      const wasm = manyOutputWrites(1_000_000);
      const ok = await executor.run({ wasm, input: EMPTY, fuelLimit: 100_000_000n });
      expect(ok.status).to.equal(ExecutionStatus.Ok);
      expect(ok.output.length).to.equal(1_000_000);
      expect(ok.fuelUsed > 1_000_000n * FUEL_PER_HOST_CALL).to.equal(true);
      const short = await executor.run({ wasm, input: EMPTY, fuelLimit: 13_000_000n });
      expect(short).to.deep.include({ status: ExecutionStatus.OutOfFuel, fuelUsed: 13_000_000n });
    });

    it("a non-recursive chain of big frames traps on the stack budget", async function () {
      // 25 functions × 10 000 v128 locals: within MODULE_LIMITS, 20 000 slots a frame.
      const result = await executor.run({ wasm: deepFrameChain(25, 10_000), input: EMPTY, fuelLimit: 1_000_000n });
      expect(result.status).to.equal(ExecutionStatus.Trapped);
    });

    it("the original chain (1 000 functions × 20 000 v128 locals) is refused before instrumentation, and the refusal is cached", async function () {
      const wasm = deepFrameChain(1000, 20_000);
      const first = cache.prepare(wasm, DEFAULT_LIMITS);
      const error = (await refusal(first)) as ProgramTooLargeError;
      expect(error).to.be.instanceOf(ProgramTooLargeError);
      expect(error.limit).to.equal("maxLocalsPerFunction");
      expect(cache.prepare(wasm, DEFAULT_LIMITS)).to.equal(first);
    });

    it("at the largest budget a caller may set, the budget still ends recursion before the engine's stack", async function () {
      const result = await executor.run({
        wasm: recursionWithLocals(1000),
        input: EMPTY,
        fuelLimit: 1n << 40n,
        limits: { maxStackSlots: MAX_STACK_SLOTS },
      });
      expect(result.status).to.equal(ExecutionStatus.Trapped);
    });

    it("recursion with a deep operand stack traps on the stack budget, not the engine's stack", async function () {
      // Each level holds 5 000 values across the recursive call: the old budget counted 8 slots.
      const result = await executor.run({ wasm: deepOperandStackRecursion(5_000), input: EMPTY, fuelLimit: 1n << 40n });
      expect(result.status).to.equal(ExecutionStatus.Trapped);
    });
  });

  describe("call graph (linear; static stack for closed functions)", function () {
    const analyze = (wasm: Uint8Array) => {
      const m = binaryen.readBinary(wasm);
      try {
        const defined: string[] = [];
        for (let i = 0; i < m.getNumFunctions(); i++) {
          const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
          if (!info.module) defined.push(info.name);
        }
        return { graph: analyzeCallGraph(m, defined), defined };
      } finally {
        m.dispose();
      }
    };

    it("a non-recursive chain is closed: no per-call accounting, its whole depth reserved at the entry", function () {
      const { graph, defined } = analyze(deepFrameChain(3, 10));
      expect(graph.stackCharge.size).to.equal(0);
      expect(graph.closed.size).to.equal(3);
      const [a, b, c] = defined.map((name) => graph.entryCharge(name));
      expect(a! > b! && b! > c! && c! > 20).to.equal(true); // each frame holds 10 v128 locals = 20 slots
    });

    it("functions that reach recursion are open and charge at run time, reserving their closed callees", function () {
      const { graph, defined } = analyze(deepOperandStackRecursion(100));
      const [run, rec] = defined;
      expect(graph.recursive.has(rec!)).to.equal(true);
      expect(graph.stackCharge.has(run!) && graph.stackCharge.has(rec!)).to.equal(true);
      expect(graph.stackCharge.get(rec!)).to.be.above(200); // twice the 100-deep operand stack
      expect(graph.entryCharge(run)).to.equal(0);
    });
  });

  describe("bounded pre-claim work", function () {
    it("N functions with one call_indirect each are analyzed in linear time", async function () {
      const started = performance.now();
      const result = await executor.run({ wasm: indirectCallMesh(9_000), input: EMPTY, fuelLimit: 1_000_000n });
      expect(result.status).to.equal(ExecutionStatus.Ok);
      expect(performance.now() - started).to.be.below(15_000); // was quadratic: ~4 s at 5 000, minutes at 20 000
    });

    it("a 700 KB nest of block { br_if 0 } is refused by the scan, cheaply, and cached", async function () {
      const wasm = nestedBrIf(100_000);
      const first = cache.prepare(wasm, DEFAULT_LIMITS);
      const error = (await refusal(first)) as ProgramTooLargeError;
      expect(error).to.be.instanceOf(ProgramTooLargeError);
      expect(error.limit).to.equal("maxCodeBytes");
      expect(error.shortMessage).to.match(/maxCodeBytes/);
      expect(cache.prepare(wasm, DEFAULT_LIMITS)).to.equal(first);
      // Under the size limits, the nesting limit refuses it.
      const nest = (await refusal(cache.prepare(nestedBrIf(20_000), DEFAULT_LIMITS))) as ProgramTooLargeError;
      expect(nest.limit).to.equal("maxControlNesting");
    });

    it("other limits name themselves: locals in total, table size", async function () {
      const locals = (await refusal(cache.prepare(manyLocals(9_000, 30), DEFAULT_LIMITS))) as ProgramTooLargeError;
      expect(locals.limit).to.equal("maxTotalLocals");
      const table = (await refusal(cache.prepare(hugeTable(10_000_000), DEFAULT_LIMITS))) as ProgramTooLargeError;
      expect(table.limit).to.equal("maxTableEntries");
    });

    it("a module over the preparation time cap is refused, cached, and the next module gets a fresh process", async function () {
      const slow = createInstrumenter({ timeoutMs: 1 });
      const slowCache = createModuleCache({ instrumenter: slow });
      try {
        const wasm = indirectCallMesh(2_000);
        const first = slowCache.prepare(wasm, DEFAULT_LIMITS);
        const error = (await refusal(first)) as ProgramTooLargeError;
        expect(error).to.be.instanceOf(ProgramTooLargeError);
        expect(error.limit).to.equal("prepareTimeMs");
        expect(slowCache.prepare(wasm, DEFAULT_LIMITS)).to.equal(first);
      } finally {
        await slow.close();
      }
      const roomy = createInstrumenter({ maxRssMb: 1 });
      try {
        const error = (await refusal(roomy.instrument(okProgram(), DEFAULT_LIMITS))) as ProgramTooLargeError;
        expect(error.limit).to.equal("prepareMemoryMb");
        expect(error).to.be.instanceOf(InvalidProgramError);
      } finally {
        await roomy.close();
      }
      // The shared instrumenter is unaffected and a killed one restarts: prepare still works.
      await cache.prepare(okProgram(), DEFAULT_LIMITS);
    });
  });

  describe("fuzz: every module the validator accepts ends with a status", function () {
    it("300 seeded random modules", async function () {
      this.timeout(120_000);
      const tally = { ok: 0, outOfFuel: 0, trapped: 0, outputTooLarge: 0, refused: 0 };
      for (let seed = 1; seed <= 300; seed++) {
        const wasm = randomProgram(seed);
        try {
          const result = await executor.run({ wasm, input: new Uint8Array([seed & 0xff]), fuelLimit: 30_000_000n }); // enough for deep recursion: 30 of these 300 overflowed the engine stack before issue 12
          expect(STATUSES.has(result.status), `seed ${seed}`).to.equal(true);
          const names = ["ok", "outOfFuel", "trapped", "outputTooLarge"] as const;
          tally[names[result.status as 0 | 1 | 2 | 3]]++; // v1 programs never end Exited
        } catch (error) {
          if (error instanceof ExecutorResourceError || error instanceof InstrumentationError || !(error instanceof InvalidProgramError)) {
            throw new Error(
              `seed ${seed}: ${(error as Error).name}: ${(error as { details?: string }).details ?? (error as Error).message}`,
            );
          }
          tally.refused++;
        }
      }
      expect(tally.ok + tally.outOfFuel + tally.trapped + tally.outputTooLarge).to.be.above(250);
    });
  });
});
