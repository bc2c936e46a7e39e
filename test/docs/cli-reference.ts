// docs/cli.md and `hashwork --help` name the same commands: every command the CLI has is
// documented (a `### \`hashwork …\`` heading or a command table's row), every documented one
// exists, every option a documented synopsis names is one of that command's options, and every
// option the CLI has is named in the page.
// (`commands.ts` checks complete command lines; synopses, with `[`, `|` and `…`, are checked here.)
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { COMMANDS } from "../../sdk/src/cli/hashwork.ts";
import { REPO_ROOT, runCli } from "../../testkit/cli.ts";

const CLI_MD = readFileSync(`${REPO_ROOT}/docs/cli.md`, "utf8");
const key = (path: readonly string[]) => path.join(" ");

/** A synopsis's command words: its leading lowercase words (arguments are upper case or bracketed). */
function commandWords(synopsis: string): string[] {
  const words: string[] = [];
  for (const w of synopsis.replace(/^hashwork /, "").split(/\s+/)) {
    if (!/^[a-z][a-z-]*$/.test(w)) break;
    words.push(w);
  }
  return words;
}

/** The synopses docs/cli.md documents commands with: a heading's `hashwork …` span, a table row's first cell. */
export function documentedSynopses(markdown: string): string[] {
  const out: string[] = [];
  for (const line of markdown.replace(/```[\s\S]*?```/g, "").split("\n")) {
    if (line.startsWith("#")) out.push(...[...line.matchAll(/`(hashwork [^`]+)`/g)].map((m) => m[1]!));
    // A command table's first cell is a code span starting with the command (options start with
    // `-`, variables and HTTP routes with upper case: not commands).
    const cell = /^\| `([^`]+)`/.exec(line);
    if (cell && commandWords(cell[1]!).length > 0) out.push(cell[1]!.replace(/\\\|/g, "|"));
  }
  return out;
}

/** The command a synopsis names: the longest command path its words start with. */
function commandOf(synopsis: string) {
  const words = commandWords(synopsis);
  return [...COMMANDS]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.length === words.length && c.path.every((w, i) => words[i] === w));
}

describe("docs/cli.md and `hashwork --help` name the same commands", function () {
  const synopses = documentedSynopses(CLI_MD);

  it("every command docs/cli.md documents exists", function () {
    const unknown = synopses.filter((s) => commandOf(s) === undefined);
    expect(unknown, "documented in docs/cli.md but not a command").to.deep.equal([]);
  });

  it("every command of the CLI is documented in docs/cli.md", function () {
    const documented = new Set(synopses.map((s) => key(commandWords(s))));
    const undocumented = COMMANDS.map((c) => key(c.path)).filter((k) => !documented.has(k));
    expect(undocumented, "commands docs/cli.md does not document").to.deep.equal([]);
  });

  it("every option a documented synopsis names is one of its command's options", function () {
    const wrong: string[] = [];
    for (const synopsis of synopses) {
      const command = commandOf(synopsis);
      if (!command) continue;
      for (const [, flag] of synopsis.matchAll(/(?:^|[\s[|])--([a-z][a-z0-9-]*)/g)) {
        if (!(flag! in command.options) && flag !== "help" && flag !== "profile") wrong.push(`${synopsis}: --${flag}`);
      }
    }
    expect(wrong, "options docs/cli.md names that the command lacks").to.deep.equal([]);
  });

  it("every option of every command is named in docs/cli.md (as --name, or its short form)", function () {
    const unnamed = COMMANDS.flatMap((c) =>
      Object.entries(c.options)
        .filter(([name, spec]) => !CLI_MD.includes(`--${name}`) && !(spec.short && CLI_MD.includes(`-${spec.short} `)))
        .map(([name]) => `${key(c.path)} --${name}`),
    );
    expect(unnamed, "options docs/cli.md never names").to.deep.equal([]);
  });

  it("`hashwork --help` (the real bin) lists exactly the documented commands", async function () {
    this.timeout(60_000);
    const help = await runCli(["--help"]);
    expect(help.code, help.stderr).to.equal(0);
    const body = help.stdout.split("Commands:\n")[1]!.split("\n\n")[0]!;
    // A row: the command and its arguments, two or more spaces, the summary.
    const listed = body.split("\n").map((row) => key(commandWords(row.trim().split(/\s{2,}/)[0]!)));
    const documented = [...new Set(synopses.map((s) => key(commandWords(s))))];
    expect([...listed].sort()).to.deep.equal(documented.sort());
    expect(listed, "each command listed once").to.have.length(new Set(listed).size);
  });
});
