// Writes the provider daemon config's JSON Schema (for editors: `"$schema"` in a config file)
// from the zod schema in sdk/src/daemon/config-schema.ts. `--check` only compares: exit 1 when
// the committed file is stale. The SDK tests check it too (sdk/src/daemon/config.test.ts).
//
//   npm run generate:config-schema [-- --check]
import { readFile, writeFile } from "node:fs/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

import { DAEMON_CONFIG_SCHEMA_FILE, daemonConfigJsonSchemaText } from "../sdk/src/daemon/index.ts";

const file = fileURLToPath(DAEMON_CONFIG_SCHEMA_FILE);
const shown = relative(process.cwd(), file);
const text = daemonConfigJsonSchemaText();
const current = await readFile(file, "utf8").catch(() => undefined);

if (process.argv.includes("--check")) {
  if (current !== text) {
    console.error(`${shown} is stale: run npm run generate:config-schema`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else if (current === text) {
  console.log(`${shown} unchanged`);
} else {
  await writeFile(file, text);
  console.log(`wrote ${shown}`);
}
