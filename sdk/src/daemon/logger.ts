/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields such as
 * `chain_id`, `job_id`, `tx_hash`). Bigints are written as decimal strings, errors as their
 * one-line `shortMessage` (or `message`) plus `name`.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export type Logger = {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
};

export type CreateLoggerParameters = {
  /** Lowest level written. Default "info". */
  level?: LogLevel;
  /** Where lines go. Default: process.stdout. */
  write?: (line: string) => void;
  /** Fields on every line. */
  fields?: LogFields;
  /** Clock, for tests. */
  now?: () => Date;
};

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

/** Converts a field value into something `JSON.stringify` writes faithfully on one line. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const short = (value as { shortMessage?: unknown }).shortMessage;
    return { name: value.name, message: typeof short === "string" ? short : value.message.split("\n")[0] };
  }
  return value;
}

/**
 * @example
 * const logger = createLogger({ fields: { chain_id: 31337 } })
 * logger.info("claimed", { job_id: jobId, tx_hash: hash })
 */
export function createLogger({
  level = "info",
  write = (line) => void process.stdout.write(line),
  fields = {},
  now = () => new Date(),
}: CreateLoggerParameters = {}): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, extra?: LogFields) => {
    if (RANK[lvl] < min) return;
    const record: LogFields = { time: now().toISOString(), level: lvl, msg };
    for (const [k, v] of Object.entries(fields)) record[k] = plain(v);
    if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined) record[k] = plain(v);
    write(`${JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
  };
  return {
    debug: (msg, extra) => emit("debug", msg, extra),
    info: (msg, extra) => emit("info", msg, extra),
    warn: (msg, extra) => emit("warn", msg, extra),
    error: (msg, extra) => emit("error", msg, extra),
    child: (extra) => createLogger({ level, write, now, fields: { ...fields, ...extra } }),
  };
}
