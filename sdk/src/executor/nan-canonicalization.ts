import type binaryenTypes from "binaryen";

import { ExpressionId, Operation, binaryen, raw } from "./binaryen-api.ts";

/**
 * NaN canonicalization. WebAssembly leaves the sign and payload of a NaN produced by arithmetic
 * unspecified (x86 and ARM really differ), so float bits are the one place where two honest
 * machines could disagree. Comparisons, conversions to integers and arithmetic on NaNs are all
 * deterministic; only a NaN's *bits* are not. So for scalars the executor rewrites every place
 * where those bits become observable: `f32.store`/`f64.store` values, `i32/i64.reinterpret`
 * operands, the sign operand of `copysign`, and scalars that enter a vector (`splat`,
 * `replace_lane`). Any NaN reaching one of these is replaced by the canonical NaN
 * (f32 0x7fc00000, f64 0x7ff8000000000000). Vector lanes are just bits to every other vector
 * instruction, so float vector arithmetic is canonicalized lane by lane where it is produced.
 */

type Module = binaryenTypes.Module;

/** The canonical quiet NaN bit patterns. */
export const CANONICAL_NAN_F32 = 0x7fc00000;
export const CANONICAL_NAN_F64 = 0x7ff8000000000000n;

const ops = Operation;
const codes = (names: readonly string[]) => new Set(names.map((name) => ops[name]!));

/**
 * Operation names by expression class (binaryen numbers unary and binary operations
 * separately, so a code means nothing without its class).
 */
export const NAN_OPERATION_NAMES = {
  /** Unary: the operand's bits become observable. */
  unaryOperand: ["ReinterpretFloat32", "ReinterpretFloat64", "SplatVecF32x4", "SplatVecF64x2"],
  /** Binary: the right operand's sign becomes observable. */
  binaryRightOperand: ["CopySignFloat32", "CopySignFloat64"],
  /** Unary / binary float vector operations that can produce a fresh NaN lane. */
  unaryF32x4: ["SqrtVecF32x4", "CeilVecF32x4", "FloorVecF32x4", "TruncVecF32x4", "NearestVecF32x4", "DemoteZeroVecF64x2ToVecF32x4"],
  unaryF64x2: ["SqrtVecF64x2", "CeilVecF64x2", "FloorVecF64x2", "TruncVecF64x2", "NearestVecF64x2", "PromoteLowVecF32x4ToVecF64x2"],
  binaryF32x4: ["AddVecF32x4", "SubVecF32x4", "MulVecF32x4", "DivVecF32x4", "MinVecF32x4", "MaxVecF32x4"],
  binaryF64x2: ["AddVecF64x2", "SubVecF64x2", "MulVecF64x2", "DivVecF64x2", "MinVecF64x2", "MaxVecF64x2"],
  /** SIMD replace_lane: the scalar operand's bits become observable. */
  replaceLane: ["ReplaceLaneVecF32x4", "ReplaceLaneVecF64x2"],
} as const;

const UNARY_OPERAND = codes(NAN_OPERATION_NAMES.unaryOperand);
const BINARY_RIGHT_OPERAND = codes(NAN_OPERATION_NAMES.binaryRightOperand);
const UNARY_F32X4 = codes(NAN_OPERATION_NAMES.unaryF32x4);
const UNARY_F64X2 = codes(NAN_OPERATION_NAMES.unaryF64x2);
const BINARY_F32X4 = codes(NAN_OPERATION_NAMES.binaryF32x4);
const BINARY_F64X2 = codes(NAN_OPERATION_NAMES.binaryF64x2);
const REPLACE_LANE = codes(NAN_OPERATION_NAMES.replaceLane);

/** Where a NaN must be canonicalized, if anywhere, for one expression (after its children). */
export type NanSite =
  | { kind: "operand"; get: (e: number) => number; set: (e: number, c: number) => void; type: number }
  | { kind: "result"; lanes: "f32x4" | "f64x2" };

export function nanSite(expr: number): NanSite | undefined {
  const id = binaryen.getExpressionId(expr);
  if (id === ExpressionId.Store) {
    const type = raw._BinaryenStoreGetValueType(expr);
    if (type === binaryen.f32 || type === binaryen.f64) {
      return { kind: "operand", get: raw._BinaryenStoreGetValue, set: raw._BinaryenStoreSetValue, type };
    }
    return undefined;
  }
  if (id === ExpressionId.Unary) {
    const op = raw._BinaryenUnaryGetOp(expr);
    if (UNARY_OPERAND.has(op)) {
      const value = raw._BinaryenUnaryGetValue(expr);
      return { kind: "operand", get: raw._BinaryenUnaryGetValue, set: raw._BinaryenUnarySetValue, type: binaryen.getExpressionType(value) };
    }
    if (UNARY_F32X4.has(op)) return { kind: "result", lanes: "f32x4" };
    if (UNARY_F64X2.has(op)) return { kind: "result", lanes: "f64x2" };
    return undefined;
  }
  if (id === ExpressionId.Binary) {
    const op = raw._BinaryenBinaryGetOp(expr);
    if (BINARY_RIGHT_OPERAND.has(op)) {
      const right = raw._BinaryenBinaryGetRight(expr);
      return {
        kind: "operand",
        get: raw._BinaryenBinaryGetRight,
        set: raw._BinaryenBinarySetRight,
        type: binaryen.getExpressionType(right),
      };
    }
    if (BINARY_F32X4.has(op)) return { kind: "result", lanes: "f32x4" };
    if (BINARY_F64X2.has(op)) return { kind: "result", lanes: "f64x2" };
    return undefined;
  }
  if (id === ExpressionId.SIMDReplace && REPLACE_LANE.has(raw._BinaryenSIMDReplaceGetOp(expr))) {
    const value = raw._BinaryenSIMDReplaceGetValue(expr);
    return {
      kind: "operand",
      get: raw._BinaryenSIMDReplaceGetValue,
      set: raw._BinaryenSIMDReplaceSetValue,
      type: binaryen.getExpressionType(value),
    };
  }
  return undefined;
}

/**
 * `x` if it is not a NaN, else the canonical NaN: `select(NaN, tee(t, x), t != t)`. `temp` is a
 * scratch local of `type` (f32 or f64); nothing runs between the tee and the reads, so one
 * scratch local per function and type suffices.
 */
export function canonicalizeScalar(m: Module, x: number, type: number, temp: number): number {
  if (type === binaryen.unreachable) return x;
  const canonical = type === binaryen.f32 ? m.f32.const_bits(CANONICAL_NAN_F32) : m.f64.const_bits(CANONICAL_NAN_F64);
  const ne = type === binaryen.f32 ? m.f32.ne.bind(m.f32) : m.f64.ne.bind(m.f64);
  return m.select(ne(m.local.get(temp, type), m.local.get(temp, type)), canonical, m.local.tee(temp, x, type));
}

function canonicalVector(m: Module, lanes: "f32x4" | "f64x2"): number {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 16; i += lanes === "f32x4" ? 4 : 8) {
    if (lanes === "f32x4") view.setUint32(i, CANONICAL_NAN_F32, true);
    else view.setBigUint64(i, CANONICAL_NAN_F64, true);
  }
  return m.v128.const(bytes);
}

/** Lane-wise: every NaN lane of `v` becomes the canonical NaN (`bitselect(NaNs, v, v != v)`). */
export function canonicalizeVector(m: Module, v: number, lanes: "f32x4" | "f64x2", temp: number): number {
  if (binaryen.getExpressionType(v) === binaryen.unreachable) return v;
  const ne = lanes === "f32x4" ? m.f32x4.ne.bind(m.f32x4) : m.f64x2.ne.bind(m.f64x2);
  return m.v128.bitselect(
    canonicalVector(m, lanes),
    m.local.tee(temp, v, binaryen.v128),
    ne(m.local.get(temp, binaryen.v128), m.local.get(temp, binaryen.v128)),
  );
}
