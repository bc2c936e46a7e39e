/**
 * A minimal reader for the parts of the binary format the validator needs before binaryen sees
 * the module: the memories a module defines and their limit flags, and the sizes and counts that
 * {@link MODULE_LIMITS} bounds. It checks every bound, so it is safe on any bytes.
 */
import type { ModuleLimits } from "./abi.ts";

/** A memory defined (not imported) by the module, as declared in its memory section. */
export type DeclaredMemory = {
  initialPages: bigint;
  maximumPages?: bigint;
  shared: boolean;
  memory64: boolean;
  /** Set when the limits use a flag this reader does not know (e.g. custom page sizes). */
  unknownFlags: number;
};

const MEMORY_SECTION = 5;

class Reader {
  offset: number;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }
  byte(): number {
    if (this.offset >= this.bytes.length) throw new RangeError("unexpected end of module");
    return this.bytes[this.offset++]!;
  }
  leb(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new RangeError("LEB128 too long");
    }
  }
  /** An unsigned LEB128 of at most 32 bits, as a number. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new RangeError("u32 out of range");
        return result;
      }
    }
    throw new RangeError("LEB128 too long");
  }
  /** Skips a signed or unsigned LEB128 of up to 64 bits. */
  skipLeb(): void {
    for (let k = 0; k < 10; k++) if ((this.byte() & 0x80) === 0) return;
    throw new RangeError("LEB128 too long");
  }
  skip(n: number): void {
    if (this.offset + n > this.bytes.length) throw new RangeError("unexpected end of module");
    this.offset += n;
  }
  /** A block type: empty (0x40), a value type (one byte), or a type index (s33). */
  blockType(): void {
    const b = this.bytes[this.offset];
    if (b === 0x40 || (b !== undefined && b >= 0x6f && b <= 0x7f)) this.offset++;
    else this.skipLeb();
  }
  /** A constant expression, up to and including its `end`. */
  skipConstExpr(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      this.skipImmediates(op, "constant expression");
    }
  }
  memarg(): void {
    const align = this.u32();
    if (align & 0x40) this.u32(); // memory index (multi-memory)
    this.skipLeb();
  }
  /** Skips the immediates of every opcode an ABI v1 module may contain (MVP, bulk memory, SIMD…). */
  skipImmediates(op: number, where: string): void {
    if (NO_IMMEDIATES.has(op) || (op >= 0x45 && op <= 0xc4) || op === 0xd1) return;
    switch (op) {
      case 0x0c:
      case 0x0d:
      case 0x10:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
      case 0x25:
      case 0x26:
      case 0xd2:
      case 0x41:
      case 0x42:
        this.skipLeb();
        return;
      case 0x0e: {
        const n = this.u32();
        for (let k = 0; k <= n; k++) this.skipLeb();
        return;
      }
      case 0x11:
        this.skipLeb();
        this.skipLeb();
        return;
      case 0x1c: {
        const n = this.u32();
        this.skip(n);
        return;
      }
      case 0x3f:
      case 0x40:
        this.skipLeb();
        return;
      case 0x43:
        this.skip(4);
        return;
      case 0x44:
        this.skip(8);
        return;
      case 0xd0:
        this.byte();
        return;
      case 0xfc: {
        const sub = this.u32();
        if (sub <= 7) return;
        const counts: Record<number, number> = { 8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 13: 1, 14: 2, 15: 1, 16: 1, 17: 1 };
        const n = counts[sub];
        if (n === undefined) throw new UnknownOpcodeError(`0xfc ${sub}`, where);
        for (let k = 0; k < n; k++) this.skipLeb();
        return;
      }
      case 0xfd: {
        const sub = this.u32();
        if (sub <= 11 || sub === 92 || sub === 93) this.memarg();
        else if (sub === 12 || sub === 13) this.skip(16);
        else if (sub >= 21 && sub <= 34) this.byte();
        else if (sub >= 84 && sub <= 91) {
          this.memarg();
          this.byte();
        } else if (sub > 0x113) throw new UnknownOpcodeError(`0xfd ${sub}`, where);
        return;
      }
    }
    if (op >= 0x28 && op <= 0x3e) {
      this.memarg();
      return;
    }
    throw new UnknownOpcodeError(`0x${op.toString(16)}`, where);
  }
}

/** The memories in the module's memory section (imported memories are not listed). */
export function declaredMemories(bytes: Uint8Array): DeclaredMemory[] {
  const r = new Reader(bytes, 8); // after magic and version
  while (r.offset < bytes.length) {
    const id = r.byte();
    const size = Number(r.leb());
    const end = r.offset + size;
    if (end > bytes.length) throw new RangeError("section runs past the end of the module");
    if (id === MEMORY_SECTION) {
      const count = Number(r.leb());
      const memories: DeclaredMemory[] = [];
      for (let i = 0; i < count; i++) {
        const flags = r.byte();
        const initialPages = r.leb();
        const maximumPages = flags & 0x01 ? r.leb() : undefined;
        if (flags & 0x08) r.leb(); // custom page size exponent
        memories.push({
          initialPages,
          maximumPages,
          shared: (flags & 0x02) !== 0,
          memory64: (flags & 0x04) !== 0,
          unknownFlags: flags & ~0x07,
        });
      }
      return memories;
    }
    r.offset = end;
  }
  return [];
}

/** What {@link scanModule} measured (every count is checked against its limit as it is read). */
export type ModuleStats = {
  bytes: number;
  codeBytes: number;
  functions: number;
  totalLocals: number;
  maxControlNesting: number;
};

/** A module over one of the {@link MODULE_LIMITS}; `limit` names it. */
export class ModuleLimitError extends Error {
  readonly limit: keyof ModuleLimits;
  readonly value: number;
  readonly max: number;
  constructor(limit: keyof ModuleLimits, value: number, max: number, where: string) {
    super(`${where}: ${value} exceeds ${limit} = ${max}`);
    this.limit = limit;
    this.value = value;
    this.max = max;
  }
}

/** A construct the scanner does not decode: a feature ABI v1 refuses anyway. */
export class UnknownOpcodeError extends Error {
  readonly opcode: string;
  constructor(opcode: string, where: string) {
    super(`${where}: opcode ${opcode}`);
    this.opcode = opcode;
  }
}

const SECTION = { type: 1, import: 2, function: 3, table: 4, global: 6, export: 7, element: 9, code: 10, data: 11 } as const;

/**
 * One linear pass over a module's sections, checking {@link MODULE_LIMITS} before anything
 * expensive (the engine's compiler, binaryen) sees it. With `decodeCode`, it also decodes every
 * instruction to measure `block`/`loop`/`if` nesting; do that only on bytes the engine has
 * validated (the decoder knows exactly the opcodes of the features ABI v1 allows, and throws
 * {@link UnknownOpcodeError} on any other). Throws `ModuleLimitError` on a limit, `RangeError`
 * on a structure it cannot read.
 *
 * @example
 * scanModule(wasm, MODULE_LIMITS, { decodeCode: false })
 */
export function scanModule(bytes: Uint8Array, limits: ModuleLimits, { decodeCode }: { decodeCode: boolean }): ModuleStats {
  const over = (limit: keyof ModuleLimits, value: number, where: string) => {
    if (value > limits[limit]) throw new ModuleLimitError(limit, value, limits[limit], where);
  };
  over("maxModuleBytes", bytes.length, "module");
  const stats: ModuleStats = { bytes: bytes.length, codeBytes: 0, functions: 0, totalLocals: 0, maxControlNesting: 0 };
  const r = new Reader(bytes, 8);
  let elementEntries = 0;
  while (r.offset < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.offset;
    const end = start + size;
    if (end > bytes.length) throw new RangeError("section runs past the end of the module");
    switch (id) {
      case SECTION.type:
        over("maxTypes", r.u32(), "type section");
        break;
      case SECTION.function:
        stats.functions = r.u32();
        over("maxFunctions", stats.functions, "function section");
        break;
      case SECTION.global:
        over("maxGlobals", r.u32(), "global section");
        break;
      case SECTION.export:
        over("maxExports", r.u32(), "export section");
        break;
      case SECTION.table: {
        const count = r.u32();
        for (let i = 0; i < count; i++) {
          r.byte(); // reference type
          const flags = r.byte();
          over("maxTableEntries", r.u32(), `table ${i} initial size`);
          if (flags & 0x01) r.u32();
        }
        break;
      }
      case SECTION.element: {
        const count = r.u32();
        for (let i = 0; i < count; i++) {
          const flags = r.u32();
          // Segment formats 0–7 (the spec's element section): skip to the vector of entries.
          if ((flags & 0x01) === 0) {
            if (flags & 0x02) r.u32(); // table index
            r.skipConstExpr();
          }
          if (flags & 0x03) r.byte(); // elemkind or reftype
          const n = r.u32();
          elementEntries += n;
          over("maxElementEntries", elementEntries, "element section");
          for (let k = 0; k < n; k++) {
            if (flags & 0x04) r.skipConstExpr();
            else r.u32();
          }
        }
        break;
      }
      case SECTION.data:
        over("maxDataSegments", r.u32(), "data section");
        break;
      case SECTION.code: {
        stats.codeBytes = size;
        over("maxCodeBytes", size, "code section");
        const count = r.u32();
        over("maxFunctions", count, "code section");
        for (let f = 0; f < count; f++) {
          const bodySize = r.u32();
          const bodyEnd = r.offset + bodySize;
          if (bodyEnd > end) throw new RangeError(`function body ${f} runs past the code section`);
          over("maxFunctionBytes", bodySize, `function body ${f}`);
          let locals = 0;
          const groups = r.u32();
          for (let g = 0; g < groups; g++) {
            locals += r.u32();
            over("maxLocalsPerFunction", locals, `function body ${f}`);
            r.byte(); // value type
          }
          stats.totalLocals += locals;
          over("maxTotalLocals", stats.totalLocals, "code section");
          if (decodeCode) {
            const depth = controlNesting(r, bodyEnd, limits.maxControlNesting, `function body ${f}`);
            stats.maxControlNesting = Math.max(stats.maxControlNesting, depth);
          }
          r.offset = bodyEnd;
        }
        break;
      }
    }
    r.offset = end;
  }
  return stats;
}

/** The deepest `block`/`loop`/`if` nesting of one body (the reader stands at its first instruction). */
function controlNesting(r: Reader, end: number, max: number, where: string): number {
  let depth = 0;
  let deepest = 0;
  while (r.offset < end) {
    const op = r.byte();
    if (op === 0x02 || op === 0x03 || op === 0x04) {
      r.blockType();
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > max) throw new ModuleLimitError("maxControlNesting", deepest, max, where);
      }
    } else if (op === 0x0b) {
      depth--;
    } else {
      r.skipImmediates(op, where);
    }
  }
  return deepest;
}

// MVP opcodes with no immediates: unreachable, nop, else, return, drop, select, and 0x45–0xc4
// (numeric, conversions, sign extension).
const NO_IMMEDIATES = new Set([0x00, 0x01, 0x05, 0x0f, 0x1a, 0x1b]);
