import type binaryenTypes from "binaryen";

import { FRAME_OVERHEAD_SLOTS } from "./abi.ts";
import { ExpressionId, binaryen, raw } from "./binaryen-api.ts";
import { childSlots } from "./ir-children.ts";

type Module = binaryenTypes.Module;

/** Slots a frame pays for the scratch locals the instrumenter adds (fuel copy, temporaries). */
export const INSTRUMENTATION_TEMP_SLOTS = 16;

/** What the instrumenter needs to know about the calls between a module's defined functions. */
export type CallGraph = {
  /**
   * Functions on a cycle of the call graph: only they can be active more than once on the call
   * stack, so only they need an entry fuel check.
   */
  recursive: Set<string>;
  /**
   * Functions that cannot reach a recursive one: the calls below them form a DAG, so the stack
   * they can use is a static number, which their caller reserves; they charge nothing themselves.
   */
  closed: Set<string>;
  /**
   * Stack slots each other (open) function charges on entry: its own frame plus the deepest
   * stack of a closed function it may call.
   */
  stackCharge: Map<string, number>;
  /** What the entry point must reserve before calling `name` (`start` or `run`): its static stack if closed, else 0. */
  entryCharge(name: string | undefined): number;
};

/**
 * Analyzes the calls between the defined functions `defined` of `m`, in time linear in the
 * module's size. Direct calls give exact edges. `call_indirect` of type T can only reach a table
 * function of type T (any other traps), so it is an edge to one node per signature, which has an
 * edge to every table function of that signature: N functions that each call through a table of
 * N entries give 2N edges, not N².
 *
 * A frame costs {@link FRAME_OVERHEAD_SLOTS} + {@link INSTRUMENTATION_TEMP_SLOTS} + its
 * parameters and locals + twice its expression depth (a bound on the engine's spill slots);
 * v128 values count 2 slots. A *closed* function (one that cannot reach a recursive function)
 * has a static stack depth: its frame plus the deepest closed callee's, computed over the DAG in
 * linear time. Only *open* functions (those that can reach recursion) pay the stack budget at
 * run time, reserving the static depth of the closed functions they call; the entry point
 * reserves that of a closed `start` or `run`.
 *
 * @example
 * const { recursive, closed, stackCharge, entryCharge } = analyzeCallGraph(module, definedFunctionNames)
 */
export function analyzeCallGraph(m: Module, defined: readonly string[]): CallGraph {
  const definedSet = new Set(defined);
  const signature = (params: number, results: number) => `sig:${params}:${results}`;

  // Signature nodes: each one's successors are the table functions of that signature.
  const edges = new Map<string, string[]>();
  for (let i = 0; i < m.getNumElementSegments(); i++) {
    const segment = binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i));
    for (const name of segment.data) {
      if (!definedSet.has(name)) continue;
      const info = binaryen.getFunctionInfo(m.getFunction(name));
      const key = signature(info.params, info.results);
      let members = edges.get(key);
      if (!members) {
        members = [];
        edges.set(key, members);
      }
      members.push(name);
    }
  }
  for (const [key, members] of edges) edges.set(key, [...new Set(members)]);

  const frames = new Map<string, number>();
  for (const name of defined) {
    const func = m.getFunction(name);
    const info = binaryen.getFunctionInfo(func);
    const callees = new Set<string>();
    let maxDepth = 0;
    const stack: [expr: number, depth: number][] = [[info.body, 1]];
    while (stack.length > 0) {
      const [expr, depth] = stack.pop()!;
      if (depth > maxDepth) maxDepth = depth;
      const id = binaryen.getExpressionId(expr);
      if (id === ExpressionId.Call) {
        const target = (binaryen.getExpressionInfo(expr) as binaryenTypes.CallInfo).target;
        if (definedSet.has(target)) callees.add(target);
      } else if (id === ExpressionId.CallIndirect) {
        const key = signature(raw._BinaryenCallIndirectGetParams(expr), raw._BinaryenCallIndirectGetResults(expr));
        if (edges.has(key)) callees.add(key);
      }
      for (const slot of childSlots(expr) ?? []) stack.push([slot.expr, depth + 1]);
    }
    edges.set(name, [...callees]);
    let slots = FRAME_OVERHEAD_SLOTS + INSTRUMENTATION_TEMP_SLOTS + 2 * maxDepth;
    for (const t of [...binaryen.expandType(info.params), ...info.vars.flatMap((v) => binaryen.expandType(v))]) {
      slots += t === binaryen.v128 ? 2 : 1;
    }
    frames.set(name, slots);
  }

  const nodes = [...defined, ...[...edges.keys()].filter((k) => k.startsWith("sig:"))];
  const cyclic = onCycles(nodes, edges);
  const recursive = new Set(defined.filter((name) => cyclic.has(name)));

  // Open nodes reach a recursive function (or are one): backwards search from the recursive ones.
  const callers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const callee of edges.get(node) ?? []) {
      let list = callers.get(callee);
      if (!list) {
        list = [];
        callers.set(callee, list);
      }
      list.push(node);
    }
  }
  const open = new Set<string>(recursive);
  const work = [...recursive];
  while (work.length > 0) {
    for (const caller of callers.get(work.pop()!) ?? []) {
      if (!open.has(caller)) {
        open.add(caller);
        work.push(caller);
      }
    }
  }

  // Closed nodes form a DAG: the deepest stack below each one, by an iterative post-order walk.
  const below = new Map<string, number>();
  const sigReserve = new Map<string, number>(); // memoized: N callers of one signature stay linear
  const reserveOf = (callee: string): number => {
    if (!callee.startsWith("sig:")) return open.has(callee) ? 0 : below.get(callee)!;
    let max = sigReserve.get(callee);
    if (max !== undefined) return max;
    max = 0; // an open signature may still reach closed members, which charge nothing
    for (const member of edges.get(callee)!) if (!open.has(member)) max = Math.max(max, below.get(member)!);
    sigReserve.set(callee, max);
    return max;
  };
  for (const root of nodes) {
    if (open.has(root) || below.has(root)) continue;
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const successors = edges.get(top.node) ?? [];
      if (top.next < successors.length) {
        const next = successors[top.next++]!;
        if (!below.has(next) && !open.has(next)) stack.push({ node: next, next: 0 });
        continue;
      }
      stack.pop();
      let deepest = 0;
      for (const callee of successors) deepest = Math.max(deepest, reserveOf(callee));
      below.set(top.node, (frames.get(top.node) ?? 0) + deepest);
    }
  }

  const stackCharge = new Map<string, number>();
  for (const name of defined) {
    if (!open.has(name)) continue;
    let reserve = 0;
    for (const callee of edges.get(name)!) reserve = Math.max(reserve, reserveOf(callee));
    stackCharge.set(name, frames.get(name)! + reserve);
  }
  const closed = new Set(defined.filter((name) => !open.has(name)));
  const entryCharge = (name: string | undefined) => (name === undefined ? 0 : reserveOf(name));
  return { recursive, closed, stackCharge, entryCharge };
}

/**
 * The defined functions on a cycle of the call graph (see {@link analyzeCallGraph}).
 *
 * @example
 * const recursive = recursiveFunctions(module, definedFunctionNames)
 */
export function recursiveFunctions(m: Module, defined: readonly string[]): Set<string> {
  return analyzeCallGraph(m, defined).recursive;
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
