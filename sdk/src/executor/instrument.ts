import { FaultCode, HOST_IMPORTS, INSTRUMENTED_EXPORTS, MEMORY_EXPORT, RUN_EXPORT, type ExecutionLimits } from "./abi.ts";
import { binaryen, raw } from "./binaryen-api.ts";
import { ForbiddenFeatureError, ForbiddenImportError, InstrumentationError, MalformedProgramError, ProgramAbiError } from "./errors.ts";
import { ALLOWED_FEATURES, checkValueType } from "./features.ts";
import { analyzeCallGraph } from "./call-graph.ts";
import { FunctionInstrumenter, type InstrumentationContext } from "./instrument-function.ts";
import { findLeafFunctions } from "./leaf-functions.ts";
import { validateProgram } from "./validate.ts";
import { START_EXPORT, WASI_IMPORTS } from "./wasi-abi.ts";
import { Wasm } from "./webassembly.ts";

export type InstrumentProgramParameters = {
  /** The program's wasm bytes, as the requester published them. */
  wasm: Uint8Array;
  limits: ExecutionLimits;
};

export type InstrumentProgramReturnType = {
  /** The instrumented module, exporting the names in {@link INSTRUMENTED_EXPORTS}. */
  wasm: Uint8Array;
  /** Defined functions instrumented. */
  functions: number;
};

export type InstrumentProgramErrorType =
  | MalformedProgramError
  | ForbiddenImportError
  | ForbiddenFeatureError
  | ProgramAbiError
  | InstrumentationError;

const WHERE_MODULE = "module";

/**
 * Validates a program against ABI v1 and returns the module the executor actually runs: fuel
 * metered, stack metered, memory capped, NaNs canonicalized, the start function folded into a
 * single entry point, and only the host's exports left. Deterministic: the same bytes and limits
 * give the same output bytes (with the pinned binaryen version). Synchronous and recursive: the
 * executor calls it in a worker with a large stack (`createInstrumenter`).
 *
 * @example
 * const { wasm: metered } = instrumentProgram({ wasm, limits: DEFAULT_LIMITS })
 */
export function instrumentProgram({ wasm, limits }: InstrumentProgramParameters): InstrumentProgramReturnType {
  const { memory, abiVersion } = validateProgram({ wasm, limits });
  const abi = abiVersion === 2 ? { imports: WASI_IMPORTS, entry: START_EXPORT } : { imports: HOST_IMPORTS, entry: RUN_EXPORT };

  let m: ReturnType<typeof binaryen.readBinary>;
  try {
    m = binaryen.readBinary(wasm);
  } catch (error) {
    throw new MalformedProgramError({ reason: `binaryen: ${(error as Error).message}`, cause: error });
  }
  try {
    m.setFeatures(ALLOWED_FEATURES);

    // Imports: the ABI's host functions with their exact signatures (validateProgram checked names).
    const definedFunctions: number[] = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const func = m.getFunctionByIndex(i);
      const info = binaryen.getFunctionInfo(func);
      if (!info.module) {
        definedFunctions.push(func);
        continue;
      }
      const spec = abi.imports.find((h) => h.module === info.module && h.name === info.base)!;
      const params = binaryen.expandType(info.params);
      const results = binaryen.expandType(info.results);
      const same = (types: number[], names: readonly string[]) =>
        types.length === names.length && types.every((t, k) => t === (names[k] === "i64" ? binaryen.i64 : binaryen.i32));
      if (!same(params, spec.params) || !same(results, spec.results)) {
        throw new ForbiddenImportError({
          module: spec.module,
          field: spec.name,
          reason: `wrong signature; ABI v${abiVersion} declares (${spec.params.join(", ")}) -> (${spec.results.join(", ")})`,
        });
      }
    }

    for (let i = 0; i < m.getNumGlobals(); i++) {
      const global = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
      checkValueType(global.type, `global ${global.name}`);
    }
    if (m.getNumTables() > 1) throw new ForbiddenFeatureError({ feature: "multiple tables", where: WHERE_MODULE });

    // Exports: remember the internal names of `run` and `memory`, then drop every export.
    let runName: string | undefined;
    let memoryName: string | undefined;
    const exportNames: string[] = [];
    for (let i = 0; i < m.getNumExports(); i++) {
      const info = binaryen.getExportInfo(m.getExportByIndex(i));
      exportNames.push(info.name);
      if (info.name === abi.entry) runName = info.value;
      if (info.name === MEMORY_EXPORT) memoryName = info.value;
    }
    if (runName === undefined || memoryName === undefined) {
      throw new ProgramAbiError({ problem: `the ${abi.entry} and memory exports are required` });
    }
    const run = binaryen.getFunctionInfo(m.getFunction(runName));
    if (run.params !== binaryen.none || run.results !== binaryen.none) {
      throw new ProgramAbiError({ problem: `"${abi.entry}" must take no parameters and return nothing` });
    }
    for (const name of exportNames) m.removeExport(name);

    const uniqueGlobal = (base: string) => {
      let name = base;
      for (let k = 1; m.getGlobal(name) !== 0; k++) name = `${base}${k}`;
      return name;
    };
    const callGraph = analyzeCallGraph(
      m,
      definedFunctions.map((f) => binaryen.getFunctionInfo(f).name),
    );
    const definedNames = definedFunctions.map((f) => binaryen.getFunctionInfo(f).name);
    const startFunction = m.getStart();
    const entryNames = new Set([runName, ...(startFunction === 0 ? [] : [binaryen.getFunctionInfo(startFunction).name])]);
    const { leaves, indirect: indirectLeaves } = findLeafFunctions(m, definedNames, entryNames);
    const ctx: InstrumentationContext = {
      module: m,
      fuelGlobal: uniqueGlobal("hashwork$fuel"),
      faultGlobal: uniqueGlobal("hashwork$fault"),
      stackGlobal: uniqueGlobal("hashwork$stack"),
      memoryName,
      memoryCapPages: Math.min(limits.maxMemoryPages, memory.maximumPages === undefined ? 65536 : Number(memory.maximumPages)),
      maxStackSlots: limits.maxStackSlots,
      callGraph,
      leaves,
      indirectLeaves,
      leafCost: new Map(),
    };
    m.addGlobal(ctx.fuelGlobal, binaryen.i64, true, m.i64.const(0n));
    m.addGlobal(ctx.faultGlobal, binaryen.i32, true, m.i32.const(0));
    m.addGlobal(ctx.stackGlobal, binaryen.i32, true, m.i32.const(0));

    // Leaves first: their callers add each leaf's price to their own segments.
    const isLeaf = (func: number) => leaves.has(binaryen.getFunctionInfo(func).name);
    for (const func of definedFunctions.filter(isLeaf)) new FunctionInstrumenter(ctx, func).instrument();
    for (const func of definedFunctions.filter((f) => !isLeaf(f))) new FunctionInstrumenter(ctx, func).instrument();

    // One entry point: the start function (if any) then `run`, both metered, after the host
    // has set the fuel counter (a start section would run before it could).
    const start = m.getStart();
    const calls: number[] = [];
    const startName = start === 0 ? undefined : binaryen.getFunctionInfo(start).name;
    // Closed functions charge no stack themselves (call-graph.ts): reserve the deeper of start's
    // and run's static stacks here, so a deep non-recursive chain also ends on the budget.
    const reserve = Math.max(callGraph.entryCharge(startName), callGraph.entryCharge(runName));
    if (reserve > 0) {
      calls.push(
        m.global.set(ctx.stackGlobal, m.i32.const(Math.min(reserve, 0x7fffffff))),
        m.if(
          m.i32.gt_u(m.global.get(ctx.stackGlobal, binaryen.i32), m.i32.const(limits.maxStackSlots)),
          m.block(null, [m.global.set(ctx.faultGlobal, m.i32.const(FaultCode.StackExhausted)), m.unreachable()], binaryen.unreachable),
        ),
      );
    }
    if (startName !== undefined) {
      calls.push(m.call(startName, [], binaryen.none));
      raw._BinaryenSetStart(m.ptr, 0);
    }
    calls.push(m.call(runName, [], binaryen.none));
    let entryName = "hashwork$entry";
    for (let k = 1; m.getFunction(entryName) !== 0; k++) entryName = `hashwork$entry${k}`;
    m.addFunction(entryName, binaryen.none, binaryen.none, [], m.block(null, calls, binaryen.none));

    m.addFunctionExport(entryName, INSTRUMENTED_EXPORTS.entry);
    m.addGlobalExport(ctx.fuelGlobal, INSTRUMENTED_EXPORTS.fuel);
    m.addGlobalExport(ctx.faultGlobal, INSTRUMENTED_EXPORTS.fault);
    m.addMemoryExport(memoryName, INSTRUMENTED_EXPORTS.memory);

    const out = m.emitBinary();
    if (!Wasm.validate(out)) {
      throw new InstrumentationError({ reason: "the instrumented module does not validate" });
    }
    return { wasm: out, functions: definedFunctions.length };
  } finally {
    m.dispose();
  }
}
