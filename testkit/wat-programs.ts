// Small WebAssembly programs for the executor's tests, written in the text format and assembled
// at test time with binaryen (no binaries checked in).
import { binaryen } from "../sdk/src/executor/binaryen-api.ts";

/**
 * Every feature binaryen knows except the binary encodings V8 does not read yet (compact
 * imports), so that the tests can build modules the validator must refuse.
 */
const features = binaryen.Features as unknown as Record<string, number>;
const TEST_FEATURES = features.All! & ~features.CompactImports!;
const parseText = binaryen.parseText as (text: string, features?: number) => ReturnType<typeof binaryen.parseText>;

/** Assembles WebAssembly text into a binary module. */
export function wat(text: string, features: number = TEST_FEATURES): Uint8Array {
  const module = parseText(text, features);
  try {
    module.setFeatures(features);
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

const HOST = `
  (import "hashwork" "input_size" (func $input_size (result i32)))
  (import "hashwork" "input_read" (func $input_read (param i32 i32 i32)))
  (import "hashwork" "output_write" (func $output_write (param i32 i32)))`;

/** A module with the host imports, one page of memory and `body` as `run`. */
export function program(body: string, extra = "", memory = '(memory (export "memory") 1)'): Uint8Array {
  return wat(`(module ${HOST} ${extra} ${memory} (func (export "run") ${body}))`);
}

/** Writes "ok" and returns. Straight-line code of a known cost. */
export const okProgram = () => program(`(i32.store16 (i32.const 0) (i32.const 0x6b6f)) (call $output_write (i32.const 0) (i32.const 2))`);

/** `loop { br 0 }`, forever. */
export const infiniteLoop = () => program(`(loop $forever (br $forever))`);

/** Infinite loop in the start function: metering must cover start too. */
export const infiniteStart = () => program(``, `(func $start (loop $forever (br $forever))) (start $start)`);

/** Unbounded recursion. */
export const infiniteRecursion = () => program(`(call $recurse)`, `(func $recurse (call $recurse))`);

/** Unbounded mutual recursion: $ping → $pong → $ping … */
export const mutualRecursion = () => program(`(call $ping)`, `(func $ping (call $pong)) (func $pong (call $ping))`);

/** Unbounded recursion through the table. */
export const indirectRecursion = () =>
  program(
    `(call $self)`,
    `(type $void (func)) (table 1 funcref) (elem (i32.const 0) $self)
     (func $self (call_indirect (type $void) (i32.const 0)))`,
  );

/** Grows memory 16 pages at a time until refused, then outputs the final page count (u32). */
export const memoryBomb = (memory?: string) =>
  program(
    `(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
     (i32.store (i32.const 0) (memory.size))
     (call $output_write (i32.const 0) (i32.const 4))`,
    "",
    memory,
  );

/** Writes the same 64 KiB, `times` times. */
export const repeatedOutput = (times: number) =>
  program(
    `(local $i i32)
     (loop $write
       (call $output_write (i32.const 0) (i32.const 65536))
       (br_if $write (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${times}))))`,
  );

/** Writes some output, then hits `unreachable`. */
export const trapAfterOutput = () => program(`(call $output_write (i32.const 0) (i32.const 8)) (unreachable)`);

/** Integer division by zero (a trap the engine raises, not an `unreachable`). */
export const divideByZero = () => program(`(i32.store (i32.const 0) (i32.div_u (i32.const 1) (call $input_size)))`);

/** Calls AssemblyScript's `env.abort`. */
export const callsAbort = () =>
  wat(`(module
    (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
    (memory (export "memory") 1)
    (func (export "run") (call $abort (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))))`);

/** Copies the input to the output. */
export const echo = () =>
  program(`(local $n i32)
    (call $input_read (i32.const 0) (i32.const 0) (local.tee $n (call $input_size)))
    (call $output_write (i32.const 0) (local.get $n))`);

/** Copies `n` bytes with `memory.copy`, where `n` is the first input byte × 16. */
export const bulkCopy = () =>
  program(`(call $input_read (i32.const 0) (i32.const 0) (i32.const 1))
    (memory.copy (i32.const 1024) (i32.const 0) (i32.mul (i32.load8_u (i32.const 0)) (i32.const 16)))`);

/**
 * Produces NaNs in every way whose bits could leak and writes 64 bytes:
 * [0] f64: (NaN with the payload read from input[0..8]) + 1.0, stored
 * [8] f64: 0/0 (operands from input, so nothing folds), stored
 * [16] i64: reinterpret(sqrt(-1))
 * [24] f64: copysign(1.0, 0/0)
 * [32] f32: 0/0
 * [48] f64x2: [0/0, 1/1]
 */
export const nanProducer = () =>
  program(`(local $zero f64) (local $one f64)
    (call $input_read (i32.const 256) (i32.const 0) (i32.const 8))
    (local.set $zero (f64.convert_i32_u (i32.load8_u (i32.const 300))))
    (local.set $one (f64.add (local.get $zero) (f64.const 1)))
    (f64.store (i32.const 0) (f64.add (f64.load (i32.const 256)) (local.get $one)))
    (f64.store (i32.const 8) (f64.div (local.get $zero) (local.get $zero)))
    (i64.store (i32.const 16) (i64.reinterpret_f64 (f64.sqrt (f64.neg (local.get $one)))))
    (f64.store (i32.const 24) (f64.copysign (local.get $one) (f64.div (local.get $zero) (local.get $zero))))
    (f32.store (i32.const 32) (f32.div (f32.demote_f64 (local.get $zero)) (f32.demote_f64 (local.get $zero))))
    (v128.store (i32.const 48)
      (f64x2.div
        (f64x2.replace_lane 1 (f64x2.splat (local.get $zero)) (local.get $one))
        (f64x2.replace_lane 1 (f64x2.splat (local.get $zero)) (local.get $one))))
    (call $output_write (i32.const 0) (i32.const 64))`);

/**
 * `run` whose body is `depth` nested empty blocks, assembled byte by byte (the text parser would
 * recurse as deep on this thread).
 */
export function nestedBlocks(depth: number): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
  const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  const body = [0, ...new Array<number[]>(depth).fill([0x02, 0x40]).flat(), ...new Array<number>(depth).fill(0x0b), 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 0, 0]), // type () -> ()
    ...section(3, [1, 0]), // one function
    ...section(5, [1, 0, 1]), // memory 1
    ...section(7, [2, ...name("run"), 0, 0, ...name("memory"), 2, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}
