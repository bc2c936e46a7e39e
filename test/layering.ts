// The import graph keeps its layers (in the style of ponder's `internal/layering.test.ts`).
//
// Every relative import of the repository's TypeScript (static `import … from`, `export … from`,
// side-effect `import "…"`, dynamic `import("…")`, read with TypeScript's own pre-processor so
// comments and strings are not mistaken for imports) is an edge; `layeringViolation` judges each
// one:
//
// - the SDK (`sdk/src`, its `*.test.ts` files aside) imports only the SDK: never `test/`,
//   `scripts/`, `tasks/`, `testkit/` or anything else of the repository;
// - inside the SDK, a file imports its own unit or a unit of a lower layer of `SDK_LAYERS`, never
//   a layer above it nor another unit of its own layer;
// - the SDK's examples (`sdk/examples`, their tests aside) import only the SDK, as a user would;
// - the test kit (`testkit/`) sits below the tests, scripts and tasks that use it and imports none
//   of them;
// - the Ignition modules (`ignition/`) are deployment code and import only `ignition/` (their
//   defaults are `ignition/parameters/defaults.ts`);
// - the scripts (the demo, the benches), the tasks and the tests use the SDK as a user does: only
//   through its public entries, the `exports` of `sdk/package.json` (`@hashwork/sdk`,
//   `@hashwork/sdk/daemon`, …; in this repository their TypeScript sources), never an internal
//   module.
//
// Colocated SDK tests (`sdk/src/**/*.test.ts`) are not the product: they may import the test kit.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import ts from "typescript";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const toPosix = (p: string) => p.split(sep).join("/");

/**
 * The SDK's layers, lowest first. A unit is a folder of `sdk/src` or one of its top-level files.
 * A file may import its own unit and the units of lower layers; the units of one layer are
 * independent of each other. Documented in `sdk/README.md` ("Layers").
 */
export const SDK_LAYERS: readonly (readonly string[])[] = [
  ["abi"], // generated ABIs and enums
  ["errors", "module-url.ts"], // HashworkError, decoded reverts; worker entry URLs (.ts or built .js)
  ["deployments.ts", "executor", "store", "programs"], // addresses; the WebAssembly executor; content stores; sample programs
  ["utils"], // what every action shares: clients, writes, logs, job requests
  ["actions"], // one function per contract action, per role
  ["client.ts"], // the client decorated with every role's actions
  ["browser.ts"], // the public API without Node built-ins (`@hashwork/sdk/browser`)
  ["index.ts"], // the public API in one import: the browser entry plus the content stores
  ["daemon"], // the provider daemon (an application of the SDK)
  ["cli"], // the `hashwork` command line (starts the daemon)
];

/** Folders whose TypeScript the graph covers (`sdk/programs` is AssemblyScript, not in it). */
const SOURCE_ROOTS = ["sdk/src", "sdk/examples", "testkit", "scripts", "test", "tasks", "ignition", "indexer"];
/** Areas the SDK must never import (named in the violation). */
const ABOVE_THE_SDK = ["test", "scripts", "tasks", "testkit"];
/** Areas that use the test kit and that it must not import. */
const ABOVE_THE_TESTKIT = ["test", "scripts", "tasks"];
/** Areas that use the SDK only through its public entries. */
const SDK_USERS = ["test", "scripts", "tasks"];

/**
 * The SDK's public entries as repository paths: the sources (`hashwork-source` condition) of the
 * `exports` map of `sdk/package.json`.
 */
export const SDK_ENTRIES: readonly string[] = Object.values(
  JSON.parse(readFileSync(join(REPO_ROOT, "sdk/package.json"), "utf8")).exports as Record<string, string | Record<string, string>>,
)
  .flatMap((target) => (typeof target === "object" && target["hashwork-source"] ? [target["hashwork-source"]] : []))
  .map((source) => toPosix(join("sdk", source)));

export interface ImportEdge {
  /** Repository-relative path of the importing file, with `/` separators. */
  from: string;
  /** Repository-relative path of the imported file (`./x.js` resolved to `./x.ts` when only that exists). */
  to: string;
}

const isSdkTest = (path: string) => path.endsWith(".test.ts");
const inArea = (path: string, area: string) => path === area || path.startsWith(`${area}/`);
const areaOf = (path: string) => path.split("/")[0];

/** The unit of an `sdk/src` file: its folder under `sdk/src`, or its own name for a top-level file. */
export function sdkUnitOf(path: string): string | undefined {
  if (!inArea(path, "sdk/src")) return undefined;
  return path.slice("sdk/src/".length).split("/")[0];
}

/** The index of `unit` in `SDK_LAYERS` (undefined when no layer lists it). */
export function sdkLayerOf(unit: string, layers: readonly (readonly string[])[] = SDK_LAYERS): number | undefined {
  const index = layers.findIndex((layer) => layer.includes(unit));
  return index < 0 ? undefined : index;
}

/** Why the edge `from → to` breaks the layering, or undefined when it is allowed. */
export function layeringViolation({ from, to }: ImportEdge, layers: readonly (readonly string[])[] = SDK_LAYERS): string | undefined {
  if (inArea(from, "sdk/src") && !isSdkTest(from)) {
    if (!inArea(to, "sdk/src")) {
      const area = ABOVE_THE_SDK.find((a) => inArea(to, a));
      return area ? `${from} imports ${to}: the SDK must not import ${area}/` : `${from} imports ${to}: the SDK imports only sdk/src`;
    }
    const fromUnit = sdkUnitOf(from)!;
    const toUnit = sdkUnitOf(to)!;
    if (fromUnit === toUnit) return undefined;
    const fromLayer = sdkLayerOf(fromUnit, layers);
    const toLayer = sdkLayerOf(toUnit, layers);
    if (fromLayer === undefined) return `${from}: sdk/src/${fromUnit} is in no layer of SDK_LAYERS`;
    if (toLayer === undefined) return `${to}: sdk/src/${toUnit} is in no layer of SDK_LAYERS`;
    if (toLayer > fromLayer)
      return `${from} imports ${to}: ${fromUnit} (layer ${fromLayer}) may not import ${toUnit} (layer ${toLayer}, above it)`;
    if (toLayer === fromLayer) return `${from} imports ${to}: ${fromUnit} and ${toUnit} share layer ${fromLayer} and must stay independent`;
    return undefined;
  }
  if (inArea(from, "sdk/examples") && !isSdkTest(from) && !inArea(to, "sdk/src") && !inArea(to, "sdk/examples")) {
    return `${from} imports ${to}: an example imports only the SDK`;
  }
  if (inArea(from, "testkit")) {
    const area = ABOVE_THE_TESTKIT.find((a) => inArea(to, a));
    if (area) return `${from} imports ${to}: the test kit must not import ${area}/ (it sits below its users)`;
  }
  if (inArea(from, "ignition") && !inArea(to, "ignition")) {
    return `${from} imports ${to}: the Ignition modules import only ignition/`;
  }
  if (inArea(from, "indexer") && !inArea(to, "indexer") && !inArea(to, "sdk/src")) {
    return `${from} imports ${to}: the indexer imports only indexer/ and the SDK (sdk/src)`;
  }
  const user = SDK_USERS.find((a) => inArea(from, a));
  if (user && inArea(to, "sdk/src") && !SDK_ENTRIES.includes(to)) {
    return `${from} imports ${to}: ${user}/ imports the SDK only through its public entries (sdk/package.json "exports": ${SDK_ENTRIES.join(", ")})`;
  }
  return undefined;
}

/** The module specifiers `source` imports: static, re-exports, side effects and dynamic `import("…")`. */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function typeScriptFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : typeScriptFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every relative import of the TypeScript under `roots`, resolved to repository-relative paths. */
export function importGraph(root = REPO_ROOT, roots = SOURCE_ROOTS): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of roots.flatMap((r) => typeScriptFiles(join(root, r)))) {
    for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      let target = resolve(dirname(file), specifier);
      if (target.endsWith(".js") && !existsSync(target)) target = `${target.slice(0, -3)}.ts`;
      edges.push({ from: toPosix(relative(root, file)), to: toPosix(relative(root, target)) });
    }
  }
  return edges;
}

describe("layering (test/layering.ts)", function () {
  const edges = importGraph();
  const violates = (from: string, to: string) => layeringViolation({ from, to });
  const sdkEntries = readdirSync(join(REPO_ROOT, "sdk/src"), { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.name.endsWith(".ts") && !isSdkTest(e.name)))
    .map((e) => e.name);

  it("reads the import graph: static, re-exported and dynamic imports, not comments", function () {
    const source = [
      `import { a } from "./a.ts";`,
      `import type {\n  B,\n  C,\n} from "../b.ts";`,
      `import "./side-effect.ts";`,
      `export { d } from "./d.ts";`,
      `export * from "./e.ts";`,
      `const f = await import("./f.ts");`,
      `// import { g } from "./commented.ts";`,
      `/* export { h } from "./also-commented.ts"; */`,
      `const url = "import { i } from './in-a-string.ts'";`,
    ].join("\n");
    expect(importSpecifiers(source)).to.have.members(["./a.ts", "../b.ts", "./side-effect.ts", "./d.ts", "./e.ts", "./f.ts"]);
    // The real graph: enough edges, and edges known to exist.
    expect(edges.length).to.be.greaterThan(500);
    expect(edges).to.deep.include({ from: "sdk/src/browser.ts", to: "sdk/src/client.ts" });
    expect(edges).to.deep.include({ from: "sdk/src/cli/provider-start.ts", to: "sdk/src/daemon/daemon.ts" });
    expect(edges).to.deep.include({ from: "ignition/modules/dispute-module.ts", to: "ignition/parameters/defaults.ts" });
    const missing = edges.filter((e) => !existsSync(join(REPO_ROOT, e.to)) && !existsSync(join(REPO_ROOT, e.to, "index.ts")));
    expect(missing, "imports that resolve to no file").to.deep.equal([]);
  });

  it("puts every folder and top-level file of sdk/src in exactly one layer", function () {
    const listed = SDK_LAYERS.flat();
    expect(new Set(listed).size, "a unit listed twice").to.equal(listed.length);
    expect(
      sdkEntries.filter((name) => !listed.includes(name)),
      "sdk/src entries in no layer",
    ).to.deep.equal([]);
    expect(
      listed.filter((name) => !sdkEntries.includes(name)),
      "layers naming what sdk/src does not hold",
    ).to.deep.equal([]);
  });

  it("no SDK file imports a layer above its own, nor a sibling unit of its layer", function () {
    const violations = edges
      .filter((e) => inArea(e.from, "sdk/src") && inArea(e.to, "sdk/src"))
      .map((e) => layeringViolation(e))
      .filter(Boolean);
    expect(violations).to.deep.equal([]);
  });

  it("nothing in the SDK (tests aside) imports test/, scripts/, tasks/, testkit/ or anything outside sdk/src", function () {
    const outward = edges.filter((e) => inArea(e.from, "sdk/src") && !isSdkTest(e.from) && !inArea(e.to, "sdk/src"));
    expect(outward.map((e) => `${e.from} -> ${e.to}`)).to.deep.equal([]);
  });

  it("the test kit imports none of its users (test/, scripts/, tasks/)", function () {
    const violations = edges
      .filter((e) => inArea(e.from, "testkit"))
      .map((e) => layeringViolation(e))
      .filter(Boolean);
    expect(violations).to.deep.equal([]);
    // It is used: by the SDK's colocated tests, the scripts and the tests.
    const users = new Set(edges.filter((e) => inArea(e.to, "testkit") && !inArea(e.from, "testkit")).map((e) => areaOf(e.from)));
    expect([...users]).to.include.members(["sdk", "scripts", "test"]);
  });

  it("the Ignition modules import only ignition/ (the defaults live with deployment)", function () {
    const violations = edges
      .filter((e) => inArea(e.from, "ignition"))
      .map((e) => layeringViolation(e))
      .filter(Boolean);
    expect(violations).to.deep.equal([]);
  });

  it("the scripts, tasks and tests import the SDK only through its public entries", function () {
    expect(SDK_ENTRIES).to.include.members([
      "sdk/src/index.ts",
      "sdk/src/browser.ts",
      "sdk/src/daemon/index.ts",
      "sdk/src/cli/hashwork.ts",
    ]);
    for (const entry of SDK_ENTRIES) expect(existsSync(join(REPO_ROOT, entry)), entry).to.equal(true);
    const users = edges.filter((e) => SDK_USERS.some((a) => inArea(e.from, a)) && inArea(e.to, "sdk/src"));
    expect(users.length, "edges from scripts/tasks/tests into the SDK").to.be.greaterThan(20);
    expect(users.map((e) => layeringViolation(e)).filter(Boolean)).to.deep.equal([]);
  });

  it("the indexer imports only indexer/ and the SDK", function () {
    const violations = edges
      .filter((e) => inArea(e.from, "indexer"))
      .map((e) => layeringViolation(e))
      .filter(Boolean);
    expect(violations).to.deep.equal([]);
    expect(edges).to.deep.include({ from: "indexer/ponder.config.ts", to: "sdk/src/abi/index.ts" });
    expect(violates("indexer/lib/routes.ts", "testkit/local-cluster.ts")).to.match(/the indexer imports only indexer\/ and the SDK/);
  });

  it("no edge of the whole graph breaks a rule", function () {
    expect(edges.map((e) => layeringViolation(e)).filter(Boolean)).to.deep.equal([]);
  });

  describe("the rule can fail (synthetic edges)", function () {
    const violates = (from: string, to: string) => layeringViolation({ from, to });

    it("refuses an import of a higher layer", function () {
      expect(violates("sdk/src/utils/write.ts", "sdk/src/actions/provider/stake.ts")).to.match(
        /utils \(layer 3\) may not import actions \(layer 4, above it\)/,
      );
      expect(violates("sdk/src/abi/enums.ts", "sdk/src/errors/base.ts")).to.match(/abi \(layer 0\) may not import errors/);
      expect(violates("sdk/src/daemon/daemon.ts", "sdk/src/cli/hashwork.ts")).to.match(/daemon .* may not import cli/);
      expect(violates("sdk/src/actions/requester/post-job.ts", "sdk/src/index.ts")).to.match(/above it/);
    });

    it("refuses an import between two units of one layer", function () {
      expect(violates("sdk/src/store/local.ts", "sdk/src/executor/result-hash.ts")).to.match(/share layer 2/);
    });

    it("refuses an SDK file importing the test kit, tests, scripts or tasks, or anything else outside sdk/src", function () {
      expect(violates("sdk/src/daemon/daemon.ts", "testkit/local-cluster.ts")).to.match(/must not import testkit\//);
      expect(violates("sdk/src/cli/deploy.ts", "scripts/lib/ignition.ts")).to.match(/must not import scripts\//);
      expect(violates("sdk/src/utils/write.ts", "test/helpers/fixtures.ts")).to.match(/must not import test\//);
      expect(violates("sdk/src/cli/hashwork.ts", "tasks/index.ts")).to.match(/must not import tasks\//);
      expect(violates("sdk/src/actions/requester/post-job.ts", "ignition/parameters/defaults.ts")).to.match(/imports only sdk\/src/);
    });

    it("refuses a unit no layer lists", function () {
      expect(violates("sdk/src/new-folder/x.ts", "sdk/src/abi/enums.ts")).to.match(/in no layer/);
      expect(violates("sdk/src/cli/x.ts", "sdk/src/new-folder/y.ts")).to.match(/in no layer/);
    });

    it("refuses the test kit importing its users, and Ignition importing outside ignition/", function () {
      expect(violates("testkit/local-cluster.ts", "scripts/lib/processes.ts")).to.match(/test kit must not import scripts\//);
      expect(violates("testkit/fixtures.ts", "test/helpers/fixtures.ts")).to.match(/test kit must not import test\//);
      expect(violates("ignition/modules/Hashwork.ts", "testkit/local-cluster.ts")).to.match(/import only ignition\//);
    });

    it("refuses a script, task or test importing an SDK module that is not a public entry", function () {
      expect(violates("scripts/demo.ts", "sdk/src/utils/write.ts")).to.match(/scripts\/ imports the SDK only through its public entries/);
      expect(violates("tasks/audit.ts", "sdk/src/utils/logs.ts")).to.match(/tasks\/ imports the SDK only through its public entries/);
      expect(violates("test/docs/commands.ts", "sdk/src/cli/args.ts")).to.match(/test\/ imports the SDK only through its public entries/);
      expect(violates("scripts/lib/fund.ts", "sdk/src/index.ts")).to.equal(undefined);
      expect(violates("tasks/lib.ts", "sdk/src/cli/hashwork.ts")).to.equal(undefined);
      expect(violates("test/tasks/hashwork-tasks.ts", "sdk/src/daemon/index.ts")).to.equal(undefined);
      // The test kit and the SDK's own colocated tests are not users: they may reach inside.
      expect(violates("testkit/local-cluster.ts", "sdk/src/utils/results.ts")).to.equal(undefined);
    });

    it("refuses an example importing anything but the SDK (its test may use the test kit)", function () {
      expect(violates("sdk/examples/quickstart.ts", "testkit/local-cluster.ts")).to.match(/an example imports only the SDK/);
      expect(violates("sdk/examples/quickstart.test.ts", "testkit/daemon-testbed.ts")).to.equal(undefined);
      expect(violates("sdk/examples/quickstart.ts", "sdk/src/index.ts")).to.equal(undefined);
    });

    it("allows what the layering allows", function () {
      expect(violates("sdk/src/cli/provider-start.ts", "sdk/src/daemon/daemon.ts")).to.equal(undefined);
      expect(violates("sdk/src/actions/provider/stake.ts", "sdk/src/utils/write.ts")).to.equal(undefined);
      expect(violates("sdk/src/daemon/roles/provider.ts", "sdk/src/daemon/journal.ts")).to.equal(undefined);
      expect(violates("sdk/src/daemon/e2e.test.ts", "testkit/daemon-testbed.ts")).to.equal(undefined);
      expect(violates("testkit/local-cluster.ts", "sdk/src/actions/verifier/bond-verifier.ts")).to.equal(undefined);
      expect(violates("testkit/fixtures.ts", "ignition/parameters/defaults.ts")).to.equal(undefined);
      expect(violates("scripts/demo.ts", "testkit/local-cluster.ts")).to.equal(undefined);
    });

    it("finds a violation planted in a real graph", function () {
      const planted = [...edges, { from: "sdk/src/utils/write.ts", to: "sdk/src/daemon/daemon.ts" }];
      expect(planted.map((e) => layeringViolation(e)).filter(Boolean)).to.have.lengthOf(1);
    });

    it("finds an internal SDK import planted in a script's source", function () {
      const source = `import { sendContractTransaction } from "../sdk/src/utils/write.ts";\nimport { postJob } from "../sdk/src/index.ts";`;
      const planted = importSpecifiers(source).map((specifier) => ({ from: "scripts/demo.ts", to: toPosix(join("scripts", specifier)) }));
      expect(planted.map((e) => layeringViolation(e)).filter(Boolean)).to.deep.equal([
        `scripts/demo.ts imports sdk/src/utils/write.ts: scripts/ imports the SDK only through its public entries (sdk/package.json "exports": ${SDK_ENTRIES.join(", ")})`,
      ]);
    });
  });
});
