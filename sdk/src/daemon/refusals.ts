import type { DaemonConfig } from "./config.ts";

/**
 * What a provider remembers about jobs it could not prepare (fetch, verify, compile):
 * - refused content by key (`uri:<hash>@<uri>` for a URI that was refused or served the wrong
 *   bytes for that hash, or too many; `hash:<hash>` for a program that does not compile), for
 *   `rememberMs`, so a job naming it again is refused without another fetch;
 * - per requester, when its jobs failed: `maxPerRequester` failures within `windowMs` skip the
 *   requester's jobs for `skipMs` (0 `maxPerRequester`: never).
 */
export type RefusalMemory = {
  /** Why content under one of `keys` was refused, if that is remembered. */
  known(keys: readonly string[]): string | undefined;
  /** Remembers that the content under `key` was refused, and why. */
  remember(key: string, reason: string): void;
  /**
   * Counts a failed job of `requester`; `skipped` is true when this failure put the requester
   * over the limit (log it once, then), `count` how many failures are in the window.
   */
  failed(requester: string): { skipped: boolean; count: number };
  /** Until when `requester`'s jobs are skipped (ms since the epoch), if they are. */
  skippedUntil(requester: string): number | undefined;
};

export function createRefusalMemory(settings: DaemonConfig["refusals"], now: () => number = Date.now): RefusalMemory {
  const content = new Map<string, { reason: string; until: number }>();
  const failures = new Map<string, number[]>();
  const skipped = new Map<string, number>();

  /** Keeps the maps small: drops what expired (cheap enough when done every so often). */
  let lastSweep = now();
  function sweep() {
    const t = now();
    if (t - lastSweep < 60_000 && content.size + failures.size < 10_000) return;
    lastSweep = t;
    for (const [key, entry] of content) if (entry.until <= t) content.delete(key);
    for (const [requester, until] of skipped) if (until <= t) skipped.delete(requester);
    for (const [requester, times] of failures) {
      const recent = times.filter((x) => x > t - settings.windowMs);
      if (recent.length === 0) failures.delete(requester);
      else failures.set(requester, recent);
    }
  }

  return {
    known(keys) {
      const t = now();
      for (const key of keys) {
        const entry = content.get(key);
        if (entry && entry.until > t) return entry.reason;
      }
      return undefined;
    },
    remember(key, reason) {
      if (settings.rememberMs > 0) content.set(key, { reason, until: now() + settings.rememberMs });
      sweep();
    },
    failed(requester) {
      const id = requester.toLowerCase();
      const t = now();
      const times = (failures.get(id) ?? []).filter((x) => x > t - settings.windowMs);
      times.push(t);
      failures.set(id, times);
      sweep();
      if (settings.maxPerRequester === 0 || settings.skipMs === 0 || times.length < settings.maxPerRequester) {
        return { skipped: false, count: times.length };
      }
      const already = (skipped.get(id) ?? 0) > t;
      skipped.set(id, t + settings.skipMs);
      failures.delete(id);
      return { skipped: !already, count: times.length };
    },
    skippedUntil(requester) {
      const until = skipped.get(requester.toLowerCase());
      return until !== undefined && until > now() ? until : undefined;
    },
  };
}
