// Hostile WebAssembly modules for the executor's tests and `scripts/lib/hostile-executor.ts`
// (issue 12), assembled byte by byte at run time: some are far too large for the text parser to
// build quickly, and none is checked in as a binary.
import { seededRandom } from "./seeded-random.ts";

/** Unsigned LEB128. */
export function uleb(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

/** Signed LEB128. */
export function sleb(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const name = (s: string) => [...uleb(utf8(s).length), ...utf8(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

/** Value types. */
export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;

/** A function to put in a module: its type index, local declarations and body (without the final `end`). */
export type FunctionSpec = { type: number; locals?: [count: number, type: number][]; body: number[] };

/** A module description for {@link assemble}: enough of the binary format to build any hostile case. */
export type ModuleSpec = {
  /** Function types as [params, results]. */
  types: [number[], number[]][];
  /** Host imports (all from `hashwork`) with their type index. */
  imports?: { name: string; type: number }[];
  functions: FunctionSpec[];
  /** Table size, in entries (a funcref table). */
  table?: { min: number; max?: number };
  memory?: { min: number; max?: number };
  /** Index (in the function index space, imports first) of `run`. */
  run: number;
  /** Active element segment at offset 0 with these function indices. */
  elements?: number[];
  /** Active data segments at these offsets. */
  data?: { offset: number; bytes: Uint8Array | number[] }[];
  /** The start function, if any. */
  start?: number;
};

function section(id: number, body: number[] | Uint8Array): Uint8Array {
  const size = uleb(body.length);
  const out = new Uint8Array(1 + size.length + body.length);
  out[0] = id;
  out.set(size, 1);
  out.set(body, 1 + size.length);
  return out;
}

/** Encodes a module. Large bodies are copied once, so it stays linear in the module's size. */
export function assemble(spec: ModuleSpec): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])];
  parts.push(section(1, vec(spec.types.map(([p, r]) => [0x60, ...vec(p.map((t) => [t])), ...vec(r.map((t) => [t]))]))));
  const imports = spec.imports ?? [];
  if (imports.length > 0) {
    parts.push(section(2, vec(imports.map((i) => [...name("hashwork"), ...name(i.name), 0x00, ...uleb(i.type)]))));
  }
  parts.push(section(3, vec(spec.functions.map((f) => uleb(f.type)))));
  const limits = ({ min, max }: { min: number; max?: number }) =>
    max === undefined ? [0x00, ...uleb(min)] : [0x01, ...uleb(min), ...uleb(max)];
  if (spec.table) parts.push(section(4, [1, 0x70, ...limits(spec.table)]));
  parts.push(section(5, [1, ...limits(spec.memory ?? { min: 1 })]));
  parts.push(
    section(
      7,
      vec([
        [...name("run"), 0x00, ...uleb(spec.run)],
        [...name("memory"), 0x02, 0x00],
      ]),
    ),
  );
  if (spec.start !== undefined) parts.push(section(8, uleb(spec.start)));
  if (spec.elements) parts.push(section(9, [1, 0x00, 0x41, ...sleb(0), 0x0b, ...vec(spec.elements.map((f) => uleb(f)))]));
  // Code section: built from chunks so a multi-megabyte body is not spread into an array.
  const bodies = spec.functions.map((f) => {
    const locals = vec((f.locals ?? []).map(([n, t]) => [...uleb(n), t]));
    const inner = new Uint8Array(locals.length + f.body.length + 1);
    inner.set(locals, 0);
    inner.set(f.body, locals.length);
    inner[inner.length - 1] = 0x0b;
    return [new Uint8Array(uleb(inner.length)), inner];
  });
  const codeChunks = [new Uint8Array(uleb(spec.functions.length)), ...bodies.flat()];
  parts.push(section(10, concat(codeChunks)));
  if (spec.data) {
    parts.push(
      section(
        11,
        concat([
          new Uint8Array(uleb(spec.data.length)),
          ...spec.data.flatMap((d) => [
            new Uint8Array([0x00, 0x41, ...sleb(d.offset), 0x0b, ...uleb(d.bytes.length)]),
            Uint8Array.from(d.bytes),
          ]),
        ]),
      ),
    );
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

// Opcodes used below.
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  memoryGrow: 0x40,
  void: 0x40,
} as const;
const i32 = (v: number) => [OP.i32Const, ...sleb(v)];

/** Types every case below shares: 0 `() -> ()`, 1 `(i32, i32) -> ()` (output_write), 2 `() -> i32`. */
const TYPES: [number[], number[]][] = [
  [[], []],
  [[T.i32, T.i32], []],
  [[], [T.i32]],
];
const OUTPUT_WRITE = { name: "output_write", type: 1 };

/** `output_write(0, 1)` `times` times in a loop (the heap-exhaustion attack: 1-byte writes were free). */
export function manyOutputWrites(times: number): Uint8Array {
  return longOutput(1, times);
}

/**
 * A non-recursive call chain: function k calls k + 1, each with `locals` locals of `type`
 * (the native-stack attack: only recursive functions used to pay the stack budget).
 */
export function deepFrameChain(functions: number, locals: number, type: number = T.v128): Uint8Array {
  const fns: FunctionSpec[] = [];
  for (let k = 0; k < functions; k++) {
    const body = k + 1 < functions ? [OP.call, ...uleb(k + 1)] : [];
    fns.push({ type: 0, locals: [[locals, type]], body });
  }
  return assemble({ types: TYPES, functions: fns, run: 0 });
}

/** `n` functions of one type, each doing one `call_indirect` through a table holding all of them (N² call-graph edges). */
export function indirectCallMesh(n: number): Uint8Array {
  const fns: FunctionSpec[] = [{ type: 0, body: [] }]; // 0: run (does nothing)
  for (let k = 0; k < n; k++) fns.push({ type: 0, body: [...i32(k), OP.callIndirect, 0, 0] });
  const elements = fns.map((_, k) => k);
  return assemble({ types: TYPES, functions: fns, table: { min: elements.length, max: elements.length }, elements, run: 0 });
}

/** One function of `depth` nested `block { br_if 0 (…) }` (binaryen's memory bomb). */
export function nestedBrIf(depth: number): Uint8Array {
  const body = new Uint8Array(depth * 6 + 1);
  let o = 0;
  for (let k = 0; k < depth; k++) {
    body[o++] = OP.block;
    body[o++] = OP.void;
    body[o++] = OP.i32Const;
    body[o++] = 0;
    body[o++] = OP.brIf;
    body[o++] = 0;
  }
  const ends = new Uint8Array(depth).fill(OP.end);
  const full = concat([body.subarray(0, o), ends]);
  return assemble({ types: TYPES, functions: [{ type: 0, body: [...full] }], run: 0 });
}

/** `n` empty functions (many functions). */
export function manyFunctions(n: number): Uint8Array {
  return assemble({ types: TYPES, functions: Array.from({ length: n }, () => ({ type: 0, body: [] })), run: 0 });
}

/** One function with `n` i32 locals. */
export function manyLocals(n: number, functions = 1): Uint8Array {
  return assemble({
    types: TYPES,
    functions: Array.from({ length: functions }, () => ({ type: 0, locals: [[n, T.i32]] as [number, number][], body: [] })),
    run: 0,
  });
}

/** A table of `size` entries (nothing in it). */
export function hugeTable(size: number): Uint8Array {
  return assemble({ types: TYPES, functions: [{ type: 0, body: [] }], table: { min: size }, run: 0 });
}

/** A data segment of `bytes` bytes, in a memory of enough pages. */
export function bigData(bytes: number): Uint8Array {
  const pages = Math.ceil(bytes / 65536) || 1;
  return assemble({
    types: TYPES,
    functions: [{ type: 0, body: [] }],
    memory: { min: pages },
    data: [{ offset: 0, bytes: new Uint8Array(bytes).fill(7) }],
    run: 0,
  });
}

/** `memory.grow(1)` in a loop until refused, then loops forever growing by 0. */
export function growLoop(): Uint8Array {
  const body = [OP.loop, OP.void, ...i32(1), OP.memoryGrow, 0, OP.drop, OP.br, 0, OP.end];
  return assemble({ types: TYPES, functions: [{ type: 0, body }], run: 0 });
}

/** Writes `len` bytes, `times` times. */
export function longOutput(len: number, times: number): Uint8Array {
  const body = [
    OP.loop,
    OP.void,
    ...i32(0),
    ...i32(len),
    OP.call,
    0,
    OP.localGet,
    0,
    ...i32(1),
    OP.i32Add,
    OP.localTee,
    0,
    ...i32(times),
    OP.i32Ne,
    OP.brIf,
    0,
    OP.end,
  ];
  return assemble({
    types: TYPES,
    imports: [OUTPUT_WRITE],
    functions: [{ type: 0, locals: [[1, T.i32]], body }],
    memory: { min: Math.ceil(len / 65536) || 1 },
    run: 1,
  });
}

/** One function summing `depth` constants on the operand stack: `i32.const 1` × depth, then `i32.add` × (depth − 1). */
export function deepOperandStack(depth: number): Uint8Array {
  const body = new Uint8Array(depth * 2 + (depth - 1) + 1);
  let o = 0;
  for (let k = 0; k < depth; k++) {
    body[o++] = OP.i32Const;
    body[o++] = 1;
  }
  for (let k = 1; k < depth; k++) body[o++] = OP.i32Add;
  body[o++] = OP.drop;
  return assemble({ types: TYPES, functions: [{ type: 0, body: [...body] }], run: 0 });
}

/**
 * A random program that is valid by construction, for fuzzing: 1–6 functions `(i32) -> i32`
 * with random locals (some large, some v128), bodies of random expressions (arithmetic that may
 * trap, loads, direct and indirect calls that may recurse, `memory.grow`, loops that may not
 * end, branches, host calls, deep nests, deep operand stacks across calls), a table holding every function, and `run` calling
 * the first one. Deterministic in `seed`.
 */
export function randomProgram(seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const functions = 1 + int(6);
  const FIRST = 3; // imports 0 (output_write), 1 (input_size); 2 is run
  const bodies: FunctionSpec[] = [];
  for (let f = 0; f < functions; f++) {
    const i32Locals = int(4);
    const big = rnd() < 0.15;
    const locals: [number, number][] = [
      [i32Locals, T.i32],
      [big ? int(5000) : int(4), T.i64],
      [big ? int(3000) : int(3), T.v128],
    ];
    const code: number[] = [];
    const budget = { nodes: 200 + int(400) };
    const expr = (depth: number): void => {
      budget.nodes--;
      if (depth <= 0 || budget.nodes <= 0) {
        if (rnd() < 0.5) code.push(...i32(int(2) ? int(100) : int(1 << 30) * (int(2) ? 1 : -1)));
        else code.push(OP.localGet, int(i32Locals + 1));
        return;
      }
      switch (int(15)) {
        case 0:
        case 1: {
          expr(depth - 1);
          expr(depth - 1);
          code.push([0x6a, 0x6b, 0x6c, 0x6e, 0x70, 0x71, 0x73, 0x74][int(8)]!);
          return;
        }
        case 2:
          expr(depth - 1);
          code.push(0x28, 0x02, ...uleb(int(2) ? 0 : int(1 << 16)));
          return;
        case 3:
          expr(depth - 1);
          code.push(OP.call, ...uleb(FIRST + int(functions)));
          return;
        case 4:
          expr(depth - 1);
          expr(depth - 1);
          code.push(OP.callIndirect, 3, 0);
          return;
        case 5:
          expr(depth - 1);
          code.push(OP.memoryGrow, 0);
          return;
        case 6:
          code.push(OP.block, T.i32);
          expr(depth - 1);
          expr(depth - 1);
          code.push(OP.brIf, 0, OP.end);
          return;
        case 7:
          code.push(OP.loop, T.i32);
          expr(depth - 1);
          code.push(OP.brIf, 0);
          expr(depth - 1);
          code.push(OP.end);
          return;
        case 8:
          expr(depth - 1);
          expr(depth - 1);
          code.push(OP.call, 0, ...i32(0));
          return;
        case 9:
          code.push(OP.call, 1);
          return;
        case 10:
          code.push(0xfd, 0x0c, ...Array.from({ length: 16 }, () => int(256)), 0xfd, 0x1b, int(4));
          return;
        case 11:
          expr(depth - 1);
          code.push(OP.localTee, int(i32Locals + 1));
          return;
        case 12: {
          // A deep nest of blocks (within the nesting limit).
          const n = int(2) ? 1 + int(50) : 1 + int(2000);
          for (let k = 0; k < n; k++) code.push(OP.block, T.i32);
          expr(depth - 1);
          for (let k = 0; k < n; k++) code.push(OP.end);
          return;
        }
        case 13: {
          // Many values held on the operand stack across a (possibly recursive) call.
          const n = 1 + int(3000);
          for (let k = 0; k < n; k++) code.push(OP.localGet, 0);
          expr(depth - 1);
          code.push(OP.call, ...uleb(FIRST + int(functions)));
          for (let k = 0; k < n; k++) code.push(OP.i32Add);
          return;
        }
        default:
          expr(0);
      }
    };
    expr(2 + int(6));
    bodies.push({ type: 3, locals: locals.filter(([n]) => n > 0), body: code });
  }
  const run: FunctionSpec = { type: 0, body: [...i32(int(1000)), OP.call, ...uleb(FIRST), OP.drop] };
  const table = Array.from({ length: functions }, (_, k) => FIRST + k);
  return assemble({
    types: [
      [[], []],
      [[T.i32, T.i32], []],
      [[], [T.i32]],
      [[T.i32], [T.i32]],
    ],
    imports: [OUTPUT_WRITE, { name: "input_size", type: 2 }],
    functions: [run, ...bodies],
    table: { min: functions, max: functions },
    elements: table,
    memory: { min: 1, max: 1 + int(64) },
    run: 2,
  });
}

/**
 * `rec` holds `depth` values on the operand stack across a call to itself (`local.get 0` ×
 * depth, `call rec`, `i32.add` × depth): the engine spills them into the frame, so each level
 * costs far more stack than its locals.
 */
export function deepOperandStackRecursion(depth: number): Uint8Array {
  const body: number[] = [];
  for (let k = 0; k < depth; k++) body.push(OP.localGet, 0);
  body.push(OP.localGet, 0, OP.call, 1);
  for (let k = 0; k < depth; k++) body.push(OP.i32Add);
  return assemble({
    types: [
      [[], []],
      [[T.i32], [T.i32]],
    ],
    functions: [
      { type: 0, body: [...i32(1), OP.call, 1, OP.drop] }, // 0: run
      { type: 1, body }, // 1: rec
    ],
    run: 0,
  });
}

/** Unbounded recursion through a function with `locals` locals of `type`: `rec() { rec() }`. */
export function recursionWithLocals(locals: number, type: number = T.i64): Uint8Array {
  return assemble({
    types: TYPES,
    functions: [
      { type: 0, body: [OP.call, 1] }, // 0: run
      { type: 0, locals: locals > 0 ? [[locals, type]] : [], body: [OP.call, 1] }, // 1: rec
    ],
    run: 0,
  });
}
