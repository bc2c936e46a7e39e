/**
 * A minimal reader for the parts of the binary format the validator needs before binaryen sees
 * the module: the memories a module defines and their limit flags. It runs only on bytes that
 * `WebAssembly.Module` already accepted, so it trusts the overall structure but still checks
 * every bound.
 */

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
