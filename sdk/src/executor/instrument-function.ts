import type binaryenTypes from "binaryen";

import { BYTES_PER_FUEL_SHIFT, FUEL_PER_CALL, FUEL_PER_INSTRUCTION, FUEL_PER_PAGE, FaultCode } from "./abi.ts";
import { ExpressionId, binaryen, raw } from "./binaryen-api.ts";
import type { CallGraph } from "./call-graph.ts";
import { ProgramAbiError } from "./errors.ts";
import { checkExpression, checkValueType, unsupportedExpression } from "./features.ts";
import { childSlots } from "./ir-children.ts";
import { type LeafInfo, signatureKey } from "./leaf-functions.ts";
import { canonicalizeScalar, canonicalizeVector, nanSite } from "./nan-canonicalization.ts";

type Module = binaryenTypes.Module;

/** The globals and caps the instrumented code refers to, shared by every function. */
export type InstrumentationContext = {
  module: Module;
  /** i64 fuel left; negative means exhausted. */
  fuelGlobal: string;
  /** i32 fault code ({@link FaultCode}). */
  faultGlobal: string;
  /** i32 call-stack slots in use. */
  stackGlobal: string;
  memoryName: string;
  /** Pages `memory.grow` may reach: min(ABI cap, the module's declared maximum). */
  memoryCapPages: number;
  maxStackSlots: number;
  /**
   * The call graph (`call-graph.ts`): functions on a cycle pay an entry fuel check; every open
   * function (one that can reach recursion) charges its stack slots (`stackCharge`) on entry.
   */
  callGraph: CallGraph;
  /** Leaf functions (`leaf-functions.ts`): instrumented first, in static mode, which fills `leafCost`. */
  leaves: ReadonlyMap<string, LeafInfo>;
  /** `call_indirect` signatures whose table functions are all leaves (`signatureKey` → names). */
  indirectLeaves: ReadonlyMap<string, readonly string[]>;
  /** A leaf's price per call (its costliest path), which its callers pay in their own segment. */
  leafCost: Map<string, bigint>;
};

/**
 * The deepest expression nesting the instrumenter accepts: a fixed number, so refusal is
 * deterministic. binaryen and this walker recurse per level; the instrumentation worker's 64 MB
 * stack holds this depth many times over (a default 1 MB main-thread stack does not).
 */
export const MAX_NESTING = 10_000;

const RETURN_LABEL = "hashwork$return";

/** Largest straight-line `if` arm the enclosing segment pays for up front (see `visitArm`). */
export const HOIST_ARM_LIMIT = 8n;

/**
 * Instruments one defined function in place:
 *
 * - **Fuel.** Code is cut into straight-line *segments*: a segment starts at the function entry,
 *   at the top of every loop body and `if` arm, and right after every labelled block (a branch
 *   target, so a merge point). The static cost of all instructions in a segment is charged once,
 *   when control enters it. Loop headers (and the entry of recursive functions, those on a cycle
 *   of the call graph) also check the counter and trap when it is negative; all other charges are
 *   unchecked, because the code that can run between two checks is bounded by the code's size. The host treats a negative counter at the end of a run, for
 *   whatever reason it ended, as "out of fuel". An instruction after a `br_if` is paid for even
 *   when the branch is taken: fuel is a deterministic price, not an exact count.
 * - **Bulk memory and growth.** `memory.copy/fill/init` also pay 1 fuel per 16 bytes and
 *   `memory.grow` pays per page granted; growth beyond the page cap returns -1, and a refusal below
 *   the cap (the host out of memory) sets a fault and traps so the host can report it.
 * - **Stack.** Every *open* function (one that can reach a recursive function) charges its frame
 *   (parameters, locals, twice its expression depth, overhead; see `analyzeCallGraph`) plus the
 *   static stack depth of the closed functions it may call to a slot counter on entry and
 *   releases it on exit, trapping past the budget, so deep call chains (recursive or not) end
 *   the same way on every machine instead of at the engine's stack limit. Closed functions
 *   charge nothing: their caller (or the entry point) reserved their whole subtree.
 * - **NaNs.** See `nan-canonicalization.ts`.
 */
export class FunctionInstrumenter {
  private readonly ctx: InstrumentationContext;
  private readonly m: Module;
  private readonly func: number;
  private readonly name: string;
  private readonly temps = new Map<string, number>();
  private depth = 0;
  /** The `if` of a rotated loop whose arm the loop header pays for (see the Loop case). */
  private hoistArmOf: number | undefined;
  /** Local holding this function's copy of the fuel counter (see `charge`). */
  private fuelLocal = -1;
  /** Charge points emitted so far. */
  private charges = 0;
  /**
   * Static mode, for a leaf: no charge points at all; every segment's cost flows up to the
   * entry, so the function's result is its costliest path, which its callers pay.
   */
  private readonly isLeaf: boolean;

  constructor(ctx: InstrumentationContext, func: number) {
    this.ctx = ctx;
    this.m = ctx.module;
    this.func = func;
    this.name = binaryen.getFunctionInfo(func).name;
    this.isLeaf = ctx.leaves.has(this.name);
  }

  instrument(): void {
    const info = binaryen.getFunctionInfo(this.func);
    const where = `function ${this.name}`;
    checkValueType(info.params, where);
    checkValueType(info.results, where);
    for (const v of info.vars) checkValueType(v, where);

    if (!this.isLeaf) this.fuelLocal = this.temp("fuel", binaryen.i64);
    let body = info.body;
    const entryCost = this.visit(body, (next) => {
      body = next;
    });
    const m = this.m;
    const results = info.results;
    if (this.isLeaf) {
      // A leaf is closed (it calls no defined function), so it has no stack charge either.
      this.ctx.leafCost.set(this.name, entryCost);
      raw_setBody(this.func, m.block(RETURN_LABEL, [body], results));
      return;
    }

    // Every `return` became `br $hashwork$return`, so the epilogue below runs on every exit.
    const labelled = m.block(RETURN_LABEL, [body], results);
    const load = m.local.set(this.fuelLocal, m.global.get(this.ctx.fuelGlobal, binaryen.i64));
    const { recursive, stackCharge } = this.ctx.callGraph;
    const frame = stackCharge.get(this.name);
    const fuelPrologue = recursive.has(this.name)
      ? [load, ...this.chargeAndCheck(entryCost)]
      : entryCost > 0n
        ? [load, this.charge(entryCost)]
        : [load];
    if (frame === undefined) {
      raw_setBody(this.func, m.block(null, [...fuelPrologue, labelled], results));
      return;
    }
    const prologue = fuelPrologue;
    const result = results === binaryen.none ? undefined : this.temp("result", results);
    const stack = (delta: number) =>
      m.global.set(this.ctx.stackGlobal, m.i32.add(m.global.get(this.ctx.stackGlobal, binaryen.i32), m.i32.const(delta)));
    prologue.push(
      stack(frame),
      m.if(
        m.i32.gt_u(m.global.get(this.ctx.stackGlobal, binaryen.i32), m.i32.const(this.ctx.maxStackSlots)),
        this.fault(FaultCode.StackExhausted),
      ),
    );
    if (result === undefined) {
      raw_setBody(this.func, m.block(null, [...prologue, labelled, stack(-frame)], binaryen.none));
    } else {
      raw_setBody(
        this.func,
        m.block(null, [...prologue, m.local.set(result, labelled), stack(-frame), m.local.get(result, results)], results),
      );
    }
  }

  /**
   * Instruments `expr` and returns the static cost it adds to the enclosing segment (nested
   * segments are charged where they start). `replace` puts another expression in its place.
   */
  private visit(expr: number, replace: (next: number) => void): bigint {
    if (++this.depth > MAX_NESTING) {
      throw new ProgramAbiError({ problem: `expressions nested deeper than ${MAX_NESTING} levels in ${this.name}` });
    }
    try {
      return this.visitNode(expr, replace);
    } finally {
      this.depth--;
    }
  }

  private visitNode(expr: number, replace: (next: number) => void): bigint {
    const id = binaryen.getExpressionId(expr);
    const where = `function ${this.name}`;
    checkExpression(expr, where);
    const m = this.m;

    if (id === ExpressionId.Block) return this.visitBlock(expr);
    if (id === ExpressionId.Loop) {
      // `loop $l { if (c) { …; br $l } }` (how compilers emit `while`): the arm runs on every
      // iteration but the last, so its cost joins the loop header's single charge (the exiting
      // iteration pays for an arm it skips: a deterministic overcharge of one arm per loop).
      this.hoistArmOf = rotatedLoopIf(expr);
      const cost = this.visit(raw._BinaryenLoopGetBody(expr), (next) => raw._BinaryenLoopSetBody(expr, next));
      // A branch to the loop re-enters here: charge the whole iteration and check the counter.
      const body = raw._BinaryenLoopGetBody(expr);
      raw._BinaryenLoopSetBody(expr, this.prepend(this.chargeAndCheck(cost), body));
      return 0n;
    }
    if (id === ExpressionId.If) {
      const rotated = this.hoistArmOf === expr;
      this.hoistArmOf = undefined;
      const cost = this.visit(raw._BinaryenIfGetCondition(expr), (next) => raw._BinaryenIfSetCondition(expr, next));
      const ifTrue = this.visitArm(expr, raw._BinaryenIfGetIfTrue, raw._BinaryenIfSetIfTrue, rotated);
      const ifFalse = this.visitArm(expr, raw._BinaryenIfGetIfFalse, raw._BinaryenIfSetIfFalse, false);
      // Exactly one arm runs, so the larger of the arms the enclosing segment pays for covers it.
      // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
      return cost + (ifTrue > ifFalse ? ifTrue : ifFalse) + FUEL_PER_INSTRUCTION;
    }

    const slots = childSlots(expr);
    if (slots === undefined) throw unsupportedExpression(expr, where);
    let cost = 0n;
    for (const slot of slots) cost += this.visit(slot.expr, slot.replace);

    switch (id) {
      case ExpressionId.Nop:
        return cost;
      case ExpressionId.Call: {
        const target = (binaryen.getExpressionInfo(expr) as binaryenTypes.CallInfo).target;
        const leafCost = this.ctx.leafCost.get(target);
        if (leafCost !== undefined) {
          // The leaf's costliest path is paid here; it charges nothing, so only a host call in
          // it can have moved the counter.
          if (this.ctx.leaves.get(target)!.hostCalls) replace(this.reloadFuelAfter(expr));
          return cost + FUEL_PER_CALL + leafCost;
        }
        if (!this.isLeaf) replace(this.reloadFuelAfter(expr));
        return cost + FUEL_PER_CALL;
      }
      case ExpressionId.CallIndirect: {
        const key = signatureKey(raw._BinaryenCallIndirectGetParams(expr), raw._BinaryenCallIndirectGetResults(expr));
        const targets = this.ctx.indirectLeaves.get(key);
        if (targets !== undefined) {
          // Every function this call can reach is a leaf: pay the costliest here.
          let most = 0n;
          for (const target of targets) {
            const leafCost = this.ctx.leafCost.get(target)!;
            if (leafCost > most) most = leafCost;
          }
          if (targets.some((target) => this.ctx.leaves.get(target)!.hostCalls)) replace(this.reloadFuelAfter(expr));
          return cost + FUEL_PER_CALL + most;
        }
        replace(this.reloadFuelAfter(expr));
        return cost + FUEL_PER_CALL;
      }
      case ExpressionId.Return: {
        const value = raw._BinaryenReturnGetValue(expr);
        replace(m.br(RETURN_LABEL, undefined, value === 0 ? undefined : value));
        return cost + FUEL_PER_INSTRUCTION;
      }
      case ExpressionId.MemoryGrow:
        replace(this.meteredGrow(raw._BinaryenMemoryGrowGetDelta(expr)));
        return cost + FUEL_PER_INSTRUCTION;
      case ExpressionId.MemoryCopy:
        replace(this.meteredBulk(expr, raw._BinaryenMemoryCopyGetSize, raw._BinaryenMemoryCopySetSize));
        return cost + FUEL_PER_INSTRUCTION;
      case ExpressionId.MemoryFill:
        replace(this.meteredBulk(expr, raw._BinaryenMemoryFillGetSize, raw._BinaryenMemoryFillSetSize));
        return cost + FUEL_PER_INSTRUCTION;
      case ExpressionId.MemoryInit:
        replace(this.meteredBulk(expr, raw._BinaryenMemoryInitGetSize, raw._BinaryenMemoryInitSetSize));
        return cost + FUEL_PER_INSTRUCTION;
    }

    const site = nanSite(expr);
    if (site?.kind === "operand") {
      const operand = site.get(expr);
      const type = binaryen.getExpressionType(operand);
      if (type === binaryen.f32 || type === binaryen.f64) {
        site.set(expr, canonicalizeScalar(m, operand, type, this.temp(type === binaryen.f32 ? "f32" : "f64", type)));
      }
    } else if (site?.kind === "result") {
      replace(canonicalizeVector(m, expr, site.lanes, this.temp("v128", binaryen.v128)));
    }
    return cost + FUEL_PER_INSTRUCTION;
  }

  /**
   * An `if` arm is a segment of its own, charged where it starts. It is instead paid for by the
   * enclosing segment (its cost is returned) when `hoist` is set, or when it is small and
   * straight-line: at most {@link HOIST_ARM_LIMIT} fuel and no charge points of its own. A charge
   * costs about as much as a few instructions, so paying a small arm up front, whether or not it
   * runs, is cheaper than metering it where it is.
   */
  private visitArm(expr: number, get: (e: number) => number, set: (e: number, c: number) => void, hoist: boolean): bigint {
    const arm = get(expr);
    if (arm === 0) return 0n;
    const chargesBefore = this.charges;
    const cost = this.visit(arm, (next) => set(expr, next));
    if (this.isLeaf || hoist || (cost <= HOIST_ARM_LIMIT && this.charges === chargesBefore)) return cost;
    if (cost > 0n) set(expr, this.prepend([this.charge(cost)], get(expr)));
    return 0n;
  }

  /**
   * A block's children run in order; the code after a labelled child block is a branch target,
   * so it starts a new segment charged in place. The first segment belongs to the enclosing one.
   */
  private visitBlock(block: number): bigint {
    const n = raw._BinaryenBlockGetNumChildren(block);
    const segments: { start: number; cost: bigint }[] = [{ start: 0, cost: 0n }];
    for (let i = 0; i < n; i++) {
      const child = raw._BinaryenBlockGetChildAt(block, i);
      segments[segments.length - 1]!.cost += this.visit(child, (next) => raw._BinaryenBlockSetChildAt(block, i, next));
      const after = raw._BinaryenBlockGetChildAt(block, i);
      if (!this.isLeaf && i < n - 1 && binaryen.getExpressionId(after) === ExpressionId.Block && raw._BinaryenBlockGetName(after) !== 0) {
        segments.push({ start: i + 1, cost: 0n });
      }
    }
    for (let s = segments.length - 1; s >= 1; s--) {
      const { start, cost } = segments[s]!;
      if (cost > 0n) raw._BinaryenBlockInsertChildAt(block, start, this.charge(cost));
    }
    return segments[0]!.cost;
  }

  /**
   * `fuel -= amount` (a constant, or an i64 expression), written through: the function keeps the
   * counter in a local (a register, off the loop's memory path) and stores every new value to the
   * global too, so the global is exact whenever the host looks (after a trap, in a host call).
   */
  private charge(amount: bigint | number): number {
    this.charges++;
    const m = this.m;
    const value = typeof amount === "bigint" ? m.i64.const(amount) : amount;
    const next = m.i64.sub(m.local.get(this.fuelLocal, binaryen.i64), value);
    return m.global.set(this.ctx.fuelGlobal, m.local.tee(this.fuelLocal, next, binaryen.i64));
  }

  /** `fuel -= cost; if (fuel < 0) unreachable` (the global is written before the trap). */
  private chargeAndCheck(cost: bigint): number[] {
    return cost === 0n ? [this.checkFuel()] : [this.charge(cost), this.checkFuel()];
  }

  /** `if (fuel < 0) unreachable` */
  private checkFuel(): number {
    const m = this.m;
    return m.if(m.i64.lt_s(m.local.get(this.fuelLocal, binaryen.i64), m.i64.const(0n)), m.unreachable());
  }

  /** `call` then reload the fuel local from the global, which the callee (or host) charged. */
  private reloadFuelAfter(call: number): number {
    const m = this.m;
    const type = binaryen.getExpressionType(call);
    if (type === binaryen.unreachable) return call;
    const reload = m.local.set(this.fuelLocal, m.global.get(this.ctx.fuelGlobal, binaryen.i64));
    if (type === binaryen.none) return m.block(null, [call, reload], binaryen.none);
    const result = this.temp(`call.result.${type}`, type);
    return m.block(null, [m.local.set(result, call), reload, m.local.get(result, type)], type);
  }

  private fault(code: FaultCode): number {
    const m = this.m;
    return m.block(null, [m.global.set(this.ctx.faultGlobal, m.i32.const(code)), m.unreachable()], binaryen.unreachable);
  }

  /** `stmts` then `body`, keeping `body`'s type; inserts into `body` when it is a block. */
  private prepend(stmts: number[], body: number): number {
    if (binaryen.getExpressionId(body) === ExpressionId.Block) {
      for (let i = stmts.length - 1; i >= 0; i--) raw._BinaryenBlockInsertChildAt(body, 0, stmts[i]!);
      return body;
    }
    return this.m.block(null, [...stmts, body], binaryen.getExpressionType(body));
  }

  /**
   * `memory.grow(delta)` with a cap, a fault on host refusal and a per-page charge:
   * `n = delta; n > cap - size ? -1 : (r = grow(n); r == -1 ? fault : (fuel -= n * PAGE; r))`.
   */
  private meteredGrow(delta: number): number {
    const m = this.m;
    const mem = this.ctx.memoryName;
    const n = this.temp("grow.n", binaryen.i32);
    const r = this.temp("grow.r", binaryen.i32);
    const pages = m.i64.extend_u(m.local.get(n, binaryen.i32));
    return m.block(
      null,
      [
        m.local.set(n, delta),
        m.if(
          m.i32.gt_u(m.local.get(n, binaryen.i32), m.i32.sub(m.i32.const(this.ctx.memoryCapPages), m.memory.size(mem))),
          m.i32.const(-1),
          m.block(
            null,
            [
              m.local.set(r, m.memory.grow(m.local.get(n, binaryen.i32), mem)),
              m.if(m.i32.eq(m.local.get(r, binaryen.i32), m.i32.const(-1)), this.fault(FaultCode.HostMemory)),
              this.charge(m.i64.mul(pages, m.i64.const(FUEL_PER_PAGE))),
              m.local.get(r, binaryen.i32),
            ],
            binaryen.i32,
          ),
        ),
      ],
      binaryen.i32,
    );
  }

  /** A bulk-memory instruction followed by `fuel -= size >> 4` (its size operand is teed). */
  private meteredBulk(expr: number, getSize: (e: number) => number, setSize: (e: number, c: number) => void): number {
    const m = this.m;
    const n = this.temp("bulk.n", binaryen.i32);
    setSize(expr, m.local.tee(n, getSize(expr), binaryen.i32));
    const dynamic = m.i64.shr_u(m.i64.extend_u(m.local.get(n, binaryen.i32)), m.i64.const(BYTES_PER_FUEL_SHIFT));
    return m.block(null, [expr, this.charge(dynamic)], binaryen.none);
  }

  /** A scratch local, one per purpose and function. */
  private temp(purpose: string, type: number): number {
    let index = this.temps.get(purpose);
    if (index === undefined) {
      index = raw._BinaryenFunctionAddVar(this.func, type);
      this.temps.set(purpose, index);
    }
    return index;
  }
}

/**
 * The `if` in `loop $l { if (c) { …; br $l } }` (the loop body is the `if`, or a block holding
 * only it; the `if` has no else and its arm ends by branching back to the loop), else undefined.
 */
function rotatedLoopIf(loop: number): number | undefined {
  const name = (binaryen.getExpressionInfo(loop) as binaryenTypes.LoopInfo).name;
  if (!name) return undefined;
  let body = raw._BinaryenLoopGetBody(loop);
  if (binaryen.getExpressionId(body) === ExpressionId.Block && raw._BinaryenBlockGetNumChildren(body) === 1) {
    body = raw._BinaryenBlockGetChildAt(body, 0);
  }
  if (binaryen.getExpressionId(body) !== ExpressionId.If || raw._BinaryenIfGetIfFalse(body) !== 0) return undefined;
  let last = raw._BinaryenIfGetIfTrue(body);
  if (binaryen.getExpressionId(last) === ExpressionId.Block) {
    const n = raw._BinaryenBlockGetNumChildren(last);
    if (n === 0) return undefined;
    last = raw._BinaryenBlockGetChildAt(last, n - 1);
  }
  if (binaryen.getExpressionId(last) !== ExpressionId.Break) return undefined;
  const br = binaryen.getExpressionInfo(last) as binaryenTypes.BreakInfo;
  return br.name === name && !br.condition ? body : undefined;
}

function raw_setBody(func: number, body: number): void {
  raw._BinaryenFunctionSetBody(func, body);
}
