import { createCipheriv } from "node:crypto";

import { expect } from "chai";
import { encodeAbiParameters, hexToBytes, keccak256 } from "viem";

import { emitted, wasiProgram } from "../../../testkit/wasi-programs.ts";
import { wat } from "../../../testkit/wat-programs.ts";
import { WASI_LIMITS, Errno } from "./wasi-abi.ts";
import { encodeBundle } from "./wasi-bundle.ts";
import { createExecutor, type Executor } from "./executor.ts";
import { ForbiddenImportError, ProgramAbiError } from "./errors.ts";
import { ExecutionStatus, computeResultHash } from "./result-hash.ts";

const FUEL = 50_000_000n;
const noInput = encodeBundle({});

describe("ABI v2: the deterministic WASI preview 1 profile (WAT edge cases)", function () {
  this.timeout(60_000);
  let executor: Executor;
  before(() => {
    executor = createExecutor({ threads: 2 });
  });
  after(() => executor.close());
  const run = (wasm: Uint8Array, input = noInput, extra: { fuelLimit?: bigint; jobId?: bigint; maxOutputBytes?: number } = {}) =>
    executor.run({
      wasm,
      input,
      fuelLimit: extra.fuelLimit ?? FUEL,
      jobId: extra.jobId,
      limits: extra.maxOutputBytes === undefined ? undefined : { maxOutputBytes: extra.maxOutputBytes },
    });

  describe("validation", function () {
    const refusal = async (wasm: Uint8Array) =>
      run(wasm).then(
        () => undefined,
        (e: unknown) => e,
      );

    it("refuses a name outside WASI preview 1, before running", async function () {
      const wasm = wat(`(module (import "wasi_snapshot_preview1" "path_teleport" (func (param i32) (result i32)))
        (memory (export "memory") 1) (func (export "_start")))`);
      const error = (await refusal(wasm)) as ForbiddenImportError;
      expect(error).to.be.instanceOf(ForbiddenImportError);
      expect(error.field).to.equal("path_teleport");
    });

    it("refuses a WASI function with the wrong signature", async function () {
      const wasm = wat(`(module (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i32 i32) (result i32)))
        (memory (export "memory") 1) (func (export "_start")))`);
      const error = (await refusal(wasm)) as ForbiddenImportError;
      expect(error).to.be.instanceOf(ForbiddenImportError);
      expect(error.reason).to.match(/wrong signature; ABI v2 declares \(i32, i64, i32\)/);
    });

    it("requires _start (not run) once the program imports WASI", async function () {
      const wasm = wat(`(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
        (memory (export "memory") 1) (func (export "run")))`);
      const error = (await refusal(wasm)) as ProgramAbiError;
      expect(error).to.be.instanceOf(ProgramAbiError);
      expect(error.problem).to.match(/no exported function "_start" \(ABI v2\)/);
    });
  });

  describe("exit codes", function () {
    it("proc_exit(3) ends the run Exited(3), the code in the commitment, the output kept", async function () {
      const wasm = (code: number) =>
        wasiProgram(`(call $emit (i32.const 42)) (call $proc_exit (i32.const ${code})) (call $emit (i32.const 43))`, ["proc_exit"]);
      const three = await run(wasm(3));
      expect(three.status).to.equal(ExecutionStatus.Exited);
      expect(three.exitCode).to.equal(3);
      expect(emitted(three.output)).to.deep.equal([42]);
      expect(three.resultHash).to.equal(computeResultHash(three.outputHash, three.fuelUsed, ExecutionStatus.Exited, 3));
      const four = await run(wasm(4));
      expect(four.fuelUsed).to.equal(three.fuelUsed);
      expect(four.resultHash).to.not.equal(three.resultHash);
      // proc_exit(0) is the same result as returning from _start.
      const zero = await run(wasm(0));
      expect([zero.status, zero.exitCode]).to.deep.equal([ExecutionStatus.Ok, 0]);
      expect(zero.resultHash).to.equal(computeResultHash(zero.outputHash, zero.fuelUsed, ExecutionStatus.Ok));
      // An exit code is unsigned 32-bit.
      expect((await run(wasm(-1))).exitCode).to.equal(0xffffffff);
    });
  });

  describe("fuel of host calls", function () {
    it("charges 1024 a call plus the bytes, exactly: 1 per 16 copied, 1 per random byte", async function () {
      const random = (len: number) => wasiProgram(`(drop (call $random_get (i32.const 0) (i32.const ${len})))`, ["random_get"]);
      const none = await run(random(0));
      expect((await run(random(1600))).fuelUsed - none.fuelUsed).to.equal(1600n);
      // fd_write of n bytes from memory (one iovec at 0 → (4096, n)) to stderr: n >> 4.
      const write = (n: number) =>
        wasiProgram(
          `(i32.store (i32.const 0) (i32.const 4096)) (i32.store (i32.const 4) (i32.const ${n})) (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))`,
        );
      const w0 = await run(write(0));
      expect((await run(write(1600))).fuelUsed - w0.fuelUsed).to.equal(100n);
      expect((await run(write(1615))).fuelUsed - w0.fuelUsed).to.equal(100n); // rounded down
      const twice = await run(
        wasiProgram(`(drop (call $random_get (i32.const 0) (i32.const 0))) (drop (call $random_get (i32.const 0) (i32.const 0)))`, [
          "random_get",
        ]),
      );
      expect(twice.fuelUsed - none.fuelUsed >= 1024n).to.equal(true); // the call itself, on top of its instructions
    });

    it("a host-call storm pays for every call and ends OutOfFuel", async function () {
      const storm = wasiProgram(`(loop $l (drop (call $sched_yield)) (br $l))`, ["sched_yield"]);
      const started = performance.now();
      const result = await run(storm, noInput, { fuelLimit: 10_000_000n });
      expect(result.status).to.equal(ExecutionStatus.OutOfFuel);
      expect(result.fuelUsed).to.equal(10_000_000n);
      console.log(`      call storm: 10 M fuel in ${Math.round(result.wallTimeMs)} ms`);
      expect(performance.now() - started).to.be.lessThan(10_000);
    });

    it("an unimplemented function (a socket) returns ENOSYS and still costs its call", async function () {
      const result = await run(wasiProgram(`(call $emit (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 0)))`, ["sock_accept"]));
      expect(result.status).to.equal(ExecutionStatus.Ok);
      expect(emitted(result.output)).to.deep.equal([Errno.NOSYS]);
    });
  });

  describe("caps are results, not crashes", function () {
    const open = (pathLen: number, result = 0) =>
      `(call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const ${pathLen}) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const ${result}))`;
    const files = encodeBundle({ files: [["a.txt", new TextEncoder().encode("hello")]] });
    // "a.txt" at 2048
    const withName = `(data (i32.const 2048) "a.txt")`;

    it("open files: EMFILE after the 64th descriptor; a closed one is reused (lowest first)", async function () {
      const body = `(local $k i32)
        (loop $l (call $emit ${open(5, 0)}) (local.set $k (i32.add (local.get $k) (i32.const 1))) (br_if $l (i32.lt_u (local.get $k) (i32.const 62))))
        (call $emit (i32.load (i32.const 0)))
        (call $emit (call $fd_close (i32.const 10)))
        (call $emit ${open(5, 0)}) (call $emit (i32.load (i32.const 0)))`;
      const result = await run(wasiProgram(body, ["path_open", "fd_close"], withName), files);
      const values = emitted(result.output);
      const opened = WASI_LIMITS.maxOpenFiles - 4; // 0-2 and the root are open
      expect(values.slice(0, opened).every((v) => v === 0)).to.equal(true);
      expect(values.slice(opened, 62)).to.deep.equal([Errno.MFILE, Errno.MFILE]);
      expect(values.slice(62)).to.deep.equal([63, 0, 0, 10]);
    });

    it("a missing file is ENOENT, a long path ENAMETOOLONG, an escape ENOTCAPABLE, a bad pointer EFAULT", async function () {
      const body = `(call $emit ${open(4)}) (call $emit ${open(5000)}) (call $emit ${open(5, 200_000)})
        (call $emit (call $path_open (i32.const 3) (i32.const 0) (i32.const 2100) (i32.const 8) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))`;
      const result = await run(wasiProgram(body, ["path_open"], `${withName} (data (i32.const 2100) "../a.txt")`), files);
      expect(emitted(result.output)).to.deep.equal([Errno.NOENT, Errno.NAMETOOLONG, Errno.FAULT, Errno.NOTCAPABLE]);
    });

    it("a storm of the longest paths (4096 bytes of a/../) is paid for and ends OutOfFuel promptly", async function () {
      const path = "a/../".repeat(819) + "a";
      const storm = wasiProgram(`(loop $l (drop ${open(path.length, 0)}) (br $l))`, ["path_open"], `(data (i32.const 2048) "${path}")`);
      const started = performance.now();
      const result = await run(storm, encodeBundle({ files: [["a/x", new Uint8Array(1)]] }), { fuelLimit: 20_000_000n });
      expect(result.status).to.equal(ExecutionStatus.OutOfFuel);
      console.log(`      path storm: 20 M fuel in ${Math.round(performance.now() - started)} ms (run ${Math.round(result.wallTimeMs)} ms)`);
      expect(result.wallTimeMs).to.be.lessThan(5_000);
    });

    it("too many iovecs is EINVAL; stdout past the cap ends OutputTooLarge; stderr is cut at 64 KiB", async function () {
      const iov = await run(wasiProgram(`(call $emit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1025) (i32.const 9000)))`));
      expect(emitted(iov.output)).to.deep.equal([Errno.INVAL]);
      // One iovec at 0: (ptr 4096, len 70 000), written to fd 1 or 2.
      const big = (fd: number) =>
        wasiProgram(`(i32.store (i32.const 0) (i32.const 4096)) (i32.store (i32.const 4) (i32.const 70000))
          (call $emit (call $fd_write (i32.const ${fd}) (i32.const 0) (i32.const 1) (i32.const 8))) (call $emit (i32.load (i32.const 8)))`);
      const out = await run(big(1), noInput, { maxOutputBytes: 65_536 });
      expect(out.status).to.equal(ExecutionStatus.OutputTooLarge);
      const err = await run(big(2));
      expect(err.status).to.equal(ExecutionStatus.Ok);
      expect(emitted(err.output)).to.deep.equal([0, 70_000]);
      expect(err.stderr.length).to.equal(WASI_LIMITS.maxStderrBytes);
    });

    it("an input that is not a bundle ends Trapped with fuel 0", async function () {
      const result = await run(wasiProgram(``), new TextEncoder().encode("plain text"));
      expect([result.status, result.fuelUsed]).to.deep.equal([ExecutionStatus.Trapped, 0n]);
    });
  });

  describe("clocks and randomness", function () {
    const program = wasiProgram(
      `(local $k i32) (drop (call $random_get (i32.const 0) (i32.const 32))) (drop (call $random_get (i32.const 32) (i32.const 32)))
       (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 64))) (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 72)))
       (call $emit (call $clock_time_get (i32.const 9) (i64.const 1) (i32.const 80)))
       (loop $l (call $emit (i32.load (local.get $k))) (local.set $k (i32.add (local.get $k) (i32.const 4))) (br_if $l (i32.lt_u (local.get $k) (i32.const 80))))`,
      ["random_get", "clock_time_get"],
    );
    const bytesOf = (output: Uint8Array) => output.subarray(4);

    it("read the same values every run; randomness is the AES-256-CTR stream keyed by job id and input hash", async function () {
      const input = encodeBundle({ args: ["x"] });
      const a = await run(program, input, { jobId: 7n });
      const b = await run(program, input, { jobId: 7n });
      expect(a.resultHash).to.equal(b.resultHash);
      expect(emitted(a.output)[0]).to.equal(Errno.INVAL);
      const bytes = bytesOf(a.output);
      const key = hexToBytes(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [7n, keccak256(input)])));
      const stream = createCipheriv("aes-256-ctr", key, new Uint8Array(16)).update(new Uint8Array(64));
      expect(Buffer.from(bytes.subarray(0, 64)).equals(stream)).to.equal(true);
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      expect(view.getBigUint64(64, true)).to.equal(1_577_836_800_000_000_000n);
      expect(view.getBigUint64(72, true)).to.equal(0n);
      const otherJob = await run(program, input, { jobId: 8n });
      expect(Buffer.from(bytesOf(otherJob.output).subarray(0, 32)).equals(Buffer.from(bytes.subarray(0, 32)))).to.equal(false);
    });
  });
});
