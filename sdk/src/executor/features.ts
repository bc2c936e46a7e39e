import { ExpressionId, Operation, binaryen, expressionIdName, raw } from "./binaryen-api.ts";
import { ForbiddenFeatureError } from "./errors.ts";

/**
 * The WebAssembly features ABI v1 admits: the MVP plus mutable globals, sign extension,
 * saturating float-to-int, bulk memory, multi-value and (non-relaxed) 128-bit SIMD. Everything
 * else is refused: threads and atomics (scheduling-dependent), relaxed SIMD (results differ by
 * CPU), exceptions, GC and reference types, tail calls, memory64, multi-memory, stack switching.
 */
export const ALLOWED_FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.Multivalue |
  binaryen.Features.SIMD128;

const VALUE_TYPES = new Set<number>([binaryen.i32, binaryen.i64, binaryen.f32, binaryen.f64, binaryen.v128]);

/** Throws unless every component of `type` is a numeric or vector value type. */
export function checkValueType(type: number, where: string): void {
  if (type === binaryen.none) return;
  for (const t of binaryen.expandType(type)) {
    if (!VALUE_TYPES.has(t)) throw new ForbiddenFeatureError({ feature: "reference types", where });
  }
}

/** Feature to blame for an expression kind ABI v1 does not admit. */
function featureOfExpressionKind(kind: string): string {
  if (/^(Try|TryTable|Throw|Rethrow|ThrowRef|Pop)$/.test(kind)) return "exception handling";
  if (/^(Atomic|Pause)/.test(kind)) return "threads (atomics)";
  if (/^(Table|ElemDrop)/.test(kind)) return "reference types (table instructions)";
  if (/^(Struct|Array|RefI31|I31|RefTest|RefCast|BrOn|CallRef|RefGetDesc)/.test(kind)) return "garbage collection";
  if (/^(Ref|RefNull|RefIsNull|RefFunc|RefEq|RefAs)/.test(kind)) return "reference types";
  if (/^String/.test(kind)) return "strings";
  if (/^(Cont|Resume|Suspend|StackSwitch)/.test(kind)) return "stack switching";
  return `the ${kind} instruction`;
}

/**
 * Relaxed-SIMD operations (their results may differ between CPUs), by expression class:
 * binaryen numbers unary, binary and ternary operations separately, so codes overlap.
 */
export const RELAXED_OPERATION_NAMES = {
  unary: [
    "RelaxedTruncSVecF32x4ToVecI32x4",
    "RelaxedTruncUVecF32x4ToVecI32x4",
    "RelaxedTruncZeroSVecF64x2ToVecI32x4",
    "RelaxedTruncZeroUVecF64x2ToVecI32x4",
  ],
  binary: [
    "RelaxedSwizzleVecI8x16",
    "RelaxedMinVecF32x4",
    "RelaxedMaxVecF32x4",
    "RelaxedMinVecF64x2",
    "RelaxedMaxVecF64x2",
    "RelaxedQ15MulrSVecI16x8",
    "RelaxedDotI8x16I7x16SToVecI16x8",
  ],
  ternary: [
    "RelaxedMaddVecF32x4",
    "RelaxedNmaddVecF32x4",
    "RelaxedMaddVecF64x2",
    "RelaxedNmaddVecF64x2",
    "RelaxedLaneselectI8x16",
    "RelaxedLaneselectI16x8",
    "RelaxedLaneselectI32x4",
    "RelaxedLaneselectI64x2",
    "RelaxedDotI8x16I7x16AddSToVecI32x4",
  ],
} as const;

const relaxed = (names: readonly string[]) => new Map(names.map((name) => [Operation[name]!, name]));
const RELAXED_UNARY = relaxed(RELAXED_OPERATION_NAMES.unary);
const RELAXED_BINARY = relaxed(RELAXED_OPERATION_NAMES.binary);
const RELAXED_TERNARY = relaxed(RELAXED_OPERATION_NAMES.ternary);

/**
 * Throws `ForbiddenFeatureError` if `expr` (one node, not its children) is outside ABI v1.
 * `where` names the function, for the error message.
 */
export function checkExpression(expr: number, where: string): void {
  const id = binaryen.getExpressionId(expr);
  switch (id) {
    case ExpressionId.Load:
      if (raw._BinaryenLoadIsAtomic(expr)) throw new ForbiddenFeatureError({ feature: "threads (atomic load)", where });
      return;
    case ExpressionId.Store:
      if (raw._BinaryenStoreIsAtomic(expr)) throw new ForbiddenFeatureError({ feature: "threads (atomic store)", where });
      return;
    case ExpressionId.Call:
      if (raw._BinaryenCallIsReturn(expr)) throw new ForbiddenFeatureError({ feature: "tail calls", where });
      return;
    case ExpressionId.CallIndirect:
      if (raw._BinaryenCallIndirectIsReturn(expr)) throw new ForbiddenFeatureError({ feature: "tail calls", where });
      return;
    case ExpressionId.Unary:
      checkOp(RELAXED_UNARY, raw._BinaryenUnaryGetOp(expr), where);
      return;
    case ExpressionId.Binary:
      checkOp(RELAXED_BINARY, raw._BinaryenBinaryGetOp(expr), where);
      return;
    case ExpressionId.SIMDTernary:
      checkOp(RELAXED_TERNARY, raw._BinaryenSIMDTernaryGetOp(expr), where);
      return;
    default:
      return;
  }
}

function checkOp(forbidden: ReadonlyMap<number, string>, op: number, where: string): void {
  const name = forbidden.get(op);
  if (name !== undefined) throw new ForbiddenFeatureError({ feature: `relaxed SIMD (${name})`, where });
}

/** The error for an expression kind the instrumenter does not know. */
export function unsupportedExpression(expr: number, where: string): ForbiddenFeatureError {
  return new ForbiddenFeatureError({
    feature: featureOfExpressionKind(expressionIdName(binaryen.getExpressionId(expr))),
    where,
  });
}
