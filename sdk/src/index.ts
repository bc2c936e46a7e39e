// The Hashwork SDK on Node (`@hashwork/sdk`): a viem-based client for the Hashwork market.
//
// Import what you need from here: everything in ./browser.ts (the client, every chain action,
// ABIs, deployments, errors, helpers — the browser-safe part) plus the content stores (local
// files, HTTP, the content server), which need Node. The WebAssembly executor is heavy (binaryen)
// and node-only: import it from `@hashwork/sdk/executor` (`./executor/index.ts`) when you run
// programs; the sample programs' helpers are `@hashwork/sdk/programs`.
export * from "./browser.ts";

// ------------------------------------------------------------------ content stores
export * from "./store/index.ts";

// ------------------------------------------------------------------ price discovery (runs the executor)
export {
  quoteJob,
  type QuoteJobErrorType,
  type QuoteJobParameters,
  type QuoteJobReturnType,
  type QuoteProvider,
} from "./actions/requester/quote-job.ts";
