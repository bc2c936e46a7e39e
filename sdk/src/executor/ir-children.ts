import { ExpressionId as ids, binaryen, raw } from "./binaryen-api.ts";

/** One child slot of a binaryen expression: read it, or put another expression in its place. */
export type ChildSlot = { readonly expr: number; replace(next: number): void };

/** Expression kinds without children. */
const LEAVES = new Set<number>([ids.Nop, ids.LocalGet, ids.GlobalGet, ids.Const, ids.MemorySize, ids.Unreachable, ids.DataDrop]);

function slot(expr: number, get: (e: number) => number, set: (e: number, c: number) => void): ChildSlot[] {
  const child = get(expr);
  return child === 0 ? [] : [{ expr: child, replace: (next) => set(expr, next) }];
}

function listSlots(
  expr: number,
  count: (e: number) => number,
  get: (e: number, i: number) => number,
  set: (e: number, i: number, c: number) => void,
): ChildSlot[] {
  const slots: ChildSlot[] = [];
  for (let i = 0, n = count(expr); i < n; i++) {
    slots.push({ expr: get(expr, i), replace: (next) => set(expr, i, next) });
  }
  return slots;
}

/**
 * The children of `expr` in evaluation order, for every expression kind ABI v1 admits.
 * Returns `undefined` for a kind it does not know (the caller refuses the module).
 */
export function childSlots(expr: number): ChildSlot[] | undefined {
  const id = binaryen.getExpressionId(expr);
  if (LEAVES.has(id)) return [];
  const r = raw;
  switch (id) {
    case ids.Block:
      return listSlots(
        expr,
        (e) => r._BinaryenBlockGetNumChildren(e),
        (e, i) => r._BinaryenBlockGetChildAt(e, i),
        (e, i, c) => r._BinaryenBlockSetChildAt(e, i, c),
      );
    case ids.If:
      return [
        ...slot(expr, r._BinaryenIfGetCondition, r._BinaryenIfSetCondition),
        ...slot(expr, r._BinaryenIfGetIfTrue, r._BinaryenIfSetIfTrue),
        ...slot(expr, r._BinaryenIfGetIfFalse, r._BinaryenIfSetIfFalse),
      ];
    case ids.Loop:
      return slot(expr, r._BinaryenLoopGetBody, r._BinaryenLoopSetBody);
    case ids.Break:
      return [
        ...slot(expr, r._BinaryenBreakGetValue, r._BinaryenBreakSetValue),
        ...slot(expr, r._BinaryenBreakGetCondition, r._BinaryenBreakSetCondition),
      ];
    case ids.Switch:
      return [
        ...slot(expr, r._BinaryenSwitchGetValue, r._BinaryenSwitchSetValue),
        ...slot(expr, r._BinaryenSwitchGetCondition, r._BinaryenSwitchSetCondition),
      ];
    case ids.Call:
      return listSlots(
        expr,
        (e) => r._BinaryenCallGetNumOperands(e),
        (e, i) => r._BinaryenCallGetOperandAt(e, i),
        (e, i, c) => r._BinaryenCallSetOperandAt(e, i, c),
      );
    case ids.CallIndirect:
      return [
        ...listSlots(
          expr,
          (e) => r._BinaryenCallIndirectGetNumOperands(e),
          (e, i) => r._BinaryenCallIndirectGetOperandAt(e, i),
          (e, i, c) => r._BinaryenCallIndirectSetOperandAt(e, i, c),
        ),
        ...slot(expr, r._BinaryenCallIndirectGetTarget, r._BinaryenCallIndirectSetTarget),
      ];
    case ids.LocalSet:
      return slot(expr, r._BinaryenLocalSetGetValue, r._BinaryenLocalSetSetValue);
    case ids.GlobalSet:
      return slot(expr, r._BinaryenGlobalSetGetValue, r._BinaryenGlobalSetSetValue);
    case ids.Load:
      return slot(expr, r._BinaryenLoadGetPtr, r._BinaryenLoadSetPtr);
    case ids.Store:
      return [
        ...slot(expr, r._BinaryenStoreGetPtr, r._BinaryenStoreSetPtr),
        ...slot(expr, r._BinaryenStoreGetValue, r._BinaryenStoreSetValue),
      ];
    case ids.Unary:
      return slot(expr, r._BinaryenUnaryGetValue, r._BinaryenUnarySetValue);
    case ids.Binary:
      return [
        ...slot(expr, r._BinaryenBinaryGetLeft, r._BinaryenBinarySetLeft),
        ...slot(expr, r._BinaryenBinaryGetRight, r._BinaryenBinarySetRight),
      ];
    case ids.Select:
      return [
        ...slot(expr, r._BinaryenSelectGetIfTrue, r._BinaryenSelectSetIfTrue),
        ...slot(expr, r._BinaryenSelectGetIfFalse, r._BinaryenSelectSetIfFalse),
        ...slot(expr, r._BinaryenSelectGetCondition, r._BinaryenSelectSetCondition),
      ];
    case ids.Drop:
      return slot(expr, r._BinaryenDropGetValue, r._BinaryenDropSetValue);
    case ids.Return:
      return slot(expr, r._BinaryenReturnGetValue, r._BinaryenReturnSetValue);
    case ids.MemoryGrow:
      return slot(expr, r._BinaryenMemoryGrowGetDelta, r._BinaryenMemoryGrowSetDelta);
    case ids.SIMDExtract:
      return slot(expr, r._BinaryenSIMDExtractGetVec, r._BinaryenSIMDExtractSetVec);
    case ids.SIMDReplace:
      return [
        ...slot(expr, r._BinaryenSIMDReplaceGetVec, r._BinaryenSIMDReplaceSetVec),
        ...slot(expr, r._BinaryenSIMDReplaceGetValue, r._BinaryenSIMDReplaceSetValue),
      ];
    case ids.SIMDShuffle:
      return [
        ...slot(expr, r._BinaryenSIMDShuffleGetLeft, r._BinaryenSIMDShuffleSetLeft),
        ...slot(expr, r._BinaryenSIMDShuffleGetRight, r._BinaryenSIMDShuffleSetRight),
      ];
    case ids.SIMDTernary:
      return [
        ...slot(expr, r._BinaryenSIMDTernaryGetA, r._BinaryenSIMDTernarySetA),
        ...slot(expr, r._BinaryenSIMDTernaryGetB, r._BinaryenSIMDTernarySetB),
        ...slot(expr, r._BinaryenSIMDTernaryGetC, r._BinaryenSIMDTernarySetC),
      ];
    case ids.SIMDShift:
      return [
        ...slot(expr, r._BinaryenSIMDShiftGetVec, r._BinaryenSIMDShiftSetVec),
        ...slot(expr, r._BinaryenSIMDShiftGetShift, r._BinaryenSIMDShiftSetShift),
      ];
    case ids.SIMDLoad:
      return slot(expr, r._BinaryenSIMDLoadGetPtr, r._BinaryenSIMDLoadSetPtr);
    case ids.SIMDLoadStoreLane:
      return [
        ...slot(expr, r._BinaryenSIMDLoadStoreLaneGetPtr, r._BinaryenSIMDLoadStoreLaneSetPtr),
        ...slot(expr, r._BinaryenSIMDLoadStoreLaneGetVec, r._BinaryenSIMDLoadStoreLaneSetVec),
      ];
    case ids.MemoryInit:
      return [
        ...slot(expr, r._BinaryenMemoryInitGetDest, r._BinaryenMemoryInitSetDest),
        ...slot(expr, r._BinaryenMemoryInitGetOffset, r._BinaryenMemoryInitSetOffset),
        ...slot(expr, r._BinaryenMemoryInitGetSize, r._BinaryenMemoryInitSetSize),
      ];
    case ids.MemoryCopy:
      return [
        ...slot(expr, r._BinaryenMemoryCopyGetDest, r._BinaryenMemoryCopySetDest),
        ...slot(expr, r._BinaryenMemoryCopyGetSource, r._BinaryenMemoryCopySetSource),
        ...slot(expr, r._BinaryenMemoryCopyGetSize, r._BinaryenMemoryCopySetSize),
      ];
    case ids.MemoryFill:
      return [
        ...slot(expr, r._BinaryenMemoryFillGetDest, r._BinaryenMemoryFillSetDest),
        ...slot(expr, r._BinaryenMemoryFillGetValue, r._BinaryenMemoryFillSetValue),
        ...slot(expr, r._BinaryenMemoryFillGetSize, r._BinaryenMemoryFillSetSize),
      ];
    case ids.TupleMake:
      return listSlots(
        expr,
        (e) => r._BinaryenTupleMakeGetNumOperands(e),
        (e, i) => r._BinaryenTupleMakeGetOperandAt(e, i),
        (e, i, c) => r._BinaryenTupleMakeSetOperandAt(e, i, c),
      );
    case ids.TupleExtract:
      return slot(expr, r._BinaryenTupleExtractGetTuple, r._BinaryenTupleExtractSetTuple);
    default:
      return undefined;
  }
}
