import type { IncomingMessage, ServerResponse } from "node:http";
import type { Hex } from "viem";

import { ContentNotFoundError, UnsupportedUriError } from "./errors.ts";
import { isContentHash, normalizeContentHash } from "./hash.ts";
import { encodeCar } from "./ipfs-car.ts";
import { buildIpfsDag, parseJobCid, type IpfsDag } from "./ipfs-cid.ts";
import { IPLD_CAR, IPLD_RAW } from "./ipfs-fetch.ts";
import type { ContentStore } from "./types.ts";

export const IPFS_PREFIX = "/ipfs/";

/** Reply helper the content server passes in (plain text, optional connection close). */
export type SendText = (response: ServerResponse, status: number, text: string, options?: { close?: boolean }) => void;

/**
 * The trustless-gateway subset of the IPFS HTTP gateway spec over a content store whose CIDs are
 * recorded (`store.recordCid` / `store.hashOfCid`):
 * - `GET`/`HEAD /ipfs/<cid>?format=raw` (or `Accept: application/vnd.ipld.raw`): the root block;
 *   for a raw CID (content up to 1 MiB) that is the content itself.
 * - `GET`/`HEAD /ipfs/<cid>?format=car` (or `Accept: application/vnd.ipld.car`): a CARv1 of the
 *   whole DAG (`dag-scope=all`, blocks in `order=unk`: leaves first, the root last).
 * - `GET /ipfs/<cid>` with neither: the file's bytes, as a path gateway would serve them.
 * - `PUT /ipfs/<cid>` with body `0x<keccak256>` (only with uploads allowed): records that `cid`
 *   names content the store already holds, after rebuilding its DAG and checking the CID (400 if
 *   it is not that content's CID, 404 if the content is absent).
 * The DAG is rebuilt from the stored (verified) bytes for every request, streamed from disk so
 * hashing alternates with reads; only CIDs of the `unixfs-v1-2025` layout can be recorded, so
 * the rebuilt DAG is always the one the CID names. Child blocks are served inside the CAR, not
 * by their own CIDs.
 */
export function createIpfsGatewayHandler({
  store,
  allowUploads,
  sendText,
}: {
  store: ContentStore;
  allowUploads: boolean;
  sendText: SendText;
}): (request: IncomingMessage, response: ServerResponse, path: string) => Promise<void> {
  async function dagOf(hash: Hex): Promise<IpfsDag> {
    // A store that streams serves verified bytes from disk; any other verifies on `get`.
    if (store.stream) {
      const { stream } = await store.stream(hash);
      return buildIpfsDag(stream as AsyncIterable<Uint8Array>);
    }
    return buildIpfsDag(await store.get(hash));
  }

  async function record(request: IncomingMessage, response: ServerResponse, cidText: string) {
    if (!allowUploads || !store.recordCid) return sendText(response, 403, "Uploads are disabled on this server", { close: true });
    const body = (await readSmallBody(request, 200)).trim();
    if (!isContentHash(body)) return sendText(response, 400, "Body must be the content's keccak256: 0x followed by 64 hex digits");
    const hash = normalizeContentHash(body);
    if (!(await store.has(hash))) return sendText(response, 404, "Content not found");
    const dag = await dagOf(hash);
    if (dag.cid.toString() !== cidText) {
      return sendText(response, 400, `${hash} has the CID ${dag.cid} (unixfs-v1-2025), not ${cidText}`);
    }
    await store.recordCid(cidText, hash);
    response.writeHead(201, { "content-type": "application/json" });
    response.end(JSON.stringify({ cid: cidText, hash }));
  }

  return async function handle(request, response, path) {
    const cidText = path.slice(IPFS_PREFIX.length);
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD" && method !== "PUT") {
      response.setHeader("allow", allowUploads ? "GET, HEAD, PUT" : "GET, HEAD");
      return sendText(response, 405, "Method not allowed", { close: true });
    }
    try {
      parseJobCid(cidText, `ipfs://${cidText}`);
    } catch (error) {
      const reason = error instanceof UnsupportedUriError ? (error.details ?? error.shortMessage) : "not a CID";
      return sendText(response, 400, `Unsupported CID: ${reason}`, { close: method === "PUT" });
    }
    if (method === "PUT") return record(request, response, cidText);

    const format = requestedFormat(request);
    if (format === "bad") return sendText(response, 400, "Supported formats: raw, car (dag-scope=all)");
    const hash = store.hashOfCid ? await store.hashOfCid(cidText) : undefined;
    if (!hash) return sendText(response, 404, "CID not known to this gateway");
    let dag: IpfsDag;
    try {
      dag = await dagOf(hash);
    } catch (error) {
      if (error instanceof ContentNotFoundError) return sendText(response, 404, "CID not known to this gateway");
      throw error;
    }
    if (dag.cid.toString() !== cidText) throw new Error(`Recorded CID ${cidText} no longer matches ${hash} (${dag.cid})`);
    const common = {
      "cache-control": "public, max-age=29030400, immutable",
      "x-content-type-options": "nosniff",
      "x-ipfs-path": `/ipfs/${cidText}`,
      "x-ipfs-roots": cidText,
    };
    let body: Uint8Array;
    let headers: Record<string, string | number>;
    if (format === "raw") {
      body = dag.blocks.find((b) => b.cid.equals(dag.cid))!.bytes;
      headers = {
        ...common,
        "content-type": IPLD_RAW,
        etag: `"${cidText}.raw"`,
        "content-disposition": `attachment; filename="${cidText}.bin"`,
      };
    } else if (format === "car") {
      body = encodeCar(dag.cid, dag.blocks);
      headers = {
        ...common,
        "content-type": `${IPLD_CAR}; version=1`,
        etag: `"${cidText}.car"`,
        "content-disposition": `attachment; filename="${cidText}.car"`,
      };
    } else {
      body = await store.get(hash);
      headers = { ...common, "content-type": "application/octet-stream", etag: `"${cidText}"` };
    }
    response.writeHead(200, { ...headers, "content-length": body.byteLength });
    response.end(method === "HEAD" ? undefined : body);
  };
}

/** `raw`, `car`, `file` (neither asked for) or `bad` (another format, or a partial CAR). */
function requestedFormat(request: IncomingMessage): "raw" | "car" | "file" | "bad" {
  const query = new URL(request.url ?? "/", "http://gateway").searchParams;
  const scope = query.get("dag-scope");
  if ((scope !== null && scope !== "all") || query.has("entity-bytes")) return "bad";
  const format = query.get("format");
  if (format === "raw" || format === "car") return format;
  if (format !== null) return "bad";
  const accept = request.headers.accept ?? "";
  if (accept.includes(IPLD_RAW)) return "raw";
  if (accept.includes(IPLD_CAR)) return accept.includes("version=2") ? "bad" : "car";
  return "file";
}

/** A short request body as text (at most `max` bytes; more is cut off). */
async function readSmallBody(request: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > max) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
