/**
 * `provider status --daemon URL`: the open jobs a running provider daemon is not taking, and why
 * (price, fuel, content, reputation, collateral, stake, policy), read from its `/skipped` route.
 */
import { UsageError } from "./args.ts";
import { CliError } from "./errors.ts";
import { formatTable } from "./output.ts";

export type SkippedJobView = { jobId: string; requester: string; reason: string; detail: string; since: number };

export const daemonOption = {
  daemon: {
    type: "string",
    placeholder: "URL",
    description: "your provider daemon's HTTP address (e.g. http://127.0.0.1:9464): also list the open jobs it skipped, and why",
  },
} as const;

/** Reads `${url}/skipped`; one-line errors for a bad URL (exit 2) or a daemon that does not answer (exit 1). */
export async function fetchSkipped(url: string): Promise<SkippedJobView[]> {
  let base: URL;
  try {
    base = new URL(url);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--daemon must be an http(s) URL, got "${url}"`);
  }
  const target = new URL("skipped", base.href.endsWith("/") ? base.href : `${base.href}/`);
  let response: Response;
  try {
    response = await fetch(target, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new CliError(`cannot reach the daemon at ${target.href}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  if (!response.ok) throw new CliError(`the daemon at ${target.href} answered ${response.status} (is it a hashwork provider daemon?)`);
  const body = (await response.json()) as { skipped?: SkippedJobView[] };
  if (!Array.isArray(body.skipped)) throw new CliError(`the daemon at ${target.href} sent no skipped-job list`);
  return body.skipped;
}

/** The skipped jobs as a table, or one line when there are none. */
export function formatSkipped(skipped: readonly SkippedJobView[]): string {
  if (skipped.length === 0) return "skipped jobs: none (every open job the daemon saw is being taken or was claimed)";
  return `skipped jobs (${skipped.length}, newest first):\n${formatTable(
    ["job", "why", "detail", "since"],
    skipped.map((s) => [s.jobId, s.reason, s.detail, new Date(s.since).toISOString().replace(/\.\d{3}Z$/, "Z")]),
  )}`;
}
