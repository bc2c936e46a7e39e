import type { ContentServer } from "../store/server.ts";
import { createContentServer } from "../store/server.ts";
import type { LocalStore } from "../store/local.ts";
import type { DaemonContext } from "./context.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics.ts";

/** What `/health` reports; `healthy` false gives 503. */
export type HealthReport = { healthy: boolean } & Record<string, unknown>;

/**
 * The daemon's HTTP server: the SDK's content server over the local store (outputs, by hash, at
 * `/content/<hash>`; uploads refused), plus `/health` (JSON), `/metrics` (Prometheus text) and
 * `/skipped` (JSON: the open jobs the provider role is not taking, and why).
 *
 * @example
 * const server = createDaemonServer(context, { store, health: () => ({ healthy: true }) })
 * const url = await server.start()
 */
export function createDaemonServer(
  context: DaemonContext,
  { store, health }: { store: LocalStore; health: () => HealthReport },
): ContentServer {
  const log = context.logger.child({ component: "http" });
  return createContentServer({
    store,
    host: context.config.http.host,
    port: context.config.http.port,
    routes: {
      "/health": (_request, response) => {
        const report = health();
        const body = JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
        response.writeHead(report.healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
        response.end(body);
      },
      "/skipped": (_request, response) => {
        const body = JSON.stringify({ skipped: context.skipped.list() }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
        response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        response.end(body);
      },
      "/metrics": (_request, response) => {
        response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" });
        response.end(context.metrics.render());
      },
    },
    onError: (error, request) => log.error("http request failed", { path: request.url, error }),
  });
}
