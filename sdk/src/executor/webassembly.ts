/**
 * Typings for the JavaScript WebAssembly API. The project compiles against `lib: es2023`
 * without the DOM library, which is where TypeScript declares `WebAssembly`; rather than add a
 * global declaration that could clash with one added later, the executor reads the global
 * through this typed view.
 */
export interface WasmModule {
  readonly __brand?: "WebAssembly.Module";
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
export interface WasmGlobal {
  value: unknown;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmImportDescriptor = { module: string; name: string; kind: "function" | "table" | "memory" | "global" | "tag" };
export type WasmExportDescriptor = { name: string; kind: "function" | "table" | "memory" | "global" | "tag" };

export type WebAssemblyApi = {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): WasmImportDescriptor[];
    exports(module: WasmModule): WasmExportDescriptor[];
  };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  RuntimeError: new (message?: string) => Error;
  CompileError: new (message?: string) => Error;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
};

/** The global `WebAssembly` object, typed. */
export const Wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
