// The commands the docs tell people to run are the ones this repository defines: every
// `npm run X` in README.md and docs/ names a script in package.json, the README's two commands
// are what CI runs, and every `hashwork …` command line in the docs parses against the CLI's
// command table (unknown commands or options fail here, not in a newcomer's terminal).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { COMMANDS, parseArgs } from "../../sdk/src/cli/hashwork.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** README.md, every docs/*.md, and the folder READMEs that show commands. */
export const DOC_FILES = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  "scripts/README.md",
  "tasks/README.md",
  "ignition/README.md",
];

// Every fenced block, whatever its language (a block in another language must not be mistaken
// for the start of a shell one); only the shell ones hold command lines.
const FENCE = /```([\w-]*)\n([\s\S]*?)```/g;
const SHELL = new Set(["", "bash", "sh", "shell", "console"]);

/** Shell lines inside fenced code blocks, joined across `\` continuations. */
export function fencedLines(markdown: string): string[] {
  return [...markdown.matchAll(FENCE)]
    .filter((m) => SHELL.has(m[1]!))
    .flatMap((m) => m[2]!.replace(/\\\n\s*/g, " ").split("\n"))
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Inline code spans outside fenced blocks. */
export function inlineSpans(markdown: string): string[] {
  return [...markdown.replace(FENCE, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());
}

/** Both. */
export const shellSnippets = (markdown: string) => [...fencedLines(markdown), ...inlineSpans(markdown)];

/** `npm run <script>` names (and `npm test` / `npm start` as their scripts). */
export function npmScripts(lines: string[]): string[] {
  const names = new Set<string>();
  for (const line of lines) {
    // npm's own flags (`npm run -s hashwork`) come before the script's name.
    for (const m of line.matchAll(/\bnpm run (?:--?[\w-]+ )*([\w:.-]+)/g)) names.add(m[1]!);
    for (const m of line.matchAll(/\bnpm (test|start)\b/g)) names.add(m[1]!);
  }
  return [...names];
}

/**
 * `hashwork …` command lines as argv arrays: through npm (`npm run hashwork -- …`), the bin shim
 * or the bare name; cut at pipes, `)`, `&`, `;` and comments outside quotes. Usage synopses (with `[`, `<`,
 * `|`, `…`) are documentation of syntax, not commands, and are skipped.
 */
export function hashworkInvocations(lines: string[]): string[][] {
  const out: string[][] = [];
  for (const line of lines) {
    // Quoted arguments may hold `)` and spaces (`"market.setFeeBps(150)"`): kept whole.
    for (const m of line.matchAll(
      /(?:npm run hashwork --|\.\/bin\/hashwork\.mjs|(?<![\w/.:-])hashwork)\s+((?:"[^"]*"|'[^']*'|[^|)&;#<>"'])*)/g,
    )) {
      const words = [...m[1]!.trim().matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((w) => w[0].replace(/^["']|["']$/g, ""));
      if (words.length === 0 || words.some((w) => /[<[\]…]|\.\.\./.test(w))) continue;
      out.push(words);
    }
  }
  return out;
}

describe("the docs' commands are this repository's", function () {
  const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;

  for (const file of DOC_FILES) {
    it(`every npm script ${file} names exists in package.json`, function () {
      const missing = npmScripts(shellSnippets(read(file))).filter((name) => !(name in scripts));
      expect(missing, `${file} names scripts package.json does not define`).to.deep.equal([]);
    });
  }

  for (const file of DOC_FILES) {
    it(`every hashwork command line in ${file} parses (known command, known options)`, function () {
      const markdown = read(file);
      // Code blocks are complete commands; an inline span may name a command in prose without
      // its required options, so for those only unknown commands and options count.
      const candidates = [
        ...hashworkInvocations(fencedLines(markdown)).map((argv) => ({ argv, complete: true })),
        ...hashworkInvocations(inlineSpans(markdown)).map((argv) => ({ argv, complete: false })),
      ];
      const bad: string[] = [];
      for (const { argv, complete } of candidates) {
        try {
          parseArgs(COMMANDS, argv);
        } catch (error) {
          const message = (error as Error).message;
          if (complete || /^unknown|takes no value/.test(message)) bad.push(`hashwork ${argv.join(" ")}: ${message}`);
        }
      }
      expect(bad, file).to.deep.equal([]);
    });
  }

  it("the README's two commands are `npm install && npm run demo` and `npm test`", function () {
    const lines = shellSnippets(read("README.md"));
    expect(lines.some((l) => l.startsWith("npm install && npm run demo"))).to.equal(true);
    expect(lines.some((l) => /^npm test\b/.test(l))).to.equal(true);
  });

  it("CI installs, runs the README's test command, then the demo", function () {
    // Commands only: the first non-comment line that starts each one.
    const lines = read(".ci/run")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const install = lines.findIndex((l) => l.startsWith("npm install"));
    const test = lines.findIndex((l) => l.startsWith("npm test"));
    const demo = lines.findIndex((l) => l.startsWith("npm run demo"));
    expect(install, ".ci/run must npm install").to.be.greaterThan(-1);
    expect(test, ".ci/run must run npm test after installing").to.be.greaterThan(install);
    expect(demo, ".ci/run must run the demo after the tests").to.be.greaterThan(test);
  });

  it("CI lints and type-checks with the package.json scripts, after installing and before the tests", function () {
    const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
    const lines = read(".ci/run")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const install = lines.findIndex((l) => l.startsWith("npm install"));
    const test = lines.findIndex((l) => l.startsWith("npm test"));
    for (const name of ["lint", "typecheck"]) {
      expect(scripts, `package.json must define "${name}"`).to.have.property(name);
      const at = lines.indexOf(`npm run -s ${name}`);
      expect(at, `.ci/run must run \`npm run -s ${name}\` after npm install`).to.be.greaterThan(install);
      expect(at, `.ci/run must run \`npm run -s ${name}\` before npm test`).to.be.lessThan(test);
    }
    // `npm run format` is the writing half of `npm run lint`'s format check.
    expect(scripts.lint)
      .to.match(/\bbiome check\b/)
      .and.to.match(/\bsolhint\b/);
    expect(scripts.format).to.match(/\bbiome format --write\b/);
  });
});
