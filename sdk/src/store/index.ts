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
export {
  DEFAULT_HTTP_TIMEOUT_MS,
  DEFAULT_MAX_CONTENT_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_UPLOAD_BYTES,
  MAX_UPLOAD_BYTES_HEADER,
} from "./limits.ts";
