// Content stores: content addressed by keccak256(bytes) and verified on every fetch.
export type { ContentStore, ContentStream, GetContentOptions } from "./types.ts";
export {
  ContentHashMismatchError,
  ContentNotFoundError,
  ContentTooLargeError,
  ContentUnavailableError,
  ContentUploadRefusedError,
  ContentUriRefusedError,
  InvalidContentHashError,
  InvalidIpfsDagError,
  IpfsBlockMismatchError,
  UnsupportedUriError,
  type ContentErrorType,
} from "./errors.ts";
export { hashContent, isContentHash, normalizeContentHash, verifyContent } from "./hash.ts";
export { hashContentAsync, verifyContentAsync } from "./hash-async.ts";
export {
  createAddressPolicy,
  isPublicAddress,
  type AddressPolicy,
  type NetworkAccessOptions,
} from "./address-policy.ts";
export { createLocalStore, type CreateLocalStoreParameters, type LocalStore, type PruneLocalStoreParameters } from "./local.ts";
export { createHttpStore, type CreateHttpStoreParameters, type HttpStore } from "./http.ts";
export {
  createContentServer,
  type ContentRouteHandler,
  type ContentServer,
  type CreateContentServerParameters,
} from "./server.ts";
export {
  fetchVerified,
  type ContentResolver,
  type FetchVerifiedErrorType,
  type FetchVerifiedParameters,
  type FetchVerifiedReturnType,
} from "./fetch-verified.ts";
export { contentUri, httpContentUri, localContentUri } from "./uri.ts";
export { buildIpfsDag, computeCid, ipfsUri, parseIpfsUri, IPFS_CHUNK_BYTES, type IpfsBlock, type IpfsDag } from "./ipfs-cid.ts";
export { encodeCar, readCarBlocks } from "./ipfs-car.ts";
export { readUnixfsFile, verifyIpfsBlock, MAX_IPFS_DAG_DEPTH, MAX_IPFS_DAG_NODES } from "./ipfs-dag.ts";
export { createIpfsResolver, IPLD_CAR, IPLD_RAW, type CreateIpfsResolverParameters } from "./ipfs-fetch.ts";
export {
  DEFAULT_HTTP_TIMEOUT_MS,
  DEFAULT_MAX_CONTENT_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_UPLOAD_BYTES,
  MAX_UPLOAD_BYTES_HEADER,
} from "./limits.ts";
