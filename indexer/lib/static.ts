/**
 * Serves the dashboard (`indexer/dashboard/`) and the one library it loads in the browser, Chart.js
 * (its UMD build from node_modules), so the dashboard needs no build step and no network.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

import { Hono } from "hono";

const DASHBOARD_DIR = fileURLToPath(new URL("../dashboard/", import.meta.url));
// The package's exports map hides dist/: resolve its entry (dist/chart.cjs) and take the UMD build beside it.
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js");
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

async function serve(file: string) {
  const body = await readFile(file);
  return new Response(body, {
    headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" },
  });
}

export function dashboardRoutes() {
  const app = new Hono();
  app.get("/vendor/chart.js", () => serve(CHART_JS));
  app.get("/*", async (c) => {
    const rest = c.req.path.replace(/^\/dashboard\/?/, "") || "index.html";
    const file = normalize(join(DASHBOARD_DIR, rest));
    if (!file.startsWith(DASHBOARD_DIR) || !TYPES[extname(file)]) return c.json({ error: `no file ${rest}` }, 404);
    return serve(file).catch(() => c.json({ error: `no file ${rest}` }, 404));
  });
  return app;
}
