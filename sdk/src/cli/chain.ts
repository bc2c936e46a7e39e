import { createServer } from "node:net";

import type { Command } from "./args.ts";
import { CliError } from "./errors.ts";
import { runHardhat } from "./hardhat.ts";
import { parseInteger, stringOption } from "./values.ts";

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** `hashwork chain`: a local Hardhat node in the foreground. */
export const chain: Command = {
  path: ["chain"],
  summary: "Run a local Hardhat node (chain id 31337, funded test accounts) until Ctrl-C",
  options: {
    port: { type: "string", placeholder: "PORT", description: "JSON-RPC port (default 8545; 0: a free one, which the node prints)" },
    host: { type: "string", placeholder: "HOST", description: "address to listen on (default 127.0.0.1)" },
  },
  notes: `Then, in another terminal: hashwork deploy --network localhost
The node prints its funded accounts and their private keys (well-known test keys: never use them on a real network).`,
  async run(options) {
    // 0 lets the kernel pick: no race between choosing a free port and the node binding it.
    const port = Number(parseInteger(stringOption(options.port) ?? "8545", "--port", { min: 0n, max: 65535n }));
    const host = stringOption(options.host) ?? "127.0.0.1";
    if (!(await portFree(host, port))) throw new CliError(`${host}:${port} is already in use (is a node running? pick another --port)`);
    return runHardhat(["node", "--hostname", host, "--port", String(port)]);
  },
};
