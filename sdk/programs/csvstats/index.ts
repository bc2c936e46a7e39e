// Column statistics over CSV text: count, min, max, mean and sample standard deviation of every
// numeric column.
//
// Input: CSV (RFC 4180 style: comma separated, "\n" or "\r\n" line ends, double-quoted fields
// with "" as an escaped quote). The first row is a header unless every field in it is a number.
// Empty lines are skipped. A cell (quoted or not) counts towards its column's statistics if it is
// a decimal number ([+-]digits[.digits][e[+-]digits], surrounding blanks allowed); any other
// non-empty cell counts as "nonNumeric".
// Output: JSON text
//   {"rows":R,"columns":[{"name":"…","count":n,"nonNumeric":k,"min":…,"max":…,"mean":…,"stddev":…},…]}
// with null statistics for a column without numbers and stddev 0 for a single number. Means and
// variances use Welford's update, so the result is the same on every machine and stable for
// large inputs.
import { readInput, writeString } from "../lib/hashwork";

const COMMA: u8 = 0x2c;
const QUOTE: u8 = 0x22;
const LF: u8 = 0x0a;
const CR: u8 = 0x0d;

class Column {
  name: string;
  count: i64 = 0;
  nonNumeric: i64 = 0;
  min: f64 = 0;
  max: f64 = 0;
  mean: f64 = 0;
  m2: f64 = 0;
  constructor(name: string) {
    this.name = name;
  }
  add(value: f64): void {
    this.count++;
    if (this.count == 1) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    const delta = value - this.mean;
    this.mean += delta / <f64>this.count;
    this.m2 += delta * (value - this.mean);
  }
}

/** Exact powers of ten representable in f64. */
const POW10: f64[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

let parsedValue: f64 = 0;

/**
 * Parses bytes [start, end) as a decimal number into `parsedValue`; returns false if they are not
 * one. Up to 19 significant digits are kept exactly; with at most 15 of them and a decimal
 * exponent within ±22 the result is correctly rounded (one exact operation), otherwise it is
 * within a few ulps — the same few ulps everywhere.
 */
function parseNumber(bytes: Uint8Array, start: i32, end: i32): bool {
  let i = start;
  while (i < end && (bytes[i] == 0x20 || bytes[i] == 0x09)) i++;
  while (end > i && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09)) end--;
  if (i >= end) return false;
  let negative = false;
  if (bytes[i] == 0x2d || bytes[i] == 0x2b) {
    negative = bytes[i] == 0x2d;
    i++;
  }
  let mantissa: u64 = 0;
  let digits = 0;
  let exponent: i32 = 0;
  let sawDigit = false;
  while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
    sawDigit = true;
    if (digits < 19) {
      mantissa = mantissa * 10 + <u64>(bytes[i] - 0x30);
      if (mantissa != 0) digits++;
    } else {
      exponent++;
    }
    i++;
  }
  if (i < end && bytes[i] == 0x2e) {
    i++;
    while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
      sawDigit = true;
      if (digits < 19) {
        mantissa = mantissa * 10 + <u64>(bytes[i] - 0x30);
        if (mantissa != 0) digits++;
        exponent--;
      }
      i++;
    }
  }
  if (!sawDigit) return false;
  if (i < end && (bytes[i] == 0x65 || bytes[i] == 0x45)) {
    i++;
    let expNegative = false;
    if (i < end && (bytes[i] == 0x2d || bytes[i] == 0x2b)) {
      expNegative = bytes[i] == 0x2d;
      i++;
    }
    if (i >= end) return false;
    let e: i32 = 0;
    while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
      if (e < 100000) e = e * 10 + <i32>(bytes[i] - 0x30);
      i++;
    }
    exponent += expNegative ? -e : e;
  }
  if (i != end) return false;

  let value = <f64>mantissa;
  if (mantissa != 0) {
    let e = exponent;
    while (e > 22) {
      value *= 1e22;
      e -= 22;
    }
    while (e < -22) {
      value /= 1e22;
      e += 22;
    }
    value = e >= 0 ? value * unchecked(POW10[e]) : value / unchecked(POW10[-e]);
  }
  parsedValue = negative ? -value : value;
  return true;
}

/** Decodes bytes [start, end) of a (possibly quoted) field as text, for header names. */
function fieldText(bytes: Uint8Array, start: i32, end: i32, quoted: bool): string {
  if (!quoted) return String.UTF8.decodeUnsafe(bytes.dataStart + start, end - start);
  // Quoted: drop the outer quotes and turn "" into ".
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start + 1; i < end - 1; i++) {
    out[n++] = bytes[i];
    if (bytes[i] == QUOTE && i + 1 < end - 1 && bytes[i + 1] == QUOTE) i++;
  }
  return String.UTF8.decodeUnsafe(out.dataStart, n);
}

function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u" + (c + 0x10000).toString(16).substring(1);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

function jsonNumber(value: f64, present: bool): string {
  if (!present) return "null";
  if (value == 0) return "0"; // no "-0"
  if (value == Math.floor(value) && Math.abs(value) < 9007199254740992) return (<i64>value).toString();
  return value.toString();
}

// Fields of the current row: [start, end) offsets and whether each was quoted.
const fieldStart = new Array<i32>();
const fieldEnd = new Array<i32>();
const fieldQuoted = new Array<bool>();

/** Splits the row beginning at `pos` into the field arrays; returns the offset after its line end. */
function splitRow(bytes: Uint8Array, pos: i32): i32 {
  fieldStart.length = 0;
  fieldEnd.length = 0;
  fieldQuoted.length = 0;
  const n = bytes.length;
  let i = pos;
  while (i <= n) {
    const start = i;
    let quoted = false;
    if (i < n && bytes[i] == QUOTE) {
      quoted = true;
      i++;
      while (i < n) {
        if (bytes[i] == QUOTE) {
          if (i + 1 < n && bytes[i + 1] == QUOTE) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
    }
    while (i < n && bytes[i] != COMMA && bytes[i] != LF) i++;
    let end = i;
    if (end > start && bytes[end - 1] == CR && (i == n || bytes[i] == LF)) end--;
    fieldStart.push(start);
    fieldEnd.push(end);
    fieldQuoted.push(quoted);
    if (i >= n) break;
    if (bytes[i] == LF) return i + 1;
    i++; // comma
  }
  return n;
}

function isBlankRow(): bool {
  return fieldStart.length == 1 && fieldEnd[0] == fieldStart[0];
}

/** Parses field `f` of the current row (inside its quotes, if quoted) into `parsedValue`. */
function fieldNumber(bytes: Uint8Array, f: i32): bool {
  const start = fieldStart[f];
  const end = fieldEnd[f];
  if (!fieldQuoted[f]) return parseNumber(bytes, start, end);
  return end - start >= 2 && bytes[end - 1] == QUOTE && parseNumber(bytes, start + 1, end - 1);
}

export function run(): void {
  const bytes = readInput();
  const columns = new Array<Column>();
  let rows: i64 = 0;
  let pos = 0;
  let first = true;
  while (pos < bytes.length) {
    pos = splitRow(bytes, pos);
    if (isBlankRow()) continue;
    const fields = fieldStart.length;
    if (first) {
      first = false;
      let allNumeric = true;
      for (let f = 0; f < fields; f++) {
        if (!fieldNumber(bytes, f)) allNumeric = false;
      }
      if (!allNumeric) {
        for (let f = 0; f < fields; f++) {
          columns.push(new Column(fieldText(bytes, fieldStart[f], fieldEnd[f], fieldQuoted[f])));
        }
        continue;
      }
    }
    rows++;
    while (columns.length < fields) columns.push(new Column("column" + (columns.length + 1).toString()));
    for (let f = 0; f < fields; f++) {
      const column = columns[f];
      if (fieldNumber(bytes, f)) column.add(parsedValue);
      else if (fieldEnd[f] > fieldStart[f]) column.nonNumeric++;
    }
  }

  let json = '{"rows":' + rows.toString() + ',"columns":[';
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c];
    const has = column.count > 0;
    const stddev = column.count > 1 ? Math.sqrt(column.m2 / <f64>(column.count - 1)) : 0.0;
    if (c > 0) json += ",";
    json +=
      '{"name":' +
      jsonString(column.name) +
      ',"count":' +
      column.count.toString() +
      ',"nonNumeric":' +
      column.nonNumeric.toString() +
      ',"min":' +
      jsonNumber(column.min, has) +
      ',"max":' +
      jsonNumber(column.max, has) +
      ',"mean":' +
      jsonNumber(column.mean, has) +
      ',"stddev":' +
      jsonNumber(stddev, has) +
      "}";
  }
  writeString(json + "]}");
}
