import { expect } from "chai";
import { PNG } from "pngjs";

import { executeProgram } from "../executor/execute-program.ts";
import { createExecutor, type Executor } from "../executor/executor.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { decodeCsvStatsOutput } from "./csvstats.ts";
import { assembleTiles } from "./mandelbrot-image.ts";
import { decodeMandelbrotTile, encodeMandelbrotInput, planMandelbrotTiles } from "./mandelbrot.ts";
import { decodeMonteCarloOutput, encodeMonteCarloInput } from "./montecarlo.ts";
import { loadSampleProgram } from "./sample-programs.ts";

const FUEL = 10_000_000_000n;

// Plain comparisons: when the whole suite runs, hardhat's chai matchers redefine closeTo for
// bigints and reject non-integer numbers.
const near = (actual: number, expected: number, delta: number) => Math.abs(actual - expected) <= delta;
const VIEW = { reMin: -2.2, imMin: -1.5, reMax: 0.8, imMax: 1.5 };

/** SplitMix64 in BigInt arithmetic: the reference the program must match sample for sample. */
function splitMix64(seed: bigint) {
  const mask = (1n << 64n) - 1n;
  let state = seed;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
  };
}

/** Welford's running mean and sample variance, the same operations the program performs. */
function welford(values: number[]) {
  let mean = 0;
  let m2 = 0;
  values.forEach((v, i) => {
    const delta = v - mean;
    mean += delta / (i + 1);
    m2 += delta * (v - mean);
  });
  return { mean, stddev: values.length > 1 ? Math.sqrt(m2 / (values.length - 1)) : 0 };
}

describe("sample programs", function () {
  this.timeout(60_000);
  let executor: Executor;
  before(function () {
    executor = createExecutor({ threads: 2 });
  });
  after(async function () {
    await executor.close();
  });

  describe("montecarlo", function () {
    it("matches a reference SplitMix64 sample for sample", async function () {
      const { wasm } = await loadSampleProgram("montecarlo");
      const samples = 20_000n;
      const result = await executor.run({ wasm, input: encodeMonteCarloInput({ seed: 7n, samples }), fuelLimit: FUEL });
      expect(result.status).to.equal(ExecutionStatus.Ok);
      const next = splitMix64(7n);
      const unit = () => Number(next() >> 11n) * 2 ** -53;
      let inside = 0n;
      for (let n = 0n; n < samples; n++) {
        const x = unit();
        const y = unit();
        if (x * x + y * y < 1) inside++;
      }
      const decoded = decodeMonteCarloOutput(result.output);
      expect(decoded).to.deep.equal({ seed: 7n, samples, inside, pi: (4 * Number(inside)) / Number(samples) });
    });

    it("estimates pi", async function () {
      const { wasm } = await loadSampleProgram("montecarlo");
      const result = await executor.run({ wasm, input: encodeMonteCarloInput({ seed: 2026n, samples: 1_000_000n }), fuelLimit: FUEL });
      const { pi } = decodeMonteCarloOutput(result.output);
      expect(near(pi, Math.PI, 0.01), `pi ≈ ${pi}`).to.equal(true);
    });

    it("traps on an invalid input", async function () {
      const { wasm } = await loadSampleProgram("montecarlo");
      const result = await executor.run({ wasm, input: new Uint8Array(3), fuelLimit: FUEL });
      expect(result.status).to.equal(ExecutionStatus.Trapped);
    });
  });

  describe("csvstats", function () {
    it("computes exact statistics per column", async function () {
      const { wasm } = await loadSampleProgram("csvstats");
      const csv = 'name,height,weight,note\r\na,1.5,60,"x, y"\r\nb,2,70.25,\r\nc,,80,"said ""hi"""\r\nd,3.25,-1e2,z\r\n\r\n';
      const result = await executor.run({ wasm, input: new TextEncoder().encode(csv), fuelLimit: FUEL });
      expect(result.status).to.equal(ExecutionStatus.Ok);
      const stats = decodeCsvStatsOutput(result.output);
      const height = welford([1.5, 2, 3.25]);
      const weight = welford([60, 70.25, 80, -100]);
      expect(stats).to.deep.equal({
        rows: 4,
        columns: [
          { name: "name", count: 0, nonNumeric: 4, min: null, max: null, mean: null, stddev: null },
          { name: "height", count: 3, nonNumeric: 0, min: 1.5, max: 3.25, ...height },
          { name: "weight", count: 4, nonNumeric: 0, min: -100, max: 80, ...weight },
          { name: "note", count: 0, nonNumeric: 3, min: null, max: null, mean: null, stddev: null },
        ],
      });
      expect(near(height.mean, 2.25, 1e-12), `mean ${height.mean}`).to.equal(true);
      expect(near(weight.stddev, 85.4328, 1e-4), `stddev ${weight.stddev}`).to.equal(true);
    });

    it("treats an all-numeric first row as data and names the columns", async function () {
      const { wasm } = await loadSampleProgram("csvstats");
      const result = await executor.run({ wasm, input: new TextEncoder().encode("1,10\n3,30\n"), fuelLimit: FUEL });
      const stats = decodeCsvStatsOutput(result.output);
      expect(stats.rows).to.equal(2);
      expect(stats.columns.map((c) => [c.name, c.mean, c.min, c.max])).to.deep.equal([
        ["column1", 2, 1, 3],
        ["column2", 20, 10, 30],
      ]);
    });
  });

  describe("mandelbrot", function () {
    const image = { imageWidth: 96, imageHeight: 64, maxIterations: 200, ...VIEW };

    it("renders tiles that assemble into the same PNG as one full render", async function () {
      const { wasm } = await loadSampleProgram("mandelbrot");
      const tiles = planMandelbrotTiles({ ...image, tileSize: 40 }); // 3 × 2 tiles, uneven edges
      expect(tiles).to.have.length(6);
      const outputs = await Promise.all(tiles.map((tile) => executor.run({ wasm, input: encodeMandelbrotInput(tile), fuelLimit: FUEL })));
      for (const r of outputs) expect(r.status).to.equal(ExecutionStatus.Ok);
      const { png, width, height } = assembleTiles(outputs.map((r) => r.output).reverse());
      expect([width, height]).to.deep.equal([96, 64]);

      const decoded = PNG.sync.read(Buffer.from(png));
      expect([decoded.width, decoded.height]).to.deep.equal([96, 64]);

      const full = await executor.run({
        wasm,
        input: encodeMandelbrotInput({ ...image, tileX: 0, tileY: 0, tileWidth: 96, tileHeight: 64 }),
        fuelLimit: FUEL,
      });
      expect(Buffer.from(decoded.data).equals(Buffer.from(decodeMandelbrotTile(full.output).rgba))).to.equal(true);

      // The pixel nearest -0.25 + 0i lies inside the set: black. The corner (-2.2, 1.5) escapes at once.
      const pixel = (x: number, y: number) => [...decoded.data.subarray((y * 96 + x) * 4, (y * 96 + x) * 4 + 4)];
      expect(pixel(Math.floor(((-0.25 - VIEW.reMin) / 3) * 96), 32)).to.deep.equal([0, 0, 0, 255]);
      expect(pixel(0, 0)).to.not.deep.equal([0, 0, 0, 255]);
    });
  });

  describe("determinism", function () {
    it("gives the same result hash across runs, worker threads, pools and one-shot runs", async function () {
      const { wasm } = await loadSampleProgram("mandelbrot");
      const input = encodeMandelbrotInput({
        imageWidth: 64,
        imageHeight: 64,
        tileX: 0,
        tileY: 0,
        tileWidth: 64,
        tileHeight: 64,
        maxIterations: 300,
        ...VIEW,
      });
      const single = createExecutor({ threads: 1 });
      try {
        const results = await Promise.all([
          executor.run({ wasm, input, fuelLimit: FUEL }),
          executor.run({ wasm, input, fuelLimit: FUEL }),
          executor.run({ wasm, input, fuelLimit: FUEL }),
          single.run({ wasm, input, fuelLimit: FUEL }),
          executeProgram({ wasm, input, fuelLimit: FUEL }),
        ]);
        for (const r of results) {
          expect(r.status).to.equal(ExecutionStatus.Ok);
          expect(r.resultHash).to.equal(results[0]!.resultHash);
          expect(r.fuelUsed).to.equal(results[0]!.fuelUsed);
        }
        // And the same fuel limit cut short ends identically too.
        const short = await Promise.all([
          executor.run({ wasm, input, fuelLimit: results[0]!.fuelUsed - 1n }),
          single.run({ wasm, input, fuelLimit: results[0]!.fuelUsed - 1n }),
        ]);
        expect(short.map((r) => r.status)).to.deep.equal([ExecutionStatus.OutOfFuel, ExecutionStatus.OutOfFuel]);
        expect(short[0]!.resultHash).to.equal(short[1]!.resultHash);
      } finally {
        await single.close();
      }
    });
  });
});
