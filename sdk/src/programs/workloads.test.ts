// The real workloads (testkit/workloads.ts, sources in sdk/programs/workloads/) through the real
// executor: SQLite agrees with Node's own SQLite on the same query, the ray tracer's tiles make
// the same image as one full frame and the same bytes as under node:wasi, the Rust digit
// classifier agrees with a reference forward pass; every result is the same across 10 runs and
// worker threads; bad arguments are exit codes.
// Builds are cached by source hash (a fresh clone compiles SQLite once, ~40 s with Debian clang).
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { WASI } from "node:wasi";

import { expect } from "chai";
import { PNG } from "pngjs";

import {
  classifyDigit,
  digitSamples,
  digitsBundle,
  loadWorkload,
  raytraceBundle,
  raytraceTiles,
  SALES_QUERY,
  salesCsv,
  sqliteBundle,
  trainDigitModel,
  type DigitsOutput,
} from "../../../testkit/workloads.ts";
import { MODULE_LIMITS } from "../executor/abi.ts";
import { createExecutor, type Executor } from "../executor/executor.ts";
import { Wasm } from "../executor/webassembly.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { assembleTiles } from "./mandelbrot-image.ts";

const FUEL = 4_000_000_000n;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The code section's size, read from the module's sections. */
function codeBytes(wasm: Uint8Array): number {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < wasm.length) {
    const id = wasm[at++]!;
    const size = leb();
    if (id === 10) return size;
    at += size;
  }
  return 0;
}

describe("real workloads as ABI v2 programs (SQLite, a C ray tracer, a Rust digit classifier)", function () {
  this.timeout(300_000);
  let executor: Executor;
  before(() => {
    executor = createExecutor({ threads: 2 });
  });
  after(() => executor.close());

  /** Runs `input` `times` times over the pool (both workers) and checks one result hash. */
  async function runStable(wasm: Uint8Array, input: Uint8Array, times: number) {
    const results = await Promise.all(Array.from({ length: times }, () => executor.run({ wasm, input, fuelLimit: FUEL })));
    expect(new Set(results.map((r) => r.resultHash)).size, "one result hash").to.equal(1);
    return results[0]!;
  }

  it("SQLite: the engine fits the code cap and gives Node's own SQLite's answer to an aggregate query", async function () {
    const { wasm } = await loadWorkload("sqlite");
    expect(codeBytes(wasm)).to.be.at.most(MODULE_LIMITS.maxCodeBytes);
    const csv = salesCsv(3000);
    const result = await runStable(wasm, sqliteBundle(csv), 10);
    expect([result.status, result.exitCode, text(result.stderr)]).to.deep.equal([ExecutionStatus.Ok, 0, ""]);
    const [header, ...rows] = text(result.output).trimEnd().split("\n");
    expect(header).to.equal("region,orders,units,revenue,avg_price");

    const native = new DatabaseSync(":memory:");
    native.exec("CREATE TABLE t(id, region, product, qty, price)");
    const insert = native.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
    for (const line of csv.trimEnd().split("\n").slice(1)) {
      const [id, region, product, qty, price] = line.split(",");
      insert.run(Number(id), region!, product!, Number(qty), Number(price));
    }
    const expected = native.prepare(SALES_QUERY).all() as Record<string, string | number>[];
    native.close();
    expect(rows.map((r) => r.split(",").map((f, i) => (i === 0 ? f : Number(f))))).to.deep.equal(
      expected.map((r) => [r.region, r.orders, r.units, r.revenue, r.avg_price]),
    );
  });

  it("SQLite: a bad query is exit code 1 with SQLite's message on stderr, the same every run", async function () {
    const { wasm } = await loadWorkload("sqlite");
    const result = await runStable(wasm, sqliteBundle("a,b\n1,2\n", "SELECT nope FROM t"), 2);
    expect([result.status, result.exitCode]).to.deep.equal([ExecutionStatus.Exited, 1]);
    expect(text(result.stderr)).to.equal("sqlquery: query: no such column: nope\n");
  });

  it("ray tracer (C): four tiles assemble into the same PNG as one full frame; bad arguments exit 2", async function () {
    const { wasm } = await loadWorkload("raytrace");
    const tiles = raytraceTiles(96, 64, 48);
    expect(tiles).to.have.length(4);
    const parts = await Promise.all(tiles.map((t) => runStable(wasm, raytraceBundle(t), 2)));
    const whole = await runStable(wasm, raytraceBundle({ width: 96, height: 64, x: 0, y: 0, tileWidth: 96, tileHeight: 64 }), 10);
    const image = assembleTiles(parts.map((p) => p.output));
    expect(image.png).to.deep.equal(assembleTiles([whole.output]).png);
    const png = PNG.sync.read(Buffer.from(image.png));
    expect([png.width, png.height]).to.deep.equal([96, 64]);
    const colors = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) colors.add(png.data.readUInt32BE(i));
    expect(colors.size, "a scene, not a flat image").to.be.greaterThan(500);

    const bad = await runStable(wasm, raytraceBundle({ width: 96, height: 64, x: 90, y: 0, tileWidth: 48, tileHeight: 64 }), 2);
    expect([bad.status, bad.exitCode, text(bad.stderr)]).to.deep.equal([
      ExecutionStatus.Exited,
      2,
      'raytrace: TILE_W must be an integer in [1, 6], got "48"\n',
    ]);
  });

  it("ray tracer (C): the same tile bytes and exit codes as Node's own WASI (node:wasi) as a reference", async function () {
    const { wasm } = await loadWorkload("raytrace");
    const dir = await mkdtemp(join(tmpdir(), "hashwork-raytrace-"));
    try {
      const reference = async (args: string[]) => {
        const file = join(dir, "stdout");
        const handle = await open(file, "w");
        const wasi = new WASI({
          version: "preview1",
          args: ["raytrace", ...args],
          stdout: handle.fd,
          stderr: handle.fd,
          returnOnExit: true,
        });
        const instance = new Wasm.Instance(new Wasm.Module(wasm), { wasi_snapshot_preview1: wasi.wasiImport });
        const code = wasi.start(instance as Parameters<WASI["start"]>[0]);
        await handle.close();
        return { code, stdout: new Uint8Array(await readFile(file)) };
      };
      const tile = { width: 64, height: 48, x: 16, y: 8, tileWidth: 32, tileHeight: 24, samples: 3 };
      const ours = await executor.run({ wasm, input: raytraceBundle(tile), fuelLimit: FUEL });
      const theirs = await reference(["64", "48", "16", "8", "32", "24", "3"]);
      expect([theirs.code, ours.exitCode]).to.deep.equal([0, 0]);
      expect(Buffer.from(ours.output).equals(theirs.stdout), "identical tile bytes").to.equal(true);
      expect((await reference(["64", "48", "16", "8", "99", "24"])).code).to.equal(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("digit classifier (Rust): the same predictions as the reference forward pass, over 90% right", async function () {
    const { wasm } = await loadWorkload("digits");
    const batch = digitSamples(300, 2026);
    const result = await runStable(wasm, digitsBundle(batch), 10);
    expect([result.status, result.exitCode]).to.deep.equal([ExecutionStatus.Ok, 0]);
    const output = JSON.parse(text(result.output)) as DigitsOutput;
    const model = trainDigitModel();
    expect(output.predicted).to.deep.equal(batch.map((s) => classifyDigit(model, s.pixels)));
    expect(output.count).to.equal(300);
    expect(output.correct / output.count).to.be.greaterThan(0.9);
    expect(output.confusion.flat().reduce((a, b) => a + b, 0)).to.equal(300);
  });
});
