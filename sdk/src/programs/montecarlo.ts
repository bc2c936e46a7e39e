import { HashworkError } from "../errors/base.ts";

export type MonteCarloParameters = {
  /** PRNG seed (SplitMix64), any 64-bit value. */
  seed: bigint;
  /** Points to throw, 1 ≤ samples ≤ 2^40. */
  samples: bigint;
};

/** A decoded `montecarlo` output. */
export type MonteCarloResult = {
  seed: bigint;
  samples: bigint;
  /** Points that fell inside the quarter circle. */
  inside: bigint;
  /** 4 · inside / samples. */
  pi: number;
};

/**
 * The output is not a `montecarlo` result.
 *
 * @example
 * if (e instanceof InvalidMonteCarloOutputError) console.error(e.details)
 */
export class InvalidMonteCarloOutputError extends HashworkError {
  override name = "InvalidMonteCarloOutputError";
  constructor(reason: string, cause?: unknown) {
    super("Not a montecarlo result", { details: reason, cause });
  }
}

/**
 * The 16-byte input of the `montecarlo` program: u64 seed, u64 samples, little-endian.
 *
 * @example
 * const input = encodeMonteCarloInput({ seed: 42n, samples: 1_000_000n })
 */
export function encodeMonteCarloInput({ seed, samples }: MonteCarloParameters): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt.asUintN(64, seed), true);
  view.setBigUint64(8, samples, true);
  return bytes;
}

/**
 * Parses a `montecarlo` output (JSON text).
 *
 * @example
 * const { pi, inside } = decodeMonteCarloOutput(result.output)
 */
export function decodeMonteCarloOutput(output: Uint8Array): MonteCarloResult {
  let parsed: { seed?: unknown; samples?: unknown; inside?: unknown; pi?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(output));
  } catch (error) {
    throw new InvalidMonteCarloOutputError("not UTF-8 JSON", error);
  }
  const { seed, samples, inside, pi } = parsed;
  if (typeof seed !== "string" || typeof samples !== "number" || typeof inside !== "number" || typeof pi !== "number") {
    throw new InvalidMonteCarloOutputError("expected {seed: string, samples: number, inside: number, pi: number}");
  }
  return { seed: BigInt(seed), samples: BigInt(samples), inside: BigInt(inside), pi };
}
