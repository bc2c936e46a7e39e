import { HashworkError } from "../errors/base.ts";

/** Statistics of one CSV column, as `csvstats` reports them. */
export type CsvColumnStats = {
  name: string;
  /** Numeric cells. */
  count: number;
  /** Non-empty cells that are not numbers. */
  nonNumeric: number;
  /** `null` when the column has no numbers. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (n − 1); 0 for a single number. */
  stddev: number | null;
};

/** A decoded `csvstats` output. */
export type CsvStats = { rows: number; columns: CsvColumnStats[] };

/**
 * The output is not a `csvstats` result.
 *
 * @example
 * if (e instanceof InvalidCsvStatsOutputError) console.error(e.details)
 */
export class InvalidCsvStatsOutputError extends HashworkError {
  override name = "InvalidCsvStatsOutputError";
  constructor(reason: string, cause?: unknown) {
    super("Not a csvstats result", { details: reason, cause });
  }
}

/**
 * Parses a `csvstats` output (JSON text).
 *
 * @example
 * const { columns } = decodeCsvStatsOutput(result.output)
 * for (const c of columns) console.log(c.name, c.mean, c.stddev)
 */
export function decodeCsvStatsOutput(output: Uint8Array): CsvStats {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(output));
  } catch (error) {
    throw new InvalidCsvStatsOutputError("not UTF-8 JSON", error);
  }
  const stats = parsed as CsvStats;
  if (typeof stats?.rows !== "number" || !Array.isArray(stats.columns)) {
    throw new InvalidCsvStatsOutputError("expected {rows: number, columns: [...]}");
  }
  for (const c of stats.columns) {
    if (typeof c?.name !== "string" || typeof c.count !== "number" || typeof c.nonNumeric !== "number") {
      throw new InvalidCsvStatsOutputError("a column lacks name, count or nonNumeric");
    }
  }
  return stats;
}
