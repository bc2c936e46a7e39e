// Entry point of the instrumentation worker: runs `instrumentProgram` off the caller's thread, on
// a stack large enough that the deterministic nesting limit, not the host, decides refusals.
import { parentPort } from "node:worker_threads";

import type { ExecutionLimits } from "./abi.ts";
import { serializeError, type SerializedError } from "./error-transfer.ts";
import { instrumentProgram } from "./instrument.ts";

export type InstrumentRequest = { id: number; wasm: Uint8Array; limits: ExecutionLimits };
export type InstrumentResponse = { id: number; ok: true; wasm: Uint8Array } | { id: number; ok: false; error: SerializedError };

const port = parentPort;
if (port) {
  port.on("message", ({ id, wasm, limits }: InstrumentRequest) => {
    let response: InstrumentResponse;
    try {
      response = { id, ok: true, wasm: instrumentProgram({ wasm, limits }).wasm };
    } catch (error) {
      response = { id, ok: false, error: serializeError(error) };
    }
    port.postMessage(response, response.ok ? [response.wasm.buffer as ArrayBuffer] : []);
  });
}
