import binaryen from "binaryen";

/**
 * The part of binaryen.js's C API that `index.d.ts` leaves untyped: accessors and setters of
 * expression children, `FunctionAddVar`, `SetStart`. Every name below exists in binaryen 132
 * (checked by `binaryen-api.test.ts`); the instrumenter uses only these.
 */
type Ref = number;
type Get = (expr: Ref) => Ref;
type Set = (expr: Ref, child: Ref) => void;

export type BinaryenRaw = {
  _BinaryenBlockGetName(expr: Ref): Ref;
  _BinaryenBlockGetNumChildren(expr: Ref): number;
  _BinaryenBlockGetChildAt(expr: Ref, index: number): Ref;
  _BinaryenBlockSetChildAt(expr: Ref, index: number, child: Ref): void;
  _BinaryenBlockInsertChildAt(expr: Ref, index: number, child: Ref): void;
  _BinaryenIfGetCondition: Get;
  _BinaryenIfSetCondition: Set;
  _BinaryenIfGetIfTrue: Get;
  _BinaryenIfSetIfTrue: Set;
  _BinaryenIfGetIfFalse: Get;
  _BinaryenIfSetIfFalse: Set;
  _BinaryenLoopGetBody: Get;
  _BinaryenLoopSetBody: Set;
  _BinaryenBreakGetCondition: Get;
  _BinaryenBreakSetCondition: Set;
  _BinaryenBreakGetValue: Get;
  _BinaryenBreakSetValue: Set;
  _BinaryenSwitchGetCondition: Get;
  _BinaryenSwitchSetCondition: Set;
  _BinaryenSwitchGetValue: Get;
  _BinaryenSwitchSetValue: Set;
  _BinaryenCallGetNumOperands(expr: Ref): number;
  _BinaryenCallGetOperandAt(expr: Ref, index: number): Ref;
  _BinaryenCallSetOperandAt(expr: Ref, index: number, child: Ref): void;
  _BinaryenCallIsReturn(expr: Ref): boolean;
  _BinaryenCallIndirectGetTarget: Get;
  _BinaryenCallIndirectSetTarget: Set;
  _BinaryenCallIndirectGetNumOperands(expr: Ref): number;
  _BinaryenCallIndirectGetOperandAt(expr: Ref, index: number): Ref;
  _BinaryenCallIndirectSetOperandAt(expr: Ref, index: number, child: Ref): void;
  _BinaryenCallIndirectIsReturn(expr: Ref): boolean;
  _BinaryenCallIndirectGetParams(expr: Ref): number;
  _BinaryenCallIndirectGetResults(expr: Ref): number;
  _BinaryenLocalSetGetValue: Get;
  _BinaryenLocalSetSetValue: Set;
  _BinaryenGlobalSetGetValue: Get;
  _BinaryenGlobalSetSetValue: Set;
  _BinaryenLoadIsAtomic(expr: Ref): boolean;
  _BinaryenLoadGetPtr: Get;
  _BinaryenLoadSetPtr: Set;
  _BinaryenStoreIsAtomic(expr: Ref): boolean;
  _BinaryenStoreGetPtr: Get;
  _BinaryenStoreSetPtr: Set;
  _BinaryenStoreGetValue: Get;
  _BinaryenStoreSetValue: Set;
  _BinaryenStoreGetValueType(expr: Ref): number;
  _BinaryenUnaryGetOp(expr: Ref): number;
  _BinaryenUnaryGetValue: Get;
  _BinaryenUnarySetValue: Set;
  _BinaryenBinaryGetOp(expr: Ref): number;
  _BinaryenBinaryGetLeft: Get;
  _BinaryenBinarySetLeft: Set;
  _BinaryenBinaryGetRight: Get;
  _BinaryenBinarySetRight: Set;
  _BinaryenSelectGetIfTrue: Get;
  _BinaryenSelectSetIfTrue: Set;
  _BinaryenSelectGetIfFalse: Get;
  _BinaryenSelectSetIfFalse: Set;
  _BinaryenSelectGetCondition: Get;
  _BinaryenSelectSetCondition: Set;
  _BinaryenDropGetValue: Get;
  _BinaryenDropSetValue: Set;
  _BinaryenReturnGetValue: Get;
  _BinaryenReturnSetValue: Set;
  _BinaryenMemoryGrowGetDelta: Get;
  _BinaryenMemoryGrowSetDelta: Set;
  _BinaryenSIMDExtractGetOp(expr: Ref): number;
  _BinaryenSIMDExtractGetVec: Get;
  _BinaryenSIMDExtractSetVec: Set;
  _BinaryenSIMDReplaceGetOp(expr: Ref): number;
  _BinaryenSIMDReplaceGetVec: Get;
  _BinaryenSIMDReplaceSetVec: Set;
  _BinaryenSIMDReplaceGetValue: Get;
  _BinaryenSIMDReplaceSetValue: Set;
  _BinaryenSIMDShuffleGetLeft: Get;
  _BinaryenSIMDShuffleSetLeft: Set;
  _BinaryenSIMDShuffleGetRight: Get;
  _BinaryenSIMDShuffleSetRight: Set;
  _BinaryenSIMDTernaryGetOp(expr: Ref): number;
  _BinaryenSIMDTernaryGetA: Get;
  _BinaryenSIMDTernarySetA: Set;
  _BinaryenSIMDTernaryGetB: Get;
  _BinaryenSIMDTernarySetB: Set;
  _BinaryenSIMDTernaryGetC: Get;
  _BinaryenSIMDTernarySetC: Set;
  _BinaryenSIMDShiftGetVec: Get;
  _BinaryenSIMDShiftSetVec: Set;
  _BinaryenSIMDShiftGetShift: Get;
  _BinaryenSIMDShiftSetShift: Set;
  _BinaryenSIMDLoadGetPtr: Get;
  _BinaryenSIMDLoadSetPtr: Set;
  _BinaryenSIMDLoadStoreLaneGetPtr: Get;
  _BinaryenSIMDLoadStoreLaneSetPtr: Set;
  _BinaryenSIMDLoadStoreLaneGetVec: Get;
  _BinaryenSIMDLoadStoreLaneSetVec: Set;
  _BinaryenMemoryInitGetDest: Get;
  _BinaryenMemoryInitSetDest: Set;
  _BinaryenMemoryInitGetOffset: Get;
  _BinaryenMemoryInitSetOffset: Set;
  _BinaryenMemoryInitGetSize: Get;
  _BinaryenMemoryInitSetSize: Set;
  _BinaryenMemoryCopyGetDest: Get;
  _BinaryenMemoryCopySetDest: Set;
  _BinaryenMemoryCopyGetSource: Get;
  _BinaryenMemoryCopySetSource: Set;
  _BinaryenMemoryCopyGetSize: Get;
  _BinaryenMemoryCopySetSize: Set;
  _BinaryenMemoryFillGetDest: Get;
  _BinaryenMemoryFillSetDest: Set;
  _BinaryenMemoryFillGetValue: Get;
  _BinaryenMemoryFillSetValue: Set;
  _BinaryenMemoryFillGetSize: Get;
  _BinaryenMemoryFillSetSize: Set;
  _BinaryenTupleMakeGetNumOperands(expr: Ref): number;
  _BinaryenTupleMakeGetOperandAt(expr: Ref, index: number): Ref;
  _BinaryenTupleMakeSetOperandAt(expr: Ref, index: number, child: Ref): void;
  _BinaryenTupleExtractGetTuple: Get;
  _BinaryenTupleExtractSetTuple: Set;
  _BinaryenFunctionAddVar(func: Ref, type: number): number;
  _BinaryenFunctionSetBody(func: Ref, body: Ref): void;
  _BinaryenSetStart(module: Ref, func: Ref): void;
};

/** binaryen.js with the raw C API above typed. */
export const raw = binaryen as unknown as BinaryenRaw;

/** The expression kinds the executor names (all of them exist in binaryen 132). */
export type ExpressionIdName =
  | "Nop"
  | "Block"
  | "If"
  | "Loop"
  | "Break"
  | "Switch"
  | "Call"
  | "CallIndirect"
  | "LocalGet"
  | "LocalSet"
  | "GlobalGet"
  | "GlobalSet"
  | "Load"
  | "Store"
  | "AtomicRMW"
  | "AtomicCmpxchg"
  | "AtomicWait"
  | "AtomicNotify"
  | "AtomicFence"
  | "Pause"
  | "SIMDExtract"
  | "SIMDReplace"
  | "SIMDShuffle"
  | "SIMDTernary"
  | "SIMDShift"
  | "SIMDLoad"
  | "SIMDLoadStoreLane"
  | "MemoryInit"
  | "DataDrop"
  | "MemoryCopy"
  | "MemoryFill"
  | "Const"
  | "Unary"
  | "Binary"
  | "Select"
  | "Drop"
  | "Return"
  | "MemorySize"
  | "MemoryGrow"
  | "Unreachable"
  | "Pop"
  | "TupleMake"
  | "TupleExtract";

const runtime = binaryen as unknown as {
  ExpressionIds: Record<ExpressionIdName, number>;
  Operations: Record<string, number>;
};

/**
 * Expression ids read from the runtime object. (`index.d.ts` declares them as a `const enum`
 * whose order does not match binaryen 132, so the declared values must not be used.)
 */
export const ExpressionId: Readonly<Record<ExpressionIdName, number>> = runtime.ExpressionIds;

/** Operation codes (`AddFloat64`, `RelaxedMaddVecF32x4`, …) by name, from the runtime object. */
export const Operation: Readonly<Record<string, number>> = runtime.Operations;

/** The expression kind name of id `id`, for messages. */
export function expressionIdName(id: number): string {
  const all = (binaryen as unknown as { ExpressionIds: Record<string, number> }).ExpressionIds;
  return Object.keys(all).find((name) => all[name] === id) ?? `id#${id}`;
}

export { binaryen };
