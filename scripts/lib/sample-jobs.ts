/**
 * Jobs built from the sample programs (sdk/programs/): Mandelbrot tiles of one image, seeded
 * Monte Carlo runs, and CSV statistics over small deterministic data sets. The program and input
 * of every job go into a content store; the job names them by hash and by the URI `uriFor` gives
 * (the store's own URI by default). Used by `npm run demo` and the `hashwork:post-sample` task.
 */
import type { Hex } from "viem";

import type { JobSpec } from "../../sdk/src/index.ts";
import {
  encodeMandelbrotInput,
  encodeMonteCarloInput,
  loadSampleProgram,
  type MandelbrotTileParameters,
  planMandelbrotTiles,
} from "../../sdk/src/programs/index.ts";
import type { ContentStore } from "../../sdk/src/store/index.ts";
import { seededRandom } from "../../testkit/seeded-random.ts";

export type SampleJobKind = "mandelbrot" | "montecarlo" | "csvstats";

export type SampleJob = {
  kind: SampleJobKind;
  /** A short human label, e.g. `tile (128,0)`, `seed 7`, `weather.csv`. */
  label: string;
  spec: JobSpec;
  /** What the job was built from (tile geometry, seed and samples, data set name). */
  meta: Record<string, unknown>;
};

/** Job terms every sample job shares unless overridden. */
export type SampleJobTerms = Omit<JobSpec, "programHash" | "inputHash" | "programURI" | "inputURI" | "fuelLimit"> & {
  fuelLimit?: bigint;
};

export type ContentTarget = {
  store: ContentStore;
  /** The URI a provider fetches `hash` from. Default: the store's own (`store.uriFor`). */
  uriFor?: (hash: Hex) => string;
};

/** The image the demo renders: the whole set, 512×384, in 128-pixel tiles (12 jobs). */
export const DEMO_IMAGE = {
  imageWidth: 512,
  imageHeight: 384,
  tileSize: 128,
  maxIterations: 400,
  reMin: -2.4,
  imMin: -1.2,
  reMax: 0.8,
  imMax: 1.2,
} as const;

/** Fuel limits with headroom over the measured use (mandelbrot: ≤ 2.5e8 per 128² tile at 400 iterations; montecarlo: ~84 fuel per sample). */
export const SAMPLE_FUEL = {
  mandelbrot: 600_000_000n,
  montecarloPerSample: 100n,
  csvstats: 200_000_000n,
} as const;

async function put(target: ContentTarget, program: Uint8Array, input: Uint8Array) {
  const [p, i] = await Promise.all([target.store.put(program), target.store.put(input)]);
  const uri = (hash: Hex, stored: string | undefined) => (target.uriFor ? target.uriFor(hash) : (stored ?? ""));
  return { programHash: p.hash, inputHash: i.hash, programURI: uri(p.hash, p.uri), inputURI: uri(i.hash, i.uri) };
}

/** One job per tile of `image` (row by row). */
export async function mandelbrotJobs(
  target: ContentTarget,
  terms: SampleJobTerms,
  image: Omit<MandelbrotTileParameters, "tileX" | "tileY" | "tileWidth" | "tileHeight"> & { tileSize: number } = DEMO_IMAGE,
): Promise<SampleJob[]> {
  const { wasm } = await loadSampleProgram("mandelbrot");
  const jobs: SampleJob[] = [];
  for (const tile of planMandelbrotTiles(image)) {
    const content = await put(target, wasm, encodeMandelbrotInput(tile));
    jobs.push({
      kind: "mandelbrot",
      label: `tile (${tile.tileX},${tile.tileY})`,
      spec: { ...content, fuelLimit: SAMPLE_FUEL.mandelbrot, ...terms },
      meta: { tileX: tile.tileX, tileY: tile.tileY, tileWidth: tile.tileWidth, tileHeight: tile.tileHeight },
    });
  }
  return jobs;
}

/** One π estimate per seed, `samples` points each. */
export async function monteCarloJobs(
  target: ContentTarget,
  terms: SampleJobTerms,
  { seeds, samples }: { seeds: readonly bigint[]; samples: bigint },
): Promise<SampleJob[]> {
  const { wasm } = await loadSampleProgram("montecarlo");
  const jobs: SampleJob[] = [];
  for (const seed of seeds) {
    const content = await put(target, wasm, encodeMonteCarloInput({ seed, samples }));
    jobs.push({
      kind: "montecarlo",
      label: `seed ${seed}`,
      spec: { ...content, fuelLimit: SAMPLE_FUEL.montecarloPerSample * samples + 1_000_000n, ...terms },
      meta: { seed: seed.toString(), samples: samples.toString() },
    });
  }
  return jobs;
}

/** Column statistics of each data set. */
export async function csvStatsJobs(
  target: ContentTarget,
  terms: SampleJobTerms,
  datasets: readonly { name: string; csv: string }[],
): Promise<SampleJob[]> {
  const { wasm } = await loadSampleProgram("csvstats");
  const jobs: SampleJob[] = [];
  for (const { name, csv } of datasets) {
    const content = await put(target, wasm, new TextEncoder().encode(csv));
    jobs.push({
      kind: "csvstats",
      label: name,
      spec: { ...content, fuelLimit: SAMPLE_FUEL.csvstats, ...terms },
      meta: { dataset: name, bytes: csv.length },
    });
  }
  return jobs;
}

/**
 * Two deterministic data sets: a year of daily weather readings (with a few missing and
 * malformed cells, which `csvstats` counts as non-numeric) and a month of sales by region.
 */
export function demoDatasets(): { name: string; csv: string }[] {
  const rnd = seededRandom(2026);
  const weather = ["day,temp_c,humidity_pct,wind_kmh,station"];
  for (let day = 1; day <= 365; day++) {
    const season = Math.sin(((day - 80) / 365) * 2 * Math.PI);
    const temp = (11 + 9 * season + (rnd() - 0.5) * 6).toFixed(1);
    const humidity = day % 97 === 0 ? "" : (70 - 15 * season + (rnd() - 0.5) * 20).toFixed(0);
    const wind = day % 53 === 0 ? "n/a" : (5 + rnd() * 30).toFixed(1);
    weather.push(`${day},${temp},${humidity},${wind},"Station ""A"""`);
  }
  const rndSales = seededRandom(7);
  const regions = ["north", "south", "east", "west"];
  const sales = ["date,region,units,unit_price,revenue"];
  for (let d = 1; d <= 30; d++) {
    for (const region of regions) {
      const units = Math.floor(20 + rndSales() * 80);
      const price = (9.5 + rndSales() * 3).toFixed(2);
      sales.push(`2026-11-${String(d).padStart(2, "0")},${region},${units},${price},${(units * Number(price)).toFixed(2)}`);
    }
  }
  return [
    { name: "weather.csv", csv: `${weather.join("\n")}\n` },
    { name: "sales.csv", csv: `${sales.join("\n")}\n` },
  ];
}
