import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";

import { expect } from "chai";

import { jsonOf, runCli } from "../../../testkit/cli.ts";
import { CXX_WORDS, C_CAT } from "../../../testkit/wasi-programs.ts";
import { createExecutor } from "../executor/executor.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { encodeBundle } from "../executor/wasi-bundle.ts";
import { Wasm } from "../executor/webassembly.ts";
import { compileProgram } from "./program-toolchain.ts";

type RunJson = { abi: number; status: string; exitCode: number; fuelUsed: string; resultHash: string; output: string; stderr: string };

describe("ordinary programs: hashwork program build / run (ABI v2, C and C++ through @yowasp/clang)", function () {
  this.timeout(180_000);
  let dir: string;
  let cat: Uint8Array;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hashwork-program-"));
    await writeFile(join(dir, "cat.c"), C_CAT);
    await writeFile(join(dir, "words.txt"), "the cat saw the other cat\nthe end\n");
    const built = await runCli(["program", "build", join(dir, "cat.c"), "-o", join(dir, "cat.wasm"), "--json"]);
    expect(jsonOf<{ abi: number }>(built).abi).to.equal(2);
    cat = new Uint8Array(await readFile(join(dir, "cat.wasm")));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("runs a C program with args, env and a file; stdout is the output, the exit code is in the result", async function () {
    const args = [
      "program",
      "run",
      join(dir, "cat.wasm"),
      "--arg",
      "data/words.txt",
      "--arg",
      "5",
      "--env",
      "WHO=requester",
      "--file",
      `data/words.txt=${join(dir, "words.txt")}`,
      "--json",
    ];
    const first = jsonOf<RunJson>(await runCli(args));
    expect(first).to.include({ abi: 2, status: "Exited", exitCode: 5, stderr: "done\n" });
    const lines = first.output.split("\n");
    expect(lines.slice(0, 4)).to.deep.equal(["argv[0]=program", "argv[1]=data/words.txt", "argv[2]=5", "WHO=requester"]);
    expect(first.output).to.contain("the cat saw the other cat\nthe end\n");
    expect(first.output).to.contain("missing: No such file or directory\n");
    expect(first.output).to.contain("write: Read-only file system\n");
    expect(first.output).to.contain("time=1577836800\n");
    expect(first.output).to.contain("nan=7ff8000000000000\n"); // the division's NaN, canonicalized
    const second = jsonOf<RunJson>(await runCli(args));
    expect(second.resultHash).to.equal(first.resultHash);
    expect(second.output).to.equal(first.output); // randomness included
  });

  it("gives the same result 10 times across worker threads, and agrees with node:wasi on what both define", async function () {
    const input = encodeBundle({
      args: ["data/words.txt", "3"],
      env: ["WHO=w"],
      files: [["data/words.txt", new TextEncoder().encode("one two\n")]],
    });
    const executor = createExecutor({ threads: 2 });
    let results: Awaited<ReturnType<typeof executor.run>>[];
    try {
      results = await Promise.all(
        Array.from({ length: 10 }, () => executor.run({ wasm: cat, input, fuelLimit: 100_000_000n, jobId: 12n })),
      );
    } finally {
      await executor.close();
    }
    expect(new Set(results.map((r) => r.resultHash)).size).to.equal(1);
    const ours = results[0]!;
    expect([ours.status, ours.exitCode]).to.deep.equal([ExecutionStatus.Exited, 3]);

    // node:wasi (real clock, real randomness, a writable host directory) as the reference for args, env, files, stdout and the exit code.
    await writeFile(join(dir, "words2.txt"), "one two\n");
    await mkdir(join(dir, "root", "data"), { recursive: true });
    await copyFile(join(dir, "words2.txt"), join(dir, "root", "data", "words.txt"));
    const stdoutPath = join(dir, "node-wasi.out");
    const handle = await open(stdoutPath, "w");
    const wasi = new WASI({
      version: "preview1",
      args: ["program", "data/words.txt", "3"],
      env: { WHO: "w" },
      preopens: { "/": join(dir, "root") },
      stdout: handle.fd,
      stderr: handle.fd,
      returnOnExit: true,
    });
    const instance = new Wasm.Instance(new Wasm.Module(cat), { wasi_snapshot_preview1: wasi.wasiImport });
    const code = wasi.start(instance as Parameters<WASI["start"]>[0]);
    await handle.close();
    expect(code).to.equal(3);
    const reference = (await readFile(stdoutPath, "utf8")).split("\n");
    const comparable = (lines: string[]) => lines.filter((l) => /^(argv|WHO|one two|missing)/.test(l));
    expect(comparable(new TextDecoder().decode(ours.output).split("\n"))).to.deep.equal(comparable(reference));
    expect(comparable(reference)).to.have.length(6);
  });

  it("runs a C++ program (the standard library's map and sort) on stdin", async function () {
    const wasm = await compileProgram({ file: "words.cc", source: new TextEncoder().encode(CXX_WORDS) });
    await writeFile(join(dir, "words.wasm"), wasm);
    const args = ["program", "run", join(dir, "words.wasm"), "--input", join(dir, "words.txt"), "--json"];
    const first = jsonOf<RunJson>(await runCli(args));
    expect(first.status).to.equal("Ok");
    expect(first.output).to.equal("the 3\ncat 2\nend 1\nother 1\nsaw 1\n");
    expect(jsonOf<RunJson>(await runCli(args)).resultHash).to.equal(first.resultHash);
  });

  it("writes the output to -o and the summary to stderr; bad input is one line", async function () {
    const out = join(dir, "out.txt");
    const run = await runCli(["program", "run", join(dir, "cat.wasm"), "-o", out]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal("");
    expect(await readFile(out, "utf8")).to.contain("argv[0]=program\n");
    expect(run.stderr)
      .to.match(/status\s+Ok/)
      .and.match(/result hash\s+0x[0-9a-f]{64}/);

    const badEnv = await runCli(["program", "run", join(dir, "cat.wasm"), "--env", "NOEQUALS"]);
    expect([badEnv.code, badEnv.stderr.trim()]).to.deep.equal([2, "hashwork: --env NOEQUALS: expected KEY=VALUE"]);
    const badFile = await runCli(["program", "run", join(dir, "cat.wasm"), "--file", "../up.txt=" + join(dir, "words.txt")]);
    expect(badFile.code).to.equal(2);
    expect(badFile.stderr).to.match(/bad --arg\/--env\/--file: bad file name "\.\.\/up\.txt"/);
    await writeFile(join(dir, "bad.c"), "int main(void) { return missing; }\n");
    const badC = await runCli(["program", "build", join(dir, "bad.c"), "-o", join(dir, "bad.wasm")]);
    expect(badC.code).to.equal(1);
    expect(badC.stderr.trim().split("\n")).to.have.length(1);
    expect(badC.stderr).to.match(/bad\.c:1:\d+: error: use of undeclared identifier 'missing'/);
  });

  // .ci/run installs Debian's rustc and libstd-rust-dev-wasm32: a missing toolchain fails here, it is not skipped.
  it("builds Rust with Debian's rustc (apt-get install -y rustc libstd-rust-dev-wasm32)", async function () {
    await writeFile(join(dir, "hello.rs"), `fn main() { println!("hello from rust"); std::process::exit(4); }\n`);
    const built = await runCli(["program", "build", join(dir, "hello.rs"), "-o", join(dir, "hello.wasm")]);
    expect(built.stderr, "the Rust toolchain is installed").not.to.contain("apt-get install");
    expect(built.code).to.equal(0);
    const run = jsonOf<RunJson>(await runCli(["program", "run", join(dir, "hello.wasm"), "--json"]));
    expect(run).to.include({ status: "Exited", exitCode: 4, output: "hello from rust\n" });
  });

  it("names the apt packages in one line when rustc has no wasm32-wasi standard library", async function () {
    // A rustc on PATH without the wasm target: the machine's rustup one when present, else a fake.
    const fake = join(dir, "bin");
    await mkdir(fake, { recursive: true });
    await writeFile(join(fake, "rustc"), '#!/bin/sh\necho "error[E0463]: can\'t find crate for \\`std\\`" >&2\nexit 1\n', { mode: 0o755 });
    const stderr = await compileProgram({
      file: "hello.rs",
      source: new TextEncoder().encode("fn main() {}\n"),
      rustc: join(fake, "rustc"),
    }).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(stderr.split("\n")).to.have.length(1);
    expect(stderr).to.contain("apt-get install -y rustc libstd-rust-dev-wasm32");
  });
});
