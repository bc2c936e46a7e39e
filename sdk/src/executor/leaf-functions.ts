import type binaryenTypes from "binaryen";

import { ExpressionId, binaryen } from "./binaryen-api.ts";
import { childSlots } from "./ir-children.ts";

type Module = binaryenTypes.Module;

/** What a leaf's callers need to know about it. */
export type LeafInfo = {
  /** Whether it calls a host import (its callers then reload their fuel copy after the call). */
  hostCalls: boolean;
};

/**
 * Most expressions (as binaryen reads the body) a leaf may have: its callers pay its costliest
 * path on every call, so a big function with many paths would be overcharged for a short one.
 */
export const LEAF_MAX_EXPRESSIONS = 64;

/** Expressions whose cost depends on run-time values, or that reach other defined code. */
const NOT_IN_LEAF = new Set<number>([
  ExpressionId.Loop,
  ExpressionId.CallIndirect,
  ExpressionId.MemoryGrow,
  ExpressionId.MemoryCopy,
  ExpressionId.MemoryFill,
  ExpressionId.MemoryInit,
]);

/** The leaves of a module, and the `call_indirect` signatures whose every table function is one. */
export type Leaves = {
  leaves: Map<string, LeafInfo>;
  /** `signatureKey(params, results)` → the table functions of that signature, all leaves. */
  indirect: Map<string, string[]>;
};

/** The key of a function signature (binaryen interns types, so equal signatures give equal keys). */
export const signatureKey = (params: number, results: number) => `${params}:${results}`;

/**
 * The *leaf* functions of a module (metering v3): defined functions whose price per call is a
 * static number, so their callers pay it in their own segment and the leaf itself touches no
 * fuel at all. A leaf has no loop, calls no defined function (host imports only), no
 * `call_indirect`, no `memory.grow` and no bulk-memory instruction (those charge by the byte or
 * page), has at most {@link LEAF_MAX_EXPRESSIONS} expressions, and is neither `start` nor the
 * entry point (the host calls those). A function in a table is a leaf only if every table
 * function of its signature is one: a `call_indirect` of that signature then pays the costliest
 * of them. Without this, every call to a one-line accessor moved the fuel counter through memory
 * four times, which made byte-scanning loops of AssemblyScript programs (every bounds-checked
 * `bytes[i]` is a call) and C's `qsort` (a comparator through the table) 1.3–1.7× slower.
 *
 * @example
 * const { leaves, indirect } = findLeafFunctions(module, definedNames, new Set([runName]))
 */
export function findLeafFunctions(m: Module, defined: readonly string[], excluded: ReadonlySet<string>): Leaves {
  const definedSet = new Set(defined);
  const shaped = new Map<string, LeafInfo>();
  for (const name of defined) {
    if (excluded.has(name)) continue;
    const info = leafInfo(binaryen.getFunctionInfo(m.getFunction(name)).body, definedSet);
    if (info) shaped.set(name, info);
  }
  const bySignature = new Map<string, Set<string>>();
  for (let i = 0; i < m.getNumElementSegments(); i++) {
    for (const name of binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i)).data) {
      const info = binaryen.getFunctionInfo(m.getFunction(name));
      const key = signatureKey(info.params, info.results);
      if (!bySignature.has(key)) bySignature.set(key, new Set());
      bySignature.get(key)!.add(name);
    }
  }
  const inTables = new Set([...bySignature.values()].flatMap((members) => [...members]));
  const leaves = new Map([...shaped].filter(([name]) => !inTables.has(name)));
  const indirect = new Map<string, string[]>();
  for (const [key, members] of bySignature) {
    if (![...members].every((name) => shaped.has(name))) continue;
    indirect.set(key, [...members]);
    for (const name of members) leaves.set(name, shaped.get(name)!);
  }
  return { leaves, indirect };
}

/** The leaf facts of a body, or undefined if it is not a leaf's. Iterative: bodies may nest deeply. */
function leafInfo(body: number, defined: ReadonlySet<string>): LeafInfo | undefined {
  let hostCalls = false;
  let count = 0;
  const stack = [body];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    if (++count > LEAF_MAX_EXPRESSIONS) return undefined;
    const id = binaryen.getExpressionId(expr);
    if (NOT_IN_LEAF.has(id)) return undefined;
    if (id === ExpressionId.Call) {
      if (defined.has((binaryen.getExpressionInfo(expr) as binaryenTypes.CallInfo).target)) return undefined;
      hostCalls = true;
    }
    const slots = childSlots(expr);
    if (slots === undefined) return undefined;
    for (const slot of slots) stack.push(slot.expr);
  }
  return { hostCalls };
}
