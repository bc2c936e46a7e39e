/**
 * The dashboard in a real browser (Debian's `chromium`, driven by `playwright-core`) against the
 * indexer after the test story: the solvency badge, overview figures that match `eth_call`, a job's
 * timeline and its dispute's votes and payouts, a slashed provider's page, the pending fee change,
 * no console errors, phone width without sideways scrolling, and a new job appearing without a
 * reload. Skipped, saying why, only when Chromium is not installed (`.ci/run` installs it).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";

import { hashworkMarketAbi, hashworkTokenAbi } from "../../sdk/src/abi/index.ts";
import { deploySystem, startAnvilNode, waitFor, type HardhatNode, type System } from "../../testkit/local-cluster.ts";
import { caughtUp, startIndexer, writeDeploymentFile, type IndexerProcess } from "../../testkit/indexer-process.ts";
import { ACTOR, addressOf, advance, clientOf, postJob, runStory, type Story } from "../../testkit/market-story.ts";
import { CHALLENGER_HASH, OUTPUT_URI } from "../../testkit/fixtures.ts";

const CHROMIUM = "/usr/bin/chromium";
/** How many times the dashboard has rendered a view (it counts in `body[data-rendered]`); page code as a string (no DOM types here). */
const RENDERED = "Number(document.body.dataset.rendered ?? 0)";
const TOKEN = 10n ** 18n;
/** The dashboard's token format: whole tokens with thousands separators, up to 4 decimals. */
const tokens = (n: bigint) => {
  const frac = (n % TOKEN).toString().padStart(18, "0").slice(0, 4).replace(/0+$/, "");
  return `${(n / TOKEN).toLocaleString("en")}${frac ? "." + frac : ""}`;
};

describe("the dashboard in a real browser", function () {
  this.timeout(180_000);
  let node: HardhatNode | undefined;
  let system: System;
  let story: Story;
  let indexer: IndexerProcess | undefined;
  let dir: string | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`    skipped: Chromium is not installed (${CHROMIUM}; apt-get install -y chromium)`);
      this.skip();
    }
    node = await startAnvilNode();
    system = await deploySystem(node.url);
    story = await runStory(system);
    dir = await mkdtemp(join(tmpdir(), "hashwork-dashboard-"));
    indexer = await startIndexer({ rpcUrl: node.url, deploymentFile: await writeDeploymentFile(system, dir), dataDir: dir });
    await caughtUp(indexer, node.url);
    browser = await chromium.launch({
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
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    page.on("pageerror", (e) => consoleErrors.push(e.message));
  });

  after(async function () {
    await browser?.close();
    await indexer?.stop();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Opens `hash` (a hash change when the dashboard is already open) and waits for that view to render. */
  async function open(hash: string) {
    const rendered = () => page.evaluate<number>(RENDERED);
    if (page.url().startsWith(`${indexer!.url}/dashboard/`)) {
      const before = await rendered();
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await page.waitForFunction(`${RENDERED} > ${before}`);
    } else {
      await page.goto(`${indexer!.url}/dashboard/${hash}`);
      await page.waitForFunction(`${RENDERED} > 0`);
    }
  }
  const text = (selector: string) => page.locator(selector).first().innerText();

  it("shows the solvency badge and overview figures that match the contracts", async function () {
    await open("#/");
    expect(await text("#solvency-badge")).to.equal("Solvent");
    const read = <T>(
      address: `0x${string}`,
      abi: typeof hashworkMarketAbi | typeof hashworkTokenAbi,
      functionName: string,
      args: unknown[] = [],
    ) => system.publicClient.readContract({ address, abi, functionName, args } as never) as Promise<T>;
    const held = await read<bigint>(system.deployment.token!, hashworkTokenAbi, "balanceOf", [system.deployment.market]);
    const owed = await read<bigint>(system.deployment.market, hashworkMarketAbi, "totalOwed");
    expect(await text("#held .value")).to.equal(tokens(held));
    expect(await text("#owed .value")).to.equal(tokens(owed));
    expect(await text("#jobs-posted .value")).to.equal("6");
    expect(await text('[data-state="Finalized"] .value')).to.equal("2");
    expect(await page.locator("canvas").count()).to.equal(3); // Chart.js drew the three charts
  });

  it("opens a job's timeline, its committee's votes and the payouts", async function () {
    await open(`#/jobs/${story.overturned}`);
    expect(await text("#job-state")).to.equal("Overturned");
    const events = await page.locator(".timeline-row td:nth-child(3)").allInnerTexts();
    expect(events.slice(0, 3)).to.deep.equal(["JobPosted", "JobClaimed", "ResultSubmitted"]);
    expect(events).to.include("DisputeResolved");
    const votes = await page.locator(".seat td:nth-child(5)").allInnerTexts();
    expect(votes.length).to.be.greaterThan(0);
    expect(new Set(votes)).to.deep.equal(new Set(["challenger's hash"]));
    expect(await page.locator(".payout td:nth-child(2)").allInnerTexts()).to.include.members(["Challenger", "Requester", "Verifier"]);
    expect(await page.locator("#output-link").getAttribute("href")).to.match(/^http:\/\/127\.0\.0\.1:8700\/o\//);
    expect(await text("#output-standing")).to.include("overturned: this result lost its dispute");
  });

  it("shows the slashed provider's stake, slash and earnings chart, and the honest one's earnings", async function () {
    await open(`#/providers/${addressOf(ACTOR.liar)}`);
    expect(await text("#slashed .value")).to.equal("15");
    expect(await text("#reputation .value")).to.equal("0 / 1 / 0");
    expect(await page.locator("#c-earnings").count()).to.equal(1);
    await open(`#/providers/${addressOf(ACTOR.honest)}`);
    expect(await text("#earned .value")).to.equal("19.8"); // two 10-token jobs less the 1% fee
    expect(await text("#jobs-done .value")).to.equal("2");
  });

  it("lists the pending fee change with when it takes effect", async function () {
    await open("#/governance");
    const row = await page.locator("#pending tr.pending").first().innerText();
    expect(row).to.include("FeeChangeScheduled").and.include(String(story.newFeeBps));
  });

  it("searches jobs by requester and state", async function () {
    await open(`#/jobs?q=${addressOf(ACTOR.requester)}&as=requester&state=Finalized`);
    expect(await text("#jobs-total")).to.equal("2");
    expect(await page.locator("tr[data-job]").count()).to.equal(2);
  });

  it("fits a phone's width without sideways scrolling", async function () {
    const phone = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(`${indexer!.url}/dashboard/#/`);
      await phone.waitForFunction(`${RENDERED} > 0`);
      const overflow = await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
      expect(overflow).to.be.at.most(0);
    } finally {
      await phone.close();
    }
  });

  it("updates when a new job is posted, without a reload", async function () {
    await open("#/");
    expect(await text("#jobs-posted .value")).to.equal("6");
    await page.evaluate("window.marker = 1"); // survives only without a reload
    await postJob(system, "dashboard-live");
    await waitFor("the overview to show 7 jobs", async () => (await text("#jobs-posted .value")) === "7" || undefined, 15_000, 200);
    expect(await page.evaluate("window.marker")).to.equal(1);
  });

  it("shows a released fast-path job's pay on its page, and its bucket events in the timeline", async function () {
    const jobId = await postJob(system, "dashboard-fast", { challengeWindow: 5 });
    const fast = clientOf(system, ACTOR.honest);
    await fast.claimAndSubmit({ jobId, resultHash: CHALLENGER_HASH, outputURI: OUTPUT_URI });
    await advance(system, 6);
    await caughtUp(indexer!, node!.url);
    // Its challenge ends long before the scheduled 1.5 % applies: it pays the previous 1 %.
    const reward = 10n * TOKEN;
    const fee = reward / 100n;
    await open(`#/providers/${addressOf(ACTOR.honest)}`);
    expect(await text("#pending-pay .value")).to.equal(`${tokens(reward - fee)} (1 jobs)`);
    const keeper = system.clientFor(ACTOR.keeper).walletClient;
    const hash = await keeper.writeContract({
      address: system.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "releasePay",
      args: [addressOf(ACTOR.honest)],
      account: keeper.account!,
      chain: keeper.chain,
    });
    await system.publicClient.waitForTransactionReceipt({ hash });
    await caughtUp(indexer!, node!.url);
    await open(`#/jobs/${jobId}`);
    expect(await text("#job-state")).to.equal("Finalized");
    expect(await text("#job-pay .value")).to.equal(`${tokens(reward - fee)} / ${tokens(fee)} (released with its bucket)`);
    const events = await page.locator(".timeline-row td:nth-child(3)").allInnerTexts();
    expect(events).to.deep.equal(["JobPosted", "JobClaimed", "ResultSubmitted", "PayDeferred", "PayReleased"]);
  });

  it("logged no console errors", function () {
    expect(consoleErrors).to.deep.equal([]);
  });
});
