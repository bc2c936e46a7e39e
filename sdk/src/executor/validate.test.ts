import { expect } from "chai";

import { DEFAULT_LIMITS, resolveLimits } from "./abi.ts";
import { ForbiddenFeatureError, ForbiddenImportError, InvalidProgramError, MalformedProgramError, ProgramAbiError } from "./errors.ts";
import { instrumentProgram } from "./instrument.ts";
import { okProgram, program, wat } from "../../../testkit/wat-programs.ts";

function refusal(wasm: Uint8Array, limits = DEFAULT_LIMITS): unknown {
  try {
    instrumentProgram({ wasm, limits });
  } catch (error) {
    return error;
  }
  throw new Error("expected the program to be refused");
}

describe("program validation (ABI v1)", function () {
  it("accepts a minimal program", function () {
    expect(() => instrumentProgram({ wasm: okProgram(), limits: DEFAULT_LIMITS })).to.not.throw();
  });

  describe("malformed modules", function () {
    it("refuses bytes that are not wasm, naming the engine's complaint", function () {
      const error = refusal(new TextEncoder().encode("definitely not wasm"));
      expect(error).to.be.instanceOf(MalformedProgramError).and.instanceOf(InvalidProgramError);
      expect((error as MalformedProgramError).details).to.match(/magic/i);
    });

    it("refuses a truncated module", function () {
      const bytes = okProgram();
      expect(refusal(bytes.subarray(0, bytes.length - 3))).to.be.instanceOf(MalformedProgramError);
    });

    it("refuses a module whose code does not validate", function () {
      const bytes = wat(`(module (memory (export "memory") 1) (func (export "run") (drop (i32.add (i32.const 1) (f64.const 1)))))`);
      expect(refusal(bytes)).to.be.instanceOf(MalformedProgramError);
    });
  });

  describe("imports", function () {
    const cases: [string, string][] = [
      ["randomness", `(import "env" "seed" (func (result f64)))`],
      ["Date.now", `(import "Date" "now" (func (result f64)))`],
    ];
    for (const [what, decl] of cases) {
      it(`refuses ${what}`, function () {
        const error = refusal(program("", decl)) as ForbiddenImportError;
        expect(error).to.be.instanceOf(ForbiddenImportError);
        expect(error.shortMessage).to.match(/imports "/);
        expect(error.reason).to.match(/no clock, randomness/);
      });
    }

    it("refuses a program mixing ABI v1 host functions with WASI (a WASI import makes it ABI v2)", function () {
      const clock = `(import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))`;
      const error = refusal(program("", clock)) as ForbiddenImportError;
      expect(error).to.be.instanceOf(ForbiddenImportError);
      expect(error.module).to.equal("hashwork");
      expect(error.reason).to.match(/ABI v2\) may import only WASI preview 1 functions/);
    });

    it("refuses an imported memory", function () {
      const bytes = wat(`(module (import "env" "memory" (memory 1)) (export "memory" (memory 0)) (func (export "run")))`);
      const error = refusal(bytes) as ForbiddenImportError;
      expect(error).to.be.instanceOf(ForbiddenImportError);
      expect([error.module, error.field]).to.deep.equal(["env", "memory"]);
    });

    it("refuses a host import with the wrong signature", function () {
      const bytes = wat(`(module (import "hashwork" "input_size" (func (result i64)))
        (memory (export "memory") 1) (func (export "run")))`);
      const error = refusal(bytes) as ForbiddenImportError;
      expect(error).to.be.instanceOf(ForbiddenImportError);
      expect(error.reason).to.match(/wrong signature/);
    });
  });

  describe("non-deterministic or unmetered features", function () {
    it("refuses shared memory (threads)", function () {
      const bytes = wat(`(module (memory (export "memory") 1 1 shared) (func (export "run")))`);
      const error = refusal(bytes) as ForbiddenFeatureError;
      expect(error).to.be.instanceOf(ForbiddenFeatureError);
      expect(error.feature).to.match(/threads/);
    });

    it("refuses atomic instructions", function () {
      const error = refusal(program(`(drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))`)) as ForbiddenFeatureError;
      expect(error).to.be.instanceOf(ForbiddenFeatureError);
      expect(error.feature).to.match(/atomics/);
    });

    it("refuses relaxed SIMD, naming the instruction", function () {
      const error = refusal(
        program(`(v128.store (i32.const 0) (f32x4.relaxed_madd (v128.const i64x2 0 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0)))`),
      ) as ForbiddenFeatureError;
      expect(error).to.be.instanceOf(ForbiddenFeatureError);
      expect(error.feature).to.equal("relaxed SIMD (RelaxedMaddVecF32x4)");
    });

    it("accepts ordinary SIMD", function () {
      expect(() =>
        instrumentProgram({
          wasm: program(`(v128.store (i32.const 0) (i32x4.add (v128.const i64x2 1 2) (v128.const i64x2 3 4)))`),
          limits: DEFAULT_LIMITS,
        }),
      ).to.not.throw();
    });

    it("refuses exceptions", function () {
      const error = refusal(program(`(throw $e)`, `(tag $e)`)) as ForbiddenFeatureError;
      expect(error).to.be.instanceOf(ForbiddenFeatureError);
      expect(error.feature).to.equal("exception handling");
    });

    it("refuses tail calls", function () {
      const error = refusal(program(`(return_call $f)`, `(func $f)`)) as ForbiddenFeatureError;
      expect(error.feature).to.equal("tail calls");
    });

    it("refuses reference-typed globals", function () {
      const error = refusal(program(``, `(global $g funcref (ref.null func))`)) as ForbiddenFeatureError;
      expect(error.feature).to.equal("reference types");
    });

    it("refuses memory64 and multiple memories", function () {
      const m64 = wat(`(module (memory (export "memory") i64 1) (func (export "run")))`);
      expect((refusal(m64) as ForbiddenFeatureError).feature).to.equal("memory64");
      const two = wat(`(module (memory (export "memory") 1) (memory $b 1) (func (export "run")))`);
      expect((refusal(two) as ForbiddenFeatureError).feature).to.equal("multiple memories");
    });
  });

  describe("ABI shape", function () {
    it("requires an exported run() -> ()", function () {
      const none = wat(`(module (memory (export "memory") 1) (func (export "main")))`);
      expect((refusal(none) as ProgramAbiError).problem).to.match(/no exported function "run"/);
      const params = wat(`(module (memory (export "memory") 1) (func (export "run") (param i32)))`);
      expect((refusal(params) as ProgramAbiError).problem).to.match(/no parameters/);
    });

    it("requires an exported memory", function () {
      const bytes = wat(`(module (memory 1) (func (export "run")))`);
      expect((refusal(bytes) as ProgramAbiError).problem).to.match(/exported memory/);
    });

    it("refuses an initial memory above the cap", function () {
      const bytes = program("", "", `(memory (export "memory") 65)`);
      const error = refusal(bytes, resolveLimits({ maxMemoryPages: 64 })) as ProgramAbiError;
      expect(error).to.be.instanceOf(ProgramAbiError);
      expect(error.problem).to.match(/65 pages exceeds the cap of 64/);
    });
  });
});
