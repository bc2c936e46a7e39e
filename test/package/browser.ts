// The SDK's browser-safe entry (`@hashwork/sdk/browser`, and `@hashwork/sdk` under a bundler's
// `browser` condition) loads no Node built-in: the client and every chain action can be bundled
// for a browser. The main entry (`@hashwork/sdk`, Node) adds the content stores, which do.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { builtinImportsOf } from "./import-graph.ts";

const SDK = fileURLToPath(new URL("../../sdk/", import.meta.url));
const describeBuiltins = (builtins: { file: string; specifier: string }[]) =>
  builtins.map((b) => `${relative(SDK, b.file)} imports ${b.specifier}`).join("\n");

describe("SDK browser entry: no node: imports when it loads", function () {
  it("sdk/src/browser.ts reaches the client, every action and the ABIs without importing a Node built-in", function () {
    const { files, builtins } = builtinImportsOf(`${SDK}src/browser.ts`);
    expect(builtins, describeBuiltins(builtins)).to.deep.equal([]);
    for (const part of [
      "client.ts",
      "actions/requester/post-job.ts",
      "actions/requester/fetch-job-output.ts",
      "deployments.ts",
      "abi/index.ts",
    ]) {
      expect(files).to.include(`${SDK}src/${part}`);
    }
  });

  it("the main entry is the browser entry plus the Node-only content stores", function () {
    const { builtins } = builtinImportsOf(`${SDK}src/index.ts`);
    expect(builtins.map((b) => relative(SDK, b.file)).every((f) => f.startsWith("src/store/"))).to.equal(true, describeBuiltins(builtins));
  });

  it("the package maps `./browser` and the `browser` condition of `.` to the built browser entry", function () {
    const pkg = JSON.parse(readFileSync(`${SDK}package.json`, "utf8"));
    expect(pkg.exports["./browser"].default).to.equal("./dist/browser.js");
    expect(pkg.exports["."].browser.default).to.equal("./dist/browser.js");
  });
});
