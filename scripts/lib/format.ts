/** Plain-text output for scripts and tasks: token amounts, gas figures and aligned tables. */
import { formatUnits } from "viem";

/** `1234500000000000000000n` → `"1,234.5"` (18 decimals, up to `digits` fraction digits, sign kept). */
export function formatToken(amount: bigint, { decimals = 18, digits = 4 } = {}): string {
  const negative = amount < 0n;
  const [whole, fraction = ""] = formatUnits(negative ? -amount : amount, decimals).split(".");
  const cut = fraction.slice(0, digits).replace(/0+$/, "");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${cut ? `.${cut}` : ""}`;
}

/** A signed difference: `+1.5`, `-20`, `0`. */
export function formatDelta(delta: bigint, options?: { decimals?: number; digits?: number }): string {
  return delta > 0n ? `+${formatToken(delta, options)}` : formatToken(delta, options);
}

/** `975166` → `"975,166"`. */
export function formatInt(n: bigint | number): string {
  return BigInt(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * An aligned text table: numbers (cells that look numeric) right-aligned, the rest left-aligned.
 *
 * @example
 * console.log(table(["actor", "stake"], [["p1", "1,100"], ["mallory", "190"]]))
 */
export function table(header: readonly string[], rows: readonly (readonly (string | number | bigint)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const numeric = /^[-+]?[\d,]+(\.\d+)?( ?[%×s])?$/;
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (numeric.test(cell) && cells.indexOf(r) > 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "─".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
