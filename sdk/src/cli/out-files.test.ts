import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { encode } from "cborg";

import { jsonOf, runCli } from "../../../testkit/cli.ts";
import { wasiProgram } from "../../../testkit/wasi-programs.ts";
import { decodeOutput, encodeOutput } from "../executor/wasi-out.ts";
import { CliError } from "./errors.ts";
import { writeOutFiles } from "./out-files.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("the /out files of an ABI v2 output, in the CLI", function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hashwork-out-files-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("decodeOutput reads back only the deterministic encoding; anything else is plain stdout", function () {
    const files = new Map([
      ["b.txt", bytes("2")],
      ["a.txt", bytes("1")],
    ]);
    const output = encodeOutput(bytes("so"), files);
    const decoded = decodeOutput(output);
    expect(new TextDecoder().decode(decoded.stdout)).to.equal("so");
    expect([...decoded.files.keys()].sort()).to.deep.equal(["a.txt", "b.txt"]);
    expect(decodeOutput(bytes("plain text")).files.size).to.equal(0);
    // The same map with an extra key, or with no files, is stdout.
    const extra = encode(
      new Map<string, unknown>([
        ["stdout", bytes("")],
        ["out", new Map([["x", bytes("")]])],
        ["z", 1],
      ]),
    );
    expect(decodeOutput(extra).stdout).to.equal(extra);
    expect(encodeOutput(bytes("only stdout"), new Map())).to.deep.equal(bytes("only stdout"));
  });

  it("refuses an output naming a file that is not a plain file name, writing nothing", async function () {
    for (const name of ["../escape", "a/b", ".."]) {
      const forged = encode(
        new Map<string, unknown>([
          ["stdout", bytes("")],
          ["out", new Map([[name, bytes("x")]])],
        ]),
      );
      const target = join(dir, "forged");
      const error = await writeOutFiles(forged, target).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).to.be.instanceOf(CliError);
      expect(await readdir(dir)).to.not.include("forged");
    }
  });

  it("program run writes stdout to -o and the /out files to --out-dir", async function () {
    // `_start`: creates out/r.txt (path at 2048), writes "hi\n" (at 4096) to it, and emits the errnos.
    const wasm = wasiProgram(
      `(call $emit (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 9) (i32.const 1)
         (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 2016)))
       (i32.store (i32.const 2000) (i32.const 4096)) (i32.store (i32.const 2004) (i32.const 3))
       (call $emit (call $fd_write (i32.load (i32.const 2016)) (i32.const 2000) (i32.const 1) (i32.const 2020)))`,
      ["path_open"],
      `(data (i32.const 2048) "out/r.txt") (data (i32.const 4096) "hi\\n")`,
    );
    await writeFile(join(dir, "w.wasm"), wasm);
    const run = await runCli([
      "program",
      "run",
      join(dir, "w.wasm"),
      "-o",
      join(dir, "stdout.bin"),
      "--out-dir",
      join(dir, "files"),
      "--json",
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(jsonOf<{ outFiles: string[] }>(run).outFiles).to.deep.equal([join(dir, "files", "r.txt")]);
    expect(await readFile(join(dir, "files", "r.txt"), "utf8")).to.equal("hi\n");
    expect([...(await readFile(join(dir, "stdout.bin")))]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]); // two errnos, both 0
  });
});
