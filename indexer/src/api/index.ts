/**
 * The indexer's HTTP API (Ponder serves it on `--port`): GraphQL at `/graphql`, SQL over HTTP at
 * `/sql/*` (for `@ponder/client`), the REST routes of `lib/routes.ts` under `/api`, and the
 * dashboard at `/dashboard/` (`/` redirects there).
 */
import { db, publicClients } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";

import { restRoutes } from "../../lib/routes.ts";
import { dashboardRoutes } from "../../lib/static.ts";
import { readSettings } from "../../lib/settings.ts";

const app = new Hono();
app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));
app.route("/api", restRoutes({ db, client: publicClients.hashwork, settings: readSettings() }));
app.route("/dashboard", dashboardRoutes());
app.get("/", (c) => c.redirect("/dashboard/"));

export default app;
