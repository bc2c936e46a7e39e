/**
 * The indexer on a real PostgreSQL server (Debian's `postgresql` 15, started here in a temp dir on
 * a free port and stopped after): `DATABASE_URL` switches Ponder from PGlite, and the answers still
 * match the contracts. Skipped, saying why, only when the server binaries are not installed
 * (`.ci/run` installs them).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { readJobState } from "../../sdk/src/index.ts";
import { deploySystem, startAnvilNode, type HardhatNode, type System } from "../../testkit/local-cluster.ts";
import {
  caughtUp,
  getJson,
  postgresInstalled,
  startIndexer,
  startPostgres,
  writeDeploymentFile,
  type IndexerProcess,
  type PostgresServer,
} from "../../testkit/indexer-process.ts";
import { ACTOR, addressOf, clientOf, runStory, type Story } from "../../testkit/market-story.ts";

describe("the indexer on a PostgreSQL server", function () {
  this.timeout(180_000);
  let pg: PostgresServer | undefined;
  let node: HardhatNode | undefined;
  let system: System;
  let story: Story;
  let indexer: IndexerProcess | undefined;
  let dir: string | undefined;

  before(async function () {
    if (!postgresInstalled()) {
      console.log("    skipped: PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin; apt-get install -y postgresql)");
      this.skip();
    }
    pg = await startPostgres();
    node = await startAnvilNode();
    system = await deploySystem(node.url);
    story = await runStory(system);
    dir = await mkdtemp(join(tmpdir(), "hashwork-indexer-pg-"));
    indexer = await startIndexer({
      rpcUrl: node.url,
      deploymentFile: await writeDeploymentFile(system, dir),
      dataDir: dir,
      env: { DATABASE_URL: pg.url },
    });
    await caughtUp(indexer, node.url);
  });

  after(async function () {
    await indexer?.stop();
    node?.kill();
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes to PostgreSQL, not PGlite", async function () {
    expect(indexer!.output()).to.match(/"msg":"Connected to database","type":"postgres"/);
  });

  it("answers as on PGlite: job states, stakes and solvency match the contracts", async function () {
    for (const id of [...story.finalized, story.open, story.cancelled, story.claimed, story.overturned]) {
      expect((await getJson(indexer!.url, `/api/jobs/${id}`)).job.state).to.equal(await readJobState(system.clientFor(0), id));
    }
    const liar = addressOf(ACTOR.liar);
    const onchain = await clientOf(system, 0).getProvider({ provider: liar });
    const { provider } = await getJson(indexer!.url, `/api/providers/${liar}`);
    expect([BigInt(provider.staked), BigInt(provider.locked)]).to.deep.equal([onchain.staked, onchain.locked]);
    const s = await getJson(indexer!.url, "/api/solvency");
    expect(s.differences).to.deep.equal([]);
    expect(s.solvent).to.equal(true);
  });
});
