import { expect } from "chai";

import { emitted, wasiProgram } from "../../../testkit/wasi-programs.ts";
import { Errno } from "./wasi-abi.ts";
import { encodeBundle } from "./wasi-bundle.ts";
import { createExecutor, type Executor } from "./executor.ts";
import { ExecutionStatus } from "./result-hash.ts";
import { MAX_OUT_FILES, decodeOutput, encodeOutput } from "./wasi-out.ts";

const FUEL = 50_000_000n;
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/**
 * A v2 program that opens `path` with `oflags` and the write right (emitting the errno), then
 * writes `data` to it `times` times (emitting each errno). Memory: path at 2048, data at 4096,
 * the iovec at 2000, the new fd at 2016.
 */
function writer(path: string, data: string, { oflags = 1, times = 1 } = {}): Uint8Array {
  const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
  const pathLen = new TextEncoder().encode(path).length;
  const dataLen = new TextEncoder().encode(data).length;
  return wasiProgram(
    `(local $k i32)
     (call $emit (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const ${pathLen}) (i32.const ${oflags})
       (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 2016)))
     (i32.store (i32.const 2000) (i32.const 4096)) (i32.store (i32.const 2004) (i32.const ${dataLen}))
     (block $done (loop $l
       (br_if $done (i32.ge_u (local.get $k) (i32.const ${times})))
       (call $emit (call $fd_write (i32.load (i32.const 2016)) (i32.const 2000) (i32.const 1) (i32.const 2020)))
       (local.set $k (i32.add (local.get $k) (i32.const 1)))
       (br $l)))`,
    ["path_open"],
    `(data (i32.const 2048) "${hex(path)}") (data (i32.const 4096) "${hex(data)}")`,
  );
}

describe("ABI v2: the writable /out directory", function () {
  this.timeout(60_000);
  let executor: Executor;
  before(() => {
    executor = createExecutor({ threads: 2 });
  });
  after(() => executor.close());
  const run = (wasm: Uint8Array, input = encodeBundle({}), maxOutputBytes?: number) =>
    executor.run({ wasm, input, fuelLimit: FUEL, limits: maxOutputBytes === undefined ? undefined : { maxOutputBytes } });

  it("puts the files a program writes in /out into the result, beside stdout, the same every run", async function () {
    const wasm = writer("out/report.txt", "hello ", { times: 2 });
    const [a, b] = await Promise.all([run(wasm), run(wasm)]);
    expect(a.status).to.equal(ExecutionStatus.Ok);
    const { stdout, files } = decodeOutput(a.output);
    expect(emitted(stdout)).to.deep.equal([Errno.SUCCESS, Errno.SUCCESS, Errno.SUCCESS]);
    expect([...files.keys()]).to.deep.equal(["report.txt"]);
    expect(text(files.get("report.txt"))).to.equal("hello hello ");
    expect(a.resultHash).to.equal(b.resultHash);
    expect(Buffer.from(a.output).equals(Buffer.from(encodeOutput(stdout, files)))).to.equal(true);
  });

  it("leaves the output as plain stdout when /out stays empty (result hashes of other programs unchanged)", async function () {
    const wasm = writer("data.txt", "x", { oflags: 0 }); // opening an input file for writing: EROFS
    const result = await run(wasm, encodeBundle({ files: [["data.txt", new Uint8Array([1])]] }));
    expect(emitted(result.output)).to.deep.equal([Errno.ROFS, Errno.BADF]);
    expect(decodeOutput(result.output).files.size).to.equal(0);
  });

  it("refuses to create files anywhere else, or in a directory under /out", async function () {
    for (const path of ["new.txt", "out/sub/x.txt", "data/x.txt", "out"]) {
      const result = await run(writer(path, "x"), encodeBundle({ files: [["data/in", new Uint8Array()]] }));
      expect(emitted(result.output)[0], path).to.be.oneOf([Errno.ROFS, Errno.NOENT, Errno.ISDIR]);
      expect(decodeOutput(result.output).files.size, path).to.equal(0);
    }
  });

  it("counts /out against the output cap: writing past it ends the run OutputTooLarge", async function () {
    const wasm = writer("out/big.bin", "0123456789abcdef", { times: 100 }); // 1600 bytes
    expect((await run(wasm, undefined, 2004)).status).to.equal(ExecutionStatus.Ok); // and 101 errnos (404 bytes) to stdout
    expect((await run(wasm, undefined, 2003)).status).to.equal(ExecutionStatus.OutputTooLarge);
    const over = await run(wasm, undefined, 1000);
    expect(over.status).to.equal(ExecutionStatus.OutputTooLarge);
    expect(over.output.length).to.equal(0);
  });

  it(`holds at most ${MAX_OUT_FILES} files (EDQUOT beyond)`, async function () {
    const bundle = encodeBundle({ files: Array.from({ length: MAX_OUT_FILES }, (_, k) => [`out/f${k}`, new Uint8Array()] as const) });
    const result = await run(writer("out/one-more", "x"), bundle);
    expect(emitted(decodeOutput(result.output).stdout)[0]).to.equal(Errno.DQUOT);
  });
});
