import type { DaemonConfig } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createSkippedJobs, type SkippedJobs } from "./skipped-jobs.ts";

/**
 * What every daemon component is built from (`createX(context, …)`): the config, a structured
 * logger, the metrics registry and the shutdown signal. Nothing is global, so several daemons
 * (or tests) can run in one process.
 */
export type DaemonContext = {
  config: DaemonConfig;
  logger: Logger;
  metrics: Metrics;
  /** Aborted when the daemon should stop: components stop taking new work and wind down. */
  shutdown: AbortSignal;
  /** Open jobs the provider role is not taking, and why (served at `/skipped`). */
  skipped: SkippedJobs;
};

export type CreateDaemonContextParameters = {
  config: DaemonConfig;
  logger?: Logger;
  metrics?: Metrics;
};

/**
 * @example
 * const { context, stop } = createDaemonContext({ config })
 * process.once("SIGTERM", () => stop("SIGTERM"))
 */
export function createDaemonContext({ config, logger, metrics }: CreateDaemonContextParameters): {
  context: DaemonContext;
  stop(reason?: string): void;
} {
  const controller = new AbortController();
  return {
    context: {
      config,
      logger: logger ?? createLogger({ level: config.logLevel }),
      metrics: metrics ?? createMetrics(),
      shutdown: controller.signal,
      skipped: createSkippedJobs(),
    },
    stop: (reason = "stop") => {
      if (!controller.signal.aborted) controller.abort(reason);
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
