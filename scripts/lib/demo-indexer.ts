/**
 * The demo's indexer and dashboard: `ponder start` on a free 127.0.0.1 port, started right after
 * the deployment so its cold start (about 25 s, mostly creating PGlite) runs while the demo's jobs
 * do; at the end it catches up with the chain and Debian's Chromium (through `playwright-core`)
 * saves the overview and the slashed provider's page to `out/`. The child's process group is
 * killed when the demo exits for any reason (Ctrl-C too), and stopped by `stop()`. Without Chromium the
 * screenshots are skipped with one line saying so; an indexer that fails does not fail the demo.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";
import type { Address } from "viem";

import { caughtUp, startIndexer, writeDeploymentFile, type IndexerProcess } from "../../testkit/indexer-process.ts";
import type { System } from "../../testkit/local-cluster.ts";

const CHROMIUM = "/usr/bin/chromium";
/** The dashboard counts its renders in `body[data-rendered]` (page code as a string: no DOM types here). */
const RENDERED = "Number(document.body.dataset.rendered ?? 0)";

export type DemoIndexer = {
  /**
   * Waits for the indexer to reach the chain's head, saves the two screenshots to `outDir`, and
   * returns what to report (the URL, the files, or why there are none).
   */
  finish(options: { outDir: string; slashed: Address; slashedName: string }): Promise<DashboardReport>;
  /** Stops the indexer (its process group). */
  stop(): Promise<void>;
};

export type DashboardReport = { url?: string; screenshots: string[]; skipped?: string };

/** Starts the indexer in the background; `say` prints its URL once it answers. */
export function startDemoIndexer({ system, workDir, say }: { system: System; workDir: string; say: (line: string) => void }): DemoIndexer {
  const started = performance.now();
  const indexer: Promise<IndexerProcess> = (async () => {
    const deploymentFile = await writeDeploymentFile(system, workDir);
    const running = await startIndexer({
      rpcUrl: system.url,
      deploymentFile,
      dataDir: join(workDir, "indexer"),
      timeoutMs: 150_000,
      onSpawn: (child) => killOnExit(child),
    });
    say(`indexer and dashboard: ${running.url}/dashboard/ (ready after ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return running;
  })();
  indexer.catch(() => undefined); // reported by finish()
  return {
    async stop() {
      await (await indexer.catch(() => undefined))?.stop();
    },
    async finish({ outDir, slashed, slashedName }) {
      let running: IndexerProcess;
      try {
        running = await indexer;
        await caughtUp(running, system.url, 60_000);
      } catch (error) {
        return { screenshots: [], skipped: `the indexer did not start: ${(error as Error).message.split("\n")[0]}` };
      }
      const url = `${running.url}/dashboard/`;
      if (!existsSync(CHROMIUM))
        return { url, screenshots: [], skipped: `Chromium is not installed (${CHROMIUM}; apt-get install -y chromium)` };
      try {
        return { url, screenshots: await screenshots(url, outDir, slashed, slashedName) };
      } catch (error) {
        return { url, screenshots: [], skipped: `the browser failed: ${(error as Error).message.split("\n")[0]}` };
      }
    },
  };
}

/** SIGKILLs the child's process group if the demo exits first (an error, Ctrl-C). */
function killOnExit(child: ChildProcess) {
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", kill);
  child.once("exit", () => process.off("exit", kill));
}

/** The overview and the slashed provider's page, full length, as PNGs in `outDir`. */
async function screenshots(url: string, outDir: string, slashed: Address, slashedName: string): Promise<string[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const shots: [string, string][] = [
      ["", "dashboard-overview.png"],
      [`#/providers/${slashed}`, `dashboard-provider-${slashedName}.png`],
    ];
    const files: string[] = [];
    for (const [hash, file] of shots) {
      await page.goto(`${url}${hash}`);
      await page.waitForFunction(`${RENDERED} > 0`);
      // Charts animate in; let them settle before the picture.
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(outDir, file), fullPage: true });
      files.push(`out/${file}`);
    }
    return files;
  } finally {
    await browser.close();
  }
}
