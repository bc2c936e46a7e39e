/**
 * Output for people and scripts: `--json` prints exactly one JSON document to stdout (bigints
 * as decimal strings); otherwise aligned tables and key/value blocks. Progress (a spinner)
 * goes to stderr, only when stderr is a terminal and not in `--json` mode, so pipes and
 * scripts see clean output.
 */
import { formatUnits } from "viem";

import type { DisputeDetails } from "../actions/auditor/get-dispute.ts";

/** `JSON.stringify` with bigints as decimal strings and `undefined` fields dropped. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value)}\n`);
}

/**
 * Control characters (C0 but newline and tab, DEL, C1) and bidirectional overrides, which a
 * string from the chain (a URI a stranger posted) could use to rewrite what a terminal shows.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_IN_VALUE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string) => {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/**
 * `text` safe to print on a terminal: control characters, escape sequences and bidi overrides
 * shown as `\x1b`-style escapes instead of acting. With `multiline`, newlines (and tabs) stay.
 * Every human-readable line the CLI prints goes through it (`printLine`, `formatFields`,
 * `formatTable`); JSON output escapes them itself.
 *
 * @example
 * sanitizeForTerminal("http://x/\u001b[2J") // "http://x/\\x1b[2J"
 */
export function sanitizeForTerminal(text: string, { multiline = false } = {}): string {
  return text.replace(multiline ? UNSAFE_IN_LINES : UNSAFE_IN_VALUE, escapeChar);
}

export function printLine(text = ""): void {
  process.stdout.write(`${sanitizeForTerminal(text, { multiline: true })}\n`);
}

/** A command's result: one JSON document with `--json`, else the human line(s); exit code 0. */
export function printResult(json: boolean, value: unknown, human: () => string): number {
  if (json) printJson(value);
  else printLine(human());
  return 0;
}

/** Rows of cells as an aligned table with a header row. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "(none)";
  rows = rows.map((r) => r.map((c) => sanitizeForTerminal(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** `key  value` lines, keys aligned. `undefined` values are skipped. */
export function formatFields(fields: readonly (readonly [string, string | undefined])[]): string {
  const shown = fields
    .filter((f): f is readonly [string, string] => f[1] !== undefined)
    .map(([k, v]) => [k, sanitizeForTerminal(v)] as const);
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** A dispute's committee, one row per seat (`dispute show`, `audit job`). */
export function committeeTable(committee: DisputeDetails["committee"], token: { decimals: number; symbol: string }): string {
  return formatTable(
    ["seat", "verifier", "votes", "locked", "status", "vote"],
    committee.map((s) => [
      String(s.seatIndex),
      s.verifier,
      String(s.votes),
      formatAmount(s.locked, token),
      s.status,
      s.resultHash ?? s.commitment ?? "-",
    ]),
  );
}

/** A token amount for people: `12.5 HWK`. */
export function formatAmount(value: bigint, token: { decimals: number; symbol: string }): string {
  return `${formatUnits(value, token.decimals)} ${token.symbol}`;
}

/** Unix seconds as an ISO time (UTC), or "-" for 0. */
export function formatTime(seconds: bigint | number): string {
  const s = Number(seconds);
  if (s === 0) return "-";
  return new Date(s * 1000).toISOString().replace(".000Z", "Z");
}

export function shortHex(value: string, keep = 10): string {
  return value.length <= keep * 2 + 1 ? value : `${value.slice(0, keep)}…${value.slice(-6)}`;
}

export type Progress = {
  /** Whether anything is drawn (stderr is a TTY and not `--json`). */
  readonly enabled: boolean;
  /** Changes the text after the spinner. */
  update(text: string): void;
  /** Prints a progress line to stdout above the spinner (nothing with `--json`). */
  log(text: string): void;
  /** Clears the spinner line. */
  stop(): void;
};

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A spinner with elapsed time on stderr while `text` is in progress; a no-op unless stderr is
 * a TTY and `json` is off.
 */
export function startProgress(text: string, { json = false }: { json?: boolean } = {}): Progress {
  const stream = process.stderr;
  if (json || !stream.isTTY) return { enabled: false, update() {}, log: json ? () => {} : printLine, stop() {} };
  const started = Date.now();
  let frame = 0;
  let label = sanitizeForTerminal(text);
  const draw = () => {
    const seconds = ` (${Math.floor((Date.now() - started) / 1000)}s)`;
    // One terminal line, or the carriage return cannot redraw it.
    const room = Math.max(10, (stream.columns || 80) - 3 - seconds.length);
    const text = label.length > room ? `${label.slice(0, room - 1)}…` : label;
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}${seconds}`);
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    enabled: true,
    update(next) {
      label = sanitizeForTerminal(next);
    },
    log(line) {
      stream.write("\r\x1b[2K");
      printLine(line);
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}

/** Runs `task` under a spinner. */
export async function withProgress<T>(text: string, json: boolean, task: (progress: Progress) => Promise<T>): Promise<T> {
  const progress = startProgress(text, { json });
  try {
    return await task(progress);
  } finally {
    progress.stop();
  }
}
