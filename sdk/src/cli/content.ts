/**
 * `hashwork content serve` and `hashwork content put`: make a requester's program and input
 * reachable by providers. `serve` runs the SDK's content server over a directory store (the same
 * default directory as `job post --store`) in the foreground; `put` stores one file and prints its
 * hash and URI.
 */
import { mkdir } from "node:fs/promises";

import { computeCid, ipfsUri } from "../store/ipfs-cid.ts";
import { createLocalStore } from "../store/local.ts";
import { createContentServer } from "../store/server.ts";
import { UsageError, type Command } from "./args.ts";
import { CliError } from "./errors.ts";
import { DEFAULT_STORE_DIR, openStore, readInputFile } from "./job-post.ts";
import { formatFields, printJson, printLine } from "./output.ts";
import { parseInteger, stringOption } from "./values.ts";

export const DEFAULT_CONTENT_PORT = 8080;

/** `hashwork content serve`: a content server over a directory, until SIGINT/SIGTERM. */
export const contentServe: Command = {
  path: ["content", "serve"],
  summary: "Serve a content directory over HTTP at /content/<hash> and /ipfs/<cid> (verified reads) until Ctrl-C",
  options: {
    dir: {
      type: "string",
      placeholder: "DIR",
      description: `the directory store to serve (default: HASHWORK_STORE or ${DEFAULT_STORE_DIR})`,
    },
    port: { type: "string", placeholder: "PORT", description: `port to listen on (default ${DEFAULT_CONTENT_PORT}; 0: any free port)` },
    host: { type: "string", placeholder: "HOST", description: "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)" },
    "allow-uploads": { type: "boolean", description: "accept PUT /content/<hash> (the body must hash to <hash>); off by default" },
    json: { type: "boolean", description: "print one JSON line { url, dir, uploads } once listening, then keep serving" },
  },
  notes: `Examples:
  hashwork content serve                                  # .hashwork/content at http://127.0.0.1:8080
  hashwork job post ... --public-url http://127.0.0.1:8080
  hashwork content serve --dir ./content --host 0.0.0.0 --port 8080   # reachable from other machines
Every read is re-hashed before it is sent: a corrupted file gives 500, never wrong bytes.
CIDs that job post --ipfs recorded in the directory are served as an IPFS trustless gateway:
/ipfs/<cid>?format=raw (one block) and ?format=car (the whole DAG); list it in providers' content.ipfsGateways.
With --host 0.0.0.0, pass the address others reach this machine at as --public-url.`,
  async run(options) {
    const port = Number(parseInteger(stringOption(options.port) ?? String(DEFAULT_CONTENT_PORT), "--port", { max: 65535n }));
    const host = stringOption(options.host) ?? "127.0.0.1";
    const uploads = options["allow-uploads"] === true;
    const dir = stringOption(options.dir) ?? process.env.HASHWORK_STORE ?? DEFAULT_STORE_DIR;
    if (/^https?:\/\//.test(dir)) {
      const source = options.dir !== undefined ? "--dir" : "HASHWORK_STORE";
      throw new UsageError(`${source} is a URL ("${dir}"); content serve serves a directory: pass --dir DIR`);
    }
    const store = createLocalStore({ dir });
    try {
      await mkdir(store.dir, { recursive: true });
    } catch (error) {
      throw new CliError(`--dir ${store.dir}: cannot create the directory (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    const server = createContentServer({
      store,
      host,
      port,
      allowUploads: uploads,
      onError: (error, request) => {
        const text = error instanceof Error ? error.message.split("\n")[0] : String(error);
        process.stderr.write(`hashwork: ${request.method ?? "GET"} ${request.url ?? "/"}: ${text}\n`);
      },
    });
    let url: string;
    try {
      url = await server.start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") throw new CliError(`${host}:${port} is already in use (is a content server running? pick another --port)`);
      if (code === "EACCES")
        throw new CliError(`${host}:${port}: permission denied (ports below 1024 need privileges; pick another --port)`);
      if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new CliError(`--host ${host}: not an address of this machine`);
      throw error;
    }
    if (options.json === true) process.stdout.write(`${JSON.stringify({ url, dir: store.dir, uploads })}\n`);
    else {
      printLine(url);
      process.stderr.write(
        `Serving ${store.dir} at ${url}/content/<hash> and ${url}/ipfs/<cid> (uploads ${uploads ? "on" : "off"}); Ctrl-C to stop\n`,
      );
    }
    // `on`, not `once`: a Ctrl-C reaches both the bin shim and this process, and the shim
    // forwards it, so a second signal must not fall through to the default (kill) handler.
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        process.on("SIGINT", ignore);
        process.on("SIGTERM", ignore);
        server.close({ graceMs: 1000 }).then(resolve, resolve);
      };
      const ignore = () => {};
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    });
    return 0;
  },
};

/** `hashwork content put FILE`: stores a file, prints its hash and URI. */
export const contentPut: Command = {
  path: ["content", "put"],
  summary: "Store a file in a content store and print its hash and URI",
  args: [{ name: "FILE", description: "the file to store" }],
  options: {
    store: {
      type: "string",
      placeholder: "DIR|URL",
      description: `a directory, or a content server URL accepting uploads (default: HASHWORK_STORE or ${DEFAULT_STORE_DIR})`,
    },
    "public-url": {
      type: "string",
      placeholder: "URL",
      description: "the URL a directory --store is served at; the printed URI points there (default: HASHWORK_PUBLIC_URL)",
    },
    ipfs: { type: "boolean", description: "print (and record in the store) its ipfs://<CIDv1> URI instead" },
    json: { type: "boolean", description: "print one JSON document { hash, uri, bytes, store }" },
  },
  notes: `Examples:
  hashwork content put seed.bin --public-url http://127.0.0.1:8080
  hashwork content put seed.bin --ipfs                                                # ipfs://bafkrei…
  hashwork content put seed.bin --store http://127.0.0.1:8080 --json | jq -r .uri   # server started with --allow-uploads`,
  async run(options, args) {
    const file = args.FILE!;
    const bytes = await readInputFile(file, "FILE");
    const { store, uriFor, describe } = openStore(options);
    const put = await store.put(bytes);
    let uri = uriFor ? uriFor(put.hash) : put.uri;
    if (options.ipfs === true) {
      const cid = await computeCid(bytes);
      await store.recordCid?.(cid, put.hash);
      uri = ipfsUri(cid);
    }
    if (options.json === true) {
      printJson({ hash: put.hash, uri, bytes: bytes.byteLength, store: describe });
      return 0;
    }
    printLine(
      formatFields([
        ["hash", put.hash],
        ["uri", uri],
        ["bytes", String(bytes.byteLength)],
        ["store", describe],
      ]),
    );
    return 0;
  },
};
