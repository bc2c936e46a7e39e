import type { Hex } from "viem";

import { HashworkError } from "../errors/base.ts";

/**
 * The bytes fetched from `source` do not hash to the hash they were requested by. The bytes
 * are discarded: a store never returns content that failed verification.
 *
 * @example
 * try { await fetchVerified(uri, hash) } catch (e) {
 *   if (e instanceof ContentHashMismatchError) console.error(e.source, e.actualHash)
 * }
 */
export class ContentHashMismatchError extends HashworkError {
  override name = "ContentHashMismatchError";
  readonly expectedHash: Hex;
  readonly actualHash: Hex;
  /** Where the bytes came from (a URI or a store description). */
  readonly source: string;

  constructor({ expectedHash, actualHash, source }: { expectedHash: Hex; actualHash: Hex; source: string }) {
    super("Content does not match its hash", {
      metaMessages: [`expected: ${expectedHash}`, `actual:   ${actualHash}`, `source:   ${source}`],
    });
    this.expectedHash = expectedHash;
    this.actualHash = actualHash;
    this.source = source;
  }
}

/**
 * No content with this hash at `source`.
 *
 * @example
 * if (e instanceof ContentNotFoundError) console.error(`${e.hash} is not in ${e.source}`)
 */
export class ContentNotFoundError extends HashworkError {
  override name = "ContentNotFoundError";
  readonly hash: Hex;
  readonly source: string;

  constructor({ hash, source, cause }: { hash: Hex; source: string; cause?: unknown }) {
    super("Content not found", { metaMessages: [`hash:   ${hash}`, `source: ${source}`], cause });
    this.hash = hash;
    this.source = source;
  }
}

/**
 * Content is larger than the caller's (or the server's) byte limit. `size` is the declared or
 * on-disk size when known, otherwise the number of bytes received before giving up (a lower
 * bound).
 *
 * @example
 * if (e instanceof ContentTooLargeError) console.error(`limit is ${e.maxBytes} bytes`)
 */
export class ContentTooLargeError extends HashworkError {
  override name = "ContentTooLargeError";
  readonly maxBytes: number;
  readonly size?: number;
  readonly source: string;

  constructor({ maxBytes, size, source }: { maxBytes: number; size?: number; source: string }) {
    super(`Content exceeds the ${maxBytes}-byte limit`, {
      metaMessages: [...(size === undefined ? [] : [`size:   ${size} bytes`]), `source: ${source}`],
    });
    this.maxBytes = maxBytes;
    this.size = size;
    this.source = source;
  }
}

/**
 * The content could not be read: a network or disk failure, a timeout, or an unexpected server
 * reply. `retryable` says whether trying again later may succeed (timeouts, connection errors,
 * 5xx and 429 replies are retryable; other 4xx replies are not). `status` is the HTTP status
 * when a server replied.
 *
 * @example
 * if (e instanceof ContentUnavailableError && e.retryable) await retryLater()
 */
export class ContentUnavailableError extends HashworkError {
  override name = "ContentUnavailableError";
  readonly retryable: boolean;
  readonly source: string;
  readonly status?: number;
  /** The source did not answer in full within the time allowed (a slow or trickling server). */
  readonly timedOut: boolean;

  constructor({
    source,
    retryable,
    status,
    details,
    cause,
    timedOut = false,
  }: {
    source: string;
    retryable: boolean;
    status?: number;
    details?: string;
    cause?: unknown;
    timedOut?: boolean;
  }) {
    super("Content is unavailable", {
      metaMessages: [`source:    ${source}`, ...(status === undefined ? [] : [`status:    ${status}`]), `retryable: ${retryable}`],
      details: details ?? (cause instanceof Error ? cause.message : undefined),
      cause,
    });
    this.retryable = retryable;
    this.source = source;
    this.status = status;
    this.timedOut = timedOut;
  }
}

/**
 * A content URI whose scheme no resolver handles (built in: `file:`, `http:`, `https:`), or a
 * string that is not a URI at all.
 *
 * @example
 * if (e instanceof UnsupportedUriError) console.error(`cannot fetch ${e.uri}`)
 */
export class UnsupportedUriError extends HashworkError {
  override name = "UnsupportedUriError";
  readonly uri: string;
  /** The URI's scheme with its colon (`"ipfs:"`), or undefined when `uri` does not parse. */
  readonly scheme?: string;

  constructor({ uri, scheme, details }: { uri: string; scheme?: string; details?: string }) {
    super(scheme === undefined ? "Not a content URI" : `Unsupported content URI scheme "${scheme}"`, {
      metaMessages: [`uri: ${uri}`],
      details,
    });
    this.uri = uri;
    this.scheme = scheme;
  }
}

/**
 * A content URI the fetch policy will not follow: its host is (or resolves to, or redirects to)
 * a loopback, private, link-local or otherwise non-public address. By default content is fetched
 * from public addresses only, so a URI posted by a stranger cannot aim the fetch at the
 * fetcher's own machine or network. `address` is the refused address (when one was resolved);
 * `option` names the setting that would allow it.
 *
 * @example
 * if (e instanceof ContentUriRefusedError) console.error(`${e.uri} -> ${e.address}: ${e.reason}`)
 */
export class ContentUriRefusedError extends HashworkError {
  override name = "ContentUriRefusedError";
  readonly uri: string;
  readonly host: string;
  readonly address?: string;
  readonly reason: string;
  readonly option: string;

  constructor({
    uri,
    host,
    address,
    reason,
    option = "allowHosts or allowPrivateNetworks (daemon config: fetch.allowHosts, fetch.allowPrivateNetworks)",
  }: {
    uri: string;
    host: string;
    address?: string;
    reason: string;
    option?: string;
  }) {
    super("Content URI refused", {
      metaMessages: [
        `uri:     ${uri}`,
        `host:    ${host}`,
        ...(address === undefined ? [] : [`address: ${address}`]),
        `reason:  ${reason}`,
      ],
      details: `Content is fetched from public addresses only; to reach this host, set ${option}.`,
    });
    this.uri = uri;
    this.host = host;
    this.address = address;
    this.reason = reason;
    this.option = option;
  }
}

/**
 * A content hash that is not 32 bytes of 0x-prefixed hex.
 *
 * @example
 * if (e instanceof InvalidContentHashError) console.error(`bad hash: ${e.value}`)
 */
export class InvalidContentHashError extends HashworkError {
  override name = "InvalidContentHashError";
  readonly value: string;

  constructor({ value }: { value: string }) {
    super("Invalid content hash", {
      metaMessages: [`value: ${value.length > 80 ? `${value.slice(0, 80)}…` : value}`],
      details: "A content hash is keccak256 of the bytes: 0x followed by 64 hex digits.",
    });
    this.value = value;
  }
}

/**
 * A content server refused an upload: uploads are disabled there (403), or it rejected the body
 * (400, e.g. the bytes do not hash to the hash in the path).
 *
 * @example
 * if (e instanceof ContentUploadRefusedError) console.error(e.status, e.details)
 */
export class ContentUploadRefusedError extends HashworkError {
  override name = "ContentUploadRefusedError";
  readonly status: number;
  readonly source: string;

  constructor({ status, source, reason }: { status: number; source: string; reason?: string }) {
    super("Upload refused by the content server", {
      metaMessages: [`source: ${source}`, `status: ${status}`],
      details: reason || undefined,
    });
    this.status = status;
    this.source = source;
  }
}

/**
 * A block an IPFS gateway returned does not hash to its CID (a lying or corrupted gateway). The
 * bytes are dropped; the next configured gateway is tried.
 * @example
 * if (e instanceof IpfsBlockMismatchError) console.error(`${e.source} sent a wrong block for ${e.cid}`)
 */
export class IpfsBlockMismatchError extends HashworkError {
  override name = "IpfsBlockMismatchError";
  /** The CID the block was sent for. */
  readonly cid: string;
  /** The gateway URL it came from. */
  readonly source: string;

  constructor({ cid, source }: { cid: string; source: string }) {
    super("IPFS block does not match its CID", { metaMessages: [`cid:    ${cid}`, `source: ${source}`] });
    this.cid = cid;
    this.source = source;
  }
}

/**
 * The blocks behind an `ipfs://` CID do not form one UnixFS file within the limits: a block is
 * missing from the gateway's CAR, a node is not a file (a directory, a symlink), its sizes do not
 * add up, or the DAG is too deep. `reason` says which.
 * @example
 * if (e instanceof InvalidIpfsDagError) console.error(`${e.cid}: ${e.reason}`)
 */
export class InvalidIpfsDagError extends HashworkError {
  override name = "InvalidIpfsDagError";
  readonly cid: string;
  readonly source: string;
  readonly reason: string;

  constructor({ cid, source, reason }: { cid: string; source: string; reason: string }) {
    super("IPFS content is not a valid UnixFS file", { metaMessages: [`cid:    ${cid}`, `source: ${source}`], details: reason });
    this.cid = cid;
    this.source = source;
    this.reason = reason;
  }
}

/** Every error a content store, the content client or `fetchVerified` throws on purpose. */
export type ContentErrorType =
  | ContentHashMismatchError
  | ContentNotFoundError
  | ContentTooLargeError
  | ContentUnavailableError
  | UnsupportedUriError
  | ContentUriRefusedError
  | InvalidContentHashError
  | ContentUploadRefusedError
  | IpfsBlockMismatchError
  | InvalidIpfsDagError;
