import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { expectRejection } from "../../../testkit/assertions.ts";
import { runCli } from "../../../testkit/cli.ts";
import { DAEMON_CONFIG_SCHEMA_FILE, daemonConfigJsonSchema, daemonConfigJsonSchemaText } from "./config-schema.ts";
import { checkConfigForChain, ConfigError, loadConfig, loadPrivateKey, parseConfig } from "./config.ts";

const KEY = `0x${"5a".repeat(32)}`;
const minimal = { rpcUrl: "http://127.0.0.1:8545", key: { env: "HW_KEY" }, dataDir: "data" };

function problem(raw: unknown): string {
  try {
    parseConfig(raw, { baseDir: "/srv/hw" });
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).shortMessage;
    expect(message).to.not.include("\n");
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("daemon config", function () {
  it("fills defaults and resolves paths against the config file's folder", function () {
    const c = parseConfig(minimal, { baseDir: "/srv/hw" });
    expect(c.dataDir).to.equal("/srv/hw/data");
    expect(c.storeDir).to.equal("/srv/hw/data/store");
    expect(c.http).to.deep.equal({ host: "127.0.0.1", port: 8700 });
    expect(c.roles).to.deep.equal({ provider: true, keeper: false, verifier: false, watcher: false });
    expect(c.confirmations).to.equal(2);
    expect(c.claimPolicy.maxFuel).to.equal(1_000_000_000n);
    expect(c.claimPolicy.fastPathMaxFuel).to.equal(10_000_000n);
    expect(c.corruptResults).to.equal(false);
    expect(c.watcher).to.deep.equal({ sampleRate: 0.1 });
    expect(c.keeper).to.deep.equal({ audits: true, pinSeeds: true, pinAfterBlocks: 200, finalizeGraceS: 30 });
    expect(c.provider).to.deep.equal({ pinSeeds: true, pinAfterBlocks: 200 });
    expect(c.verifier).to.deep.equal({ bond: 0n });
    expect(c.fetch).to.deep.equal({
      allowFileUris: false,
      allowPrivateNetworks: false,
      allowHosts: [],
      maxBytes: 64 * 1024 * 1024,
      timeoutMs: 30_000,
      maxRedirects: 5,
      concurrency: 32,
      concurrencyPerRequester: 8,
    });
    expect(c.refusals).to.deep.equal({ rememberMs: 3_600_000, maxPerRequester: 3, windowMs: 600_000, skipMs: 3_600_000 });
    expect(c.storeRetentionHours).to.equal(168);
  });

  it("takes a fetch allow-list of host names, addresses and CIDR ranges, and refusal throttling settings", function () {
    const c = parseConfig({
      ...minimal,
      fetch: { allowHosts: ["localhost", "127.0.0.1", "10.0.0.0/8", "::1"], concurrency: 2 },
      refusals: { maxPerRequester: 5, windowMs: 60_000, skipMs: 0 },
      storeRetentionHours: 0,
    });
    expect(c.fetch.allowHosts).to.deep.equal(["localhost", "127.0.0.1", "10.0.0.0/8", "::1"]);
    expect(c.fetch.concurrency).to.equal(2);
    expect(c.refusals).to.deep.equal({ rememberMs: 3_600_000, maxPerRequester: 5, windowMs: 60_000, skipMs: 0 });
    expect(c.storeRetentionHours).to.equal(0);
    expect(() => parseConfig({ ...minimal, fetch: { allowHosts: "localhost" } })).to.throw(ConfigError, "fetch.allowHosts");
    expect(() => parseConfig({ ...minimal, fetch: { allowHosts: ["10.0.0.0/40"] } })).to.throw(ConfigError, "fetch.allowHosts");
    expect(() => parseConfig({ ...minimal, refusals: { often: 1 } })).to.throw(ConfigError, "refusals.often");
  });

  it("reads amounts as decimal strings, addresses checksummed, a key file path resolved", function () {
    const c = parseConfig(
      {
        ...minimal,
        key: { file: "./provider.key" },
        confirmations: 0,
        claimPolicy: {
          minPricePerFuel: "200000000000",
          maxFuel: 5_000_000,
          allowRequesters: ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8"],
        },
        deployment: { market: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", fromBlock: "12" },
      },
      { baseDir: "/srv/hw" },
    );
    expect(c.key).to.deep.equal({ file: "/srv/hw/provider.key" });
    expect(c.confirmations).to.equal(0);
    expect(c.claimPolicy.minPricePerFuel).to.equal(200_000_000_000n);
    expect(c.claimPolicy.maxFuel).to.equal(5_000_000n);
    expect(c.claimPolicy.allowRequesters).to.deep.equal(["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]);
    expect(c.deployment).to.deep.equal({ market: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", fromBlock: 12n });
  });

  it("accepts the verifier and watcher roles with the watcher's sample rate and the keeper's audit switch", function () {
    const c = parseConfig(
      {
        ...minimal,
        roles: { provider: false, verifier: true, watcher: true, keeper: true },
        watcher: { sampleRate: 1 },
        keeper: { audits: false },
      },
      { baseDir: "/srv/hw" },
    );
    expect(c.roles).to.deep.equal({ provider: false, keeper: true, verifier: true, watcher: true });
    expect(c.watcher.sampleRate).to.equal(1);
    expect(c.keeper.audits).to.equal(false);
    expect(parseConfig({ ...minimal, keeper: { finalizeGraceS: 0 } }).keeper.finalizeGraceS).to.equal(0);
    expect(parseConfig({ ...minimal, watcher: { sampleRate: 0 } }).watcher.sampleRate).to.equal(0);
  });

  it("takes the verifier's pool bond and the seed-pinning settings of the keeper and provider roles", function () {
    const c = parseConfig({
      ...minimal,
      verifier: { bond: "150000000000000000000" },
      keeper: { pinSeeds: false, pinAfterBlocks: 2 },
      provider: { pinSeeds: false, pinAfterBlocks: 250 },
    });
    expect(c.verifier.bond).to.equal(150n * 10n ** 18n);
    expect(c.keeper).to.deep.include({ pinSeeds: false, pinAfterBlocks: 2 });
    expect(c.provider).to.deep.equal({ pinSeeds: false, pinAfterBlocks: 250 });
  });

  it("caps the collateral a provider accepts at 200% of the reward unless claimPolicy.maxCollateralPct says otherwise (1 to 1000)", function () {
    expect(parseConfig(minimal).claimPolicy.maxCollateralPct).to.equal(200);
    expect(parseConfig({ ...minimal, claimPolicy: { maxCollateralPct: 300 } }).claimPolicy.maxCollateralPct).to.equal(300);
    expect(problem({ ...minimal, claimPolicy: { maxCollateralPct: 0 } })).to.equal(
      "config: claimPolicy.maxCollateralPct must be an integer from 1 to 1000 (got 0)",
    );
    expect(problem({ ...minimal, claimPolicy: { maxCollateralPct: "150" } })).to.equal(
      'config: claimPolicy.maxCollateralPct must be an integer from 1 to 1000 (got "150")',
    );
  });

  it("takes an optional WebSocket endpoint for new heads (absent: HTTP polling only)", function () {
    expect(parseConfig(minimal).wsUrl).to.equal(undefined);
    expect(parseConfig({ ...minimal, wsUrl: "ws://127.0.0.1:8545" }).wsUrl).to.equal("ws://127.0.0.1:8545");
    expect(parseConfig({ ...minimal, wsUrl: "wss://node.example/ws" }).wsUrl).to.equal("wss://node.example/ws");
  });

  it("names the first bad field in one line", function () {
    expect(problem([])).to.equal("config: the file must hold a JSON object");
    expect(problem({ ...minimal, rpcUrl: undefined })).to.equal("config: rpcUrl is required");
    expect(problem({ ...minimal, rpcUrl: "ws://x" })).to.equal('config: rpcUrl must be an http(s) URL (got "ws://x")');
    expect(problem({ ...minimal, wsUrl: "http://x" })).to.equal('config: wsUrl must be a ws(s) URL (got "http://x")');
    expect(problem({ ...minimal, key: { env: "A", file: "b" } })).to.equal('config: key must have exactly one of "env" or "file"');
    expect(problem({ ...minimal, key: { env: "1 bad" } })).to.equal("config: key.env must be an environment variable name");
    expect(problem({ ...minimal, confirmations: -1 })).to.equal("config: confirmations must be an integer from 0 to 1000 (got -1)");
    expect(problem({ ...minimal, claimPolicy: { concurrency: 0 } })).to.match(
      /^config: claimPolicy\.concurrency must be an integer from 1/,
    );
    expect(problem({ ...minimal, claimPolicy: { minFreeStake: "-5" } })).to.match(
      /^config: claimPolicy\.minFreeStake must be a non-negative integer/,
    );
    expect(problem({ ...minimal, claimPolicy: { denyRequesters: ["0x12"] } })).to.equal(
      'config: claimPolicy.denyRequesters[0] must be a 20-byte hex address (got "0x12")',
    );
    expect(problem({ ...minimal, roles: { keeper: "yes" } })).to.equal('config: roles.keeper must be true or false (got "yes")');
    expect(problem({ ...minimal, watcher: { sampleRate: 1.5 } })).to.equal(
      "config: watcher.sampleRate must be a number from 0 to 1 (got 1.5)",
    );
    expect(problem({ ...minimal, watcher: { rate: 1 } })).to.equal("config: watcher.rate is not a known setting");
    expect(problem({ ...minimal, keeper: { audits: 1 } })).to.equal("config: keeper.audits must be true or false (got 1)");
    expect(problem({ ...minimal, keeper: { finalizeGraceS: -1 } })).to.match(/^config: keeper\.finalizeGraceS must be an integer/);
    expect(problem({ ...minimal, keeper: { pinAfterBlocks: 251 } })).to.equal(
      "config: keeper.pinAfterBlocks must be an integer from 1 to 250 (got 251)",
    );
    expect(problem({ ...minimal, provider: { pinSeeds: "no" } })).to.equal('config: provider.pinSeeds must be true or false (got "no")');
    expect(problem({ ...minimal, verifier: { bond: "1.5" } })).to.match(/^config: verifier\.bond must be a non-negative integer/);
    expect(problem({ ...minimal, verifier: { stake: "1" } })).to.equal("config: verifier.stake is not a known setting");
    expect(problem({ ...minimal, http: { port: 70000 } })).to.match(/^config: http\.port must be an integer from 0 to 65535/);
    expect(problem({ ...minimal, colour: "blue" })).to.equal("config: colour is not a known setting");
    expect(problem({ ...minimal, executor: { thread: 2 } })).to.equal("config: executor.thread is not a known setting");
    expect(problem({ ...minimal, logLevel: "loud" })).to.equal("config: logLevel must be one of debug, info, warn, error");
  });

  it("names the path of nested and listed settings, a misspelt key before the setting it leaves missing", function () {
    expect(problem({ ...minimal, deployment: {} })).to.equal("config: deployment.market is required");
    expect(problem({ ...minimal, key: undefined })).to.equal("config: key is required");
    expect(problem({ ...minimal, key: "HW_KEY" })).to.equal("config: key must be an object");
    expect(problem({ ...minimal, key: { env: 5 } })).to.equal("config: key.env must be a non-empty string");
    expect(problem({ ...minimal, key: {} })).to.equal('config: key must have exactly one of "env" or "file"');
    expect(problem({ ...minimal, claimPolicy: { maxFuel: -1 } })).to.equal(
      "config: claimPolicy.maxFuel must be a non-negative integer as a decimal string (got -1)",
    );
    expect(problem({ ...minimal, claimPolicy: { allowRequesters: ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 5] } })).to.equal(
      "config: claimPolicy.allowRequesters[1] must be a 20-byte hex address (got 5)",
    );
    expect(problem({ ...minimal, fetch: { allowHosts: ["localhost", " "] } })).to.equal(
      'config: fetch.allowHosts[1] must be a host name, IP address or CIDR range (got " ")',
    );
    expect(problem({ ...minimal, fetch: { allowHosts: ["10.0.0.0/40"] } })).to.match(/^config: fetch\.allowHosts \S/);
    expect(problem({ ...minimal, http: { publicUrl: "ftp://x" } })).to.equal(
      'config: http.publicUrl must be an http(s) URL (got "ftp://x")',
    );
    expect(problem({ ...minimal, tx: null })).to.equal("config: tx must be an object");
    expect(problem({ ...minimal, logLevel: 3 })).to.equal("config: logLevel must be one of debug, info, warn, error");
    const { rpcUrl, ...rest } = minimal;
    expect(problem({ ...rest, rpcURL: rpcUrl })).to.equal("config: rpcURL is not a known setting");
    expect(new ConfigError("claimPolicy.maxFuel", "x").field).to.equal("claimPolicy.maxFuel");
  });

  it('accepts and ignores "$schema" (the JSON Schema an editor checks the file against)', function () {
    const c = parseConfig({ $schema: "./node_modules/hashwork/sdk/schema/daemon-config.schema.json", ...minimal });
    expect(c).to.not.have.property("$schema");
    expect(c).to.deep.equal(parseConfig(minimal));
    expect(problem({ $schema: 1, ...minimal })).to.match(/^config: \$schema /);
  });

  describe("JSON Schema for editors", function () {
    it("is committed up to date with the zod schema (npm run generate:config-schema)", async function () {
      const committed = await readFile(DAEMON_CONFIG_SCHEMA_FILE, "utf8").catch(() => "(missing)");
      expect(
        committed === daemonConfigJsonSchemaText(),
        "sdk/schema/daemon-config.schema.json is stale: run npm run generate:config-schema",
      ).to.equal(true);
    });

    it("describes the input: required settings, refused unknown keys, the defaults parseConfig fills in", function () {
      type Node = { properties?: Record<string, Node>; required?: string[]; additionalProperties?: boolean; default?: unknown };
      const schema = daemonConfigJsonSchema() as Node;
      expect(schema.required).to.deep.equal(["rpcUrl", "key", "dataDir"]);
      expect(schema.additionalProperties).to.equal(false);
      expect(schema.properties).to.have.property("$schema");
      const parsed = parseConfig(minimal) as unknown as Record<string, unknown>;
      let checked = 0;
      for (const [name, node] of Object.entries(schema.properties!)) {
        if (node.properties) {
          expect(node.additionalProperties, name).to.equal(false);
          for (const [key, leaf] of Object.entries(node.properties)) {
            if (!("default" in leaf)) continue;
            const value = (parsed[name] as Record<string, unknown>)[key];
            expect(typeof value === "bigint" ? String(value) : value, `${name}.${key}`).to.deep.equal(leaf.default);
            checked++;
          }
        } else if ("default" in node) {
          expect(parsed[name], name).to.deep.equal(node.default);
          checked++;
        }
      }
      expect(checked).to.be.greaterThan(40);
    });
  });

  describe("corruptResults (fault injection) only on a local chain", function () {
    it("is allowed on chain ids 31337 and 1337, refused on any other in one line", function () {
      const on = parseConfig({ ...minimal, corruptResults: true });
      checkConfigForChain(on, 31337);
      checkConfigForChain(on, 1337);
      checkConfigForChain(parseConfig(minimal), 1);
      expect(() => checkConfigForChain(on, 1)).to.throw(
        ConfigError,
        "config: corruptResults is for local test chains only (chain id 31337 or 1337); the RPC serves chain 1",
      );
    });

    describe("hashwork provider start", function () {
      let dir: string;
      let rpc: Server;
      beforeEach(async function () {
        dir = await mkdtemp(join(tmpdir(), "hashwork-config-"));
        // A node that answers only eth_chainId, for chain 1 (the daemon must stop at that).
        rpc = createServer((req, res) => {
          let body = "";
          req.on("data", (c: Buffer) => (body += c));
          req.on("end", () => {
            const { id, method } = JSON.parse(body) as { id: number; method: string };
            res.setHeader("content-type", "application/json");
            res.end(
              JSON.stringify(
                method === "eth_chainId"
                  ? { jsonrpc: "2.0", id, result: "0x1" }
                  : { jsonrpc: "2.0", id, error: { code: -32601, message: "no" } },
              ),
            );
          });
        });
        await new Promise<void>((resolve) => rpc.listen(0, "127.0.0.1", resolve));
      });
      afterEach(async function () {
        await new Promise((resolve) => rpc.close(resolve));
        await rm(dir, { recursive: true, force: true });
      });

      it("exits 2 with one line when the RPC's chain is not local", async function () {
        this.timeout(30_000);
        const file = join(dir, "daemon.json");
        const rpcUrl = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`;
        await writeFile(file, JSON.stringify({ ...minimal, rpcUrl, http: { port: 0 }, corruptResults: true }));
        const run = await runCli(["provider", "start", "--config", file], { env: { HW_KEY: KEY } });
        expect(run.code).to.equal(2);
        expect(run.stderr).to.equal(
          "hashwork: config: corruptResults is for local test chains only (chain id 31337 or 1337); the RPC serves chain 1\n",
        );
      });

      it("exits 2 with one line naming the setting for a config the schema refuses", async function () {
        this.timeout(30_000);
        const file = join(dir, "daemon.json");
        await writeFile(file, JSON.stringify({ ...minimal, claimPolicy: { maxFuel: -1 } }));
        const run = await runCli(["provider", "start", "--config", file], { env: { HW_KEY: KEY } });
        expect(run.code).to.equal(2);
        expect(run.stderr).to.equal("hashwork: config: claimPolicy.maxFuel must be a non-negative integer as a decimal string (got -1)\n");
      });
    });
  });

  describe("files and keys", function () {
    let dir: string;
    beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "hashwork-config-"))));
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("loadConfig reports unreadable files and bad JSON as ConfigError", async function () {
      const missing = await expectRejection(loadConfig(join(dir, "nope.json")), ConfigError);
      expect(missing.shortMessage).to.match(/cannot read .*nope\.json: ENOENT/);
      await writeFile(join(dir, "bad.json"), "{ rpcUrl: ");
      const bad = await expectRejection(loadConfig(join(dir, "bad.json")), ConfigError);
      expect(bad.shortMessage).to.match(/bad\.json is not valid JSON/);
      await writeFile(join(dir, "ok.json"), JSON.stringify({ $schema: "../sdk/schema/daemon-config.schema.json", ...minimal }));
      expect((await loadConfig(join(dir, "ok.json"))).dataDir).to.equal(join(dir, "data"));
    });

    it("loadPrivateKey reads an env var or a hex file and never echoes the key", async function () {
      expect(await loadPrivateKey({ env: "HW_KEY" }, { HW_KEY: KEY.slice(2) })).to.equal(KEY);
      await writeFile(join(dir, "k"), `${KEY}\n`);
      expect(await loadPrivateKey({ file: join(dir, "k") }, {})).to.equal(KEY);
      const unset = await expectRejection(loadPrivateKey({ env: "HW_KEY" }, {}), ConfigError);
      expect(unset.shortMessage).to.equal("config: key.env names HW_KEY, which is not set");
      const short = await expectRejection(loadPrivateKey({ env: "HW_KEY" }, { HW_KEY: "0xdeadbeef" }), ConfigError);
      expect(short.shortMessage).to.equal("config: key.env does not hold a 32-byte hex private key");
      expect(short.message).to.not.include("deadbeef");
    });
  });
});
