// Issue 12, executor half: a suite of hostile modules run through the real prepare + execute path
// (scan, validation and instrumentation in the child process, compilation, a run in a worker).
// A module the validator accepts but whose run ends without a result (an error instead of a
// status) is an unsubmittable job: a provider would claim it and lose collateral. Target: 0.
import {
  createExecutor,
  createInstrumenter,
  createModuleCache,
  DEFAULT_LIMITS,
  ExecutionStatus,
  InvalidProgramError,
  MODULE_LIMITS,
} from "../../sdk/src/executor/index.ts";
import {
  T,
  assemble,
  bigData,
  deepFrameChain,
  deepOperandStackRecursion,
  growLoop,
  hugeTable,
  indirectCallMesh,
  longOutput,
  manyFunctions,
  manyLocals,
  manyOutputWrites,
  nestedBrIf,
  type FunctionSpec,
} from "../../testkit/hostile-programs.ts";
import { okProgram } from "../../testkit/wat-programs.ts";

export type HostileExecutorCase = { name: string; outcome: string; ms: number; rssMb: number };

export type HostileExecutorReport = {
  /** Slowest preparation (scan, validation, instrumentation) of any case, in ms. */
  worstInstrumentMs: number;
  /** Largest resident memory of the instrumentation process during any case, in MB. */
  worstInstrumentRssMb: number;
  /** Cases the validator accepted whose run ended without a status. */
  unsubmittableJobs: number;
  cases: HostileExecutorCase[];
};

const STATUS_NAMES = Object.fromEntries(Object.entries(ExecutionStatus).map(([k, v]) => [v, k])) as Record<number, string>;

/** `functions` functions of about `bytes` bytes of straight-line code each (`x = x + x` repeated): the most code binaryen may be given. */
function denseCode(functions: number, bytes: number): Uint8Array {
  const unit = [0x20, 0x00, 0x20, 0x00, 0x6a, 0x21, 0x00]; // local.get 0, local.get 0, i32.add, local.set 0
  const body = new Array<number>(Math.floor(bytes / unit.length) * unit.length);
  for (let k = 0; k < body.length; k++) body[k] = unit[k % unit.length]!;
  const fns: FunctionSpec[] = [{ type: 0, body: [] }];
  for (let f = 0; f < functions; f++) fns.push({ type: 0, locals: [[1, T.i32]], body });
  return assemble({ types: [[[], []]], functions: fns, run: 0 });
}

/** As many functions of maximal block nesting as fit in the code-size limit. */
function manyDeepNests(): Uint8Array {
  const depth = MODULE_LIMITS.maxControlNesting;
  const one = [...Array.from({ length: depth }, () => [0x02, 0x40, 0x41, 0x00, 0x0d, 0x00]).flat(), ...new Array<number>(depth).fill(0x0b)];
  const count = Math.floor((MODULE_LIMITS.maxCodeBytes - 1024) / (one.length + 4));
  const fns: FunctionSpec[] = [{ type: 0, body: [] }];
  for (let f = 0; f < count; f++) fns.push({ type: 0, body: one });
  return assemble({ types: [[[], []]], functions: fns, run: 0 });
}

/**
 * Builds the hostile suite and runs every case through a fresh instrumentation process (so the
 * memory figure is that case's own) and a real executor; about 30–60 s on the 2-core machine.
 *
 * @example
 * const { worstInstrumentMs, unsubmittableJobs } = await measureExecutorHostility()
 */
export async function measureExecutorHostility(): Promise<HostileExecutorReport> {
  const suite: { name: string; wasm: () => Uint8Array; fuelLimit?: bigint }[] = [
    { name: "1M 1-byte output_write calls", wasm: () => manyOutputWrites(1_000_000), fuelLimit: 100_000_000n },
    { name: "1M 1-byte output_write calls, 13M fuel", wasm: () => manyOutputWrites(1_000_000), fuelLimit: 13_000_000n },
    { name: "chain of 1,000 functions × 20,000 v128 locals", wasm: () => deepFrameChain(1000, 20_000) },
    { name: "chain of 25 functions × 10,000 v128 locals", wasm: () => deepFrameChain(25, 10_000) },
    { name: "recursion holding 5,000 operands across each call", wasm: () => deepOperandStackRecursion(5_000), fuelLimit: 1n << 40n },
    { name: "20,000 functions each with call_indirect (original, 224 KB)", wasm: () => indirectCallMesh(20_000) },
    { name: "9,999 functions each with call_indirect", wasm: () => indirectCallMesh(MODULE_LIMITS.maxFunctions - 1) },
    { name: "100,000 nested block{br_if 0} (original, 700 KB)", wasm: () => nestedBrIf(100_000) },
    { name: "10,000 nested block{br_if 0}", wasm: () => nestedBrIf(MODULE_LIMITS.maxControlNesting) },
    { name: "code section full of 10,000-deep nests", wasm: manyDeepNests },
    { name: "2 × 250 KB of straight-line code", wasm: () => denseCode(2, 250 * 1024) },
    { name: "10,000 functions", wasm: () => manyFunctions(MODULE_LIMITS.maxFunctions) },
    { name: "25 functions × 10,000 locals", wasm: () => manyLocals(10_000, 25) },
    { name: "table of 65,536 entries", wasm: () => hugeTable(MODULE_LIMITS.maxTableEntries) },
    { name: "table of 10,000,000 entries", wasm: () => hugeTable(10_000_000) },
    { name: "7 MiB data segment", wasm: () => bigData(7 * 1024 * 1024) },
    { name: "memory.grow(1) forever", wasm: growLoop, fuelLimit: 50_000_000n },
    { name: "64 KiB output × 200", wasm: () => longOutput(65_536, 200) },
  ];

  const cases: HostileExecutorCase[] = [];
  let unsubmittableJobs = 0;
  for (const { name, wasm: build, fuelLimit = 20_000_000n } of suite) {
    const wasm = build();
    const instrumenter = createInstrumenter();
    const cache = createModuleCache({ instrumenter });
    const executor = createExecutor({ threads: 1, cache });
    let outcome: string;
    let ms = 0;
    let rssMb = 0;
    try {
      await instrumenter.instrument(okProgram(), DEFAULT_LIMITS); // start the process outside the measurement
      const started = performance.now();
      let prepared = true;
      try {
        await cache.prepare(wasm, DEFAULT_LIMITS);
      } catch (error) {
        prepared = false;
        const e = error as Error & { limit?: string };
        outcome =
          error instanceof InvalidProgramError ? `refused: ${e.name}${e.limit ? ` (${e.limit})` : ""}` : `prepare failed: ${e.name}`;
      }
      ms = performance.now() - started;
      rssMb = instrumenter.lastRun?.rssMb ?? 0;
      if (prepared) {
        try {
          const result = await executor.run({ wasm, input: new Uint8Array(), fuelLimit });
          outcome = `${STATUS_NAMES[result.status]} (fuel ${result.fuelUsed}, output ${result.output.length} B)`;
        } catch (error) {
          unsubmittableJobs++;
          outcome = `NO RESULT: ${(error as Error).name}: ${(error as { details?: string }).details ?? (error as Error).message}`;
        }
      }
    } finally {
      await executor.close();
      await instrumenter.close();
    }
    cases.push({ name, outcome: outcome!, ms: Math.round(ms), rssMb: Math.round(rssMb) });
  }
  return {
    worstInstrumentMs: Math.max(...cases.map((c) => c.ms)),
    worstInstrumentRssMb: Math.max(...cases.map((c) => c.rssMb)),
    unsubmittableJobs,
    cases,
  };
}
