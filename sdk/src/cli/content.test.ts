// `hashwork content serve` and `content put` as child processes through the npm bin shim (no
// chain needed): a served directory, files stored into it and read back over HTTP by hash,
// uploads, HASHWORK_PUBLIC_URL, a busy port and a graceful stop.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { freePort } from "../../../testkit/local-cluster.ts";
import { hashContent } from "../store/hash.ts";
import { jsonOf, runCli, startCli, type CliProcess, type CliRun } from "../../../testkit/cli.ts";

function expectOneLine(run: CliRun, code: number, pattern: RegExp) {
  expect(run.code, run.stderr).to.equal(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^hashwork: /);
  expect(lines[0]).to.match(pattern);
}

type Put = { hash: string; uri: string; bytes: number; store: string };

describe("hashwork content", function () {
  this.timeout(60_000);
  let dir: string;
  const started: CliProcess[] = [];

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "hashwork-cli-content-"));
  });

  after(async function () {
    for (const p of started) p.kill(); // always: the whole process group
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function serve(
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ url: string; dir: string; uploads: boolean; process: CliProcess }> {
    const p = await startCli(["content", "serve", ...args, "--json"], { env });
    started.push(p);
    return { ...(JSON.parse(p.firstLine) as { url: string; dir: string; uploads: boolean }), process: p };
  }

  it("content put stores a file that content serve returns over HTTP, verified by hash", async function () {
    const store = join(dir, "store");
    const port = await freePort();
    const served = await serve(["--dir", store, "--port", String(port)]);
    expect(served).to.include({ url: `http://127.0.0.1:${port}`, dir: store, uploads: false });

    const bytes = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff);
    await writeFile(join(dir, "seed.bin"), bytes);
    const put = jsonOf<Put>(
      await runCli(["content", "put", join(dir, "seed.bin"), "--store", store, "--public-url", served.url, "--json"]),
    );
    expect(put).to.deep.equal({ hash: hashContent(bytes), uri: `${served.url}/content/${hashContent(bytes)}`, bytes: 4096, store });

    const response = await fetch(put.uri);
    expect(response.status).to.equal(200);
    const got = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.from(got).equals(Buffer.from(bytes))).to.equal(true);
    expect(hashContent(got)).to.equal(put.hash);
    expect((await fetch(`${served.url}/content/0x${"ab".repeat(32)}`)).status).to.equal(404);
    // Uploads are off unless asked for.
    const refused = await runCli(["content", "put", join(dir, "seed.bin"), "--store", served.url]);
    expectOneLine(refused, 1, /ContentUploadRefusedError/);

    // Human output: hash and URI, one field a line; HASHWORK_PUBLIC_URL stands in for --public-url.
    const human = await runCli(["content", "put", join(dir, "seed.bin"), "--store", store], { env: { HASHWORK_PUBLIC_URL: served.url } });
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(new RegExp(`^hash\\s+${put.hash}$`, "m"));
    expect(human.stdout).to.match(new RegExp(`^uri\\s+${put.uri.replaceAll(".", "\\.")}$`, "m"));
    // Without any public URL a directory store gives file:// URIs.
    const local = jsonOf<Put>(await runCli(["content", "put", join(dir, "seed.bin"), "--store", store, "--json"]));
    expect(local.uri).to.equal(`file://${store}/${put.hash}`);

    // A second server on the same port: one line, exit 1.
    expectOneLine(await runCli(["content", "serve", "--dir", store, "--port", String(port)]), 1, /127\.0\.0\.1:\d+ is already in use/);

    process.kill(served.process.pid, "SIGTERM"); // the shim forwards it
    expect(await served.process.exited).to.equal(0);
    expect(
      await fetch(put.uri).then(
        () => "up",
        () => "down",
      ),
    ).to.equal("down");
  });

  it("with --allow-uploads, content put --store URL uploads into the served directory (default: HASHWORK_STORE)", async function () {
    const store = join(dir, "uploads");
    const served = await serve(["--port", "0", "--allow-uploads"], { HASHWORK_STORE: store });
    expect(served).to.include({ dir: store, uploads: true });
    const text = "program and input bytes\n";
    await writeFile(join(dir, "in.txt"), text);
    const put = jsonOf<Put>(await runCli(["content", "put", join(dir, "in.txt"), "--store", served.url, "--json"]));
    expect(put.uri).to.equal(`${served.url}/content/${hashContent(new TextEncoder().encode(text))}`);
    expect(await readFile(join(store, put.hash), "utf8")).to.equal(text);
    expect(await (await fetch(put.uri)).text()).to.equal(text);
    process.kill(served.process.pid, "SIGINT");
    expect(await served.process.exited).to.equal(0);
  });

  it("bad usage exits 2 with one line", async function () {
    const cases: [string[], RegExp][] = [
      [["content", "serve", "--port", "70000"], /--port must be at most 65535/],
      [["content", "serve", "--port", "http"], /--port must be a whole number/],
      [["content", "serve", "extra"], /unexpected argument "extra"/],
      [["content", "serve", "--allow-uploads=yes"], /--allow-uploads takes no value/],
      [["content", "put"], /"content put" needs FILE/],
      [["content", "put", join(dir, "missing.bin")], /FILE .*missing\.bin: no such file/],
      [["content", "put", dir], /FILE .*: is a directory/],
      [["content", "put", "x", "--store", "http://127.0.0.1:9", "--public-url", "http://a"], /--public-url goes with a directory --store/],
    ];
    await writeFile(join(dir, "x"), "x");
    const runs = await Promise.all(cases.map(([argv]) => runCli(argv, { cwd: dir })));
    runs.forEach((run, i) => {
      expect(run.stdout).to.equal("");
      expectOneLine(run, 2, cases[i]![1]);
    });
    const badEnv = await runCli(["content", "put", "x", "--store", join(dir, "s")], {
      cwd: dir,
      env: { HASHWORK_PUBLIC_URL: "ftp://host" },
    });
    expectOneLine(badEnv, 2, /HASHWORK_PUBLIC_URL must be an http\(s\) URL/);
    const urlStore = await runCli(["content", "serve"], { cwd: dir, env: { HASHWORK_STORE: "http://127.0.0.1:9" } });
    expectOneLine(urlStore, 2, /HASHWORK_STORE is a URL .*content serve serves a directory/);
  });
});
