// The SDK keeps each test beside the file it tests (`sdk/src/**/x.test.ts`, viem style).
// Hardhat's mocha runner reads one folder, so this file loads those colocated tests into
// the same run; they register their `describe`s on import.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const sdkRoot = fileURLToPath(new URL("../sdk/", import.meta.url));

function colocatedTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : colocatedTests(path);
      return entry.name.endsWith(".test.ts") ? [path] : [];
    })
    .sort((a, b) => relative(sdkRoot, a).localeCompare(relative(sdkRoot, b)));
}

for (const file of colocatedTests(sdkRoot)) await import(pathToFileURL(file).href);
