import type binaryenTypes from "binaryen";

import { ExpressionId, binaryen } from "./binaryen-api.ts";
import { childSlots } from "./ir-children.ts";

type Module = binaryenTypes.Module;

/**
 * The defined functions that can be active more than once on the call stack: those on a cycle of
 * the call graph. Direct calls give exact edges; `call_indirect` is taken to reach every
 * function in a table. Only these functions need the stack budget and an entry fuel check: any
 * other call chain is bounded by the (acyclic) call graph itself.
 *
 * @example
 * const recursive = recursiveFunctions(module, definedFunctionNames)
 */
export function recursiveFunctions(m: Module, defined: readonly string[]): Set<string> {
  const definedSet = new Set(defined);
  const tableFunctions: string[] = [];
  for (let i = 0; i < m.getNumElementSegments(); i++) {
    const segment = binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i));
    for (const name of segment.data) if (definedSet.has(name)) tableFunctions.push(name);
  }

  const edges = new Map<string, string[]>();
  for (const name of defined) {
    const callees = new Set<string>();
    const stack = [binaryen.getFunctionInfo(m.getFunction(name)).body];
    while (stack.length > 0) {
      const expr = stack.pop()!;
      const id = binaryen.getExpressionId(expr);
      if (id === ExpressionId.Call) {
        const target = (binaryen.getExpressionInfo(expr) as binaryenTypes.CallInfo).target;
        if (definedSet.has(target)) callees.add(target);
      } else if (id === ExpressionId.CallIndirect) {
        for (const f of tableFunctions) callees.add(f);
      }
      for (const slot of childSlots(expr) ?? []) stack.push(slot.expr);
    }
    edges.set(name, [...callees]);
  }
  return onCycles(defined, edges);
}

/** Nodes on a cycle (a strongly connected component of two or more, or a self-loop): Tarjan, iteratively. */
function onCycles(nodes: readonly string[], edges: ReadonlyMap<string, string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result = new Set<string>();
  let counter = 0;

  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const successors = edges.get(frame.node) ?? [];
      if (frame.next < successors.length) {
        const next = successors[frame.next++]!;
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ node: next, next: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(next)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || (edges.get(frame.node) ?? []).includes(frame.node)) {
          for (const c of component) result.add(c);
        }
      }
    }
  }
  return result;
}
