/** Default cap on content read over HTTP or by `fetchVerified` (64 MiB). */
export const DEFAULT_MAX_CONTENT_BYTES = 64 * 1024 * 1024;

/** Default cap on an upload a content server accepts (64 MiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** Default time allowed for one HTTP request, body included (30 s). */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/** Header a content server sets on a 413 reply: its upload limit in bytes. */
export const MAX_UPLOAD_BYTES_HEADER = "x-max-upload-bytes";

/** Default number of redirects a content fetch follows (each target vetted again). */
export const DEFAULT_MAX_REDIRECTS = 5;
