import { mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256 } from "viem";

import { UnknownSampleProgramError, loadSampleProgram } from "./sample-programs.ts";

describe("loadSampleProgram", function () {
  this.timeout(60_000);
  let buildDir: string;
  before(async function () {
    buildDir = await mkdtemp(join(tmpdir(), "hashwork-programs-"));
  });
  after(async function () {
    await rm(buildDir, { recursive: true, force: true });
  });

  it("compiles a missing program, then reuses the build until a source is newer", async function () {
    const first = await loadSampleProgram("mandelbrot", { buildDir });
    expect(first.compiled).to.equal(true);
    expect(first.programHash).to.equal(keccak256(first.wasm));
    expect((await stat(first.path)).size).to.equal(first.wasm.length);

    const second = await loadSampleProgram("mandelbrot", { buildDir });
    expect(second.compiled).to.equal(false);
    expect(second.programHash).to.equal(first.programHash); // the compiler is deterministic

    await utimes(first.path, new Date(0), new Date(0)); // the build is now older than its sources
    const third = await loadSampleProgram("mandelbrot", { buildDir });
    expect(third.compiled).to.equal(true);
    expect(third.programHash).to.equal(first.programHash);
  });

  it("refuses an unknown program", async function () {
    let error: unknown;
    await loadSampleProgram("nope" as "mandelbrot", { buildDir }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(UnknownSampleProgramError);
  });
});
