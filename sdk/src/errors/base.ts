/**
 * Root of every error the SDK throws. Callers catch `HashworkError` (or a subclass) and
 * read `shortMessage` for one line, `details` for the underlying reason.
 *
 * @example
 * try { await fetchVerified(store, hash) } catch (e) {
 *   if (e instanceof ContentHashMismatchError) console.error(e.shortMessage)
 * }
 */
export type HashworkErrorOptions = {
  /** Extra context shown after the short message (one or more lines). */
  details?: string;
  /** The error that caused this one, if any. */
  cause?: unknown;
  /** Key/value pairs worth showing (ids, addresses, hashes). */
  metaMessages?: string[];
};

export class HashworkError extends Error {
  override name = "HashworkError";
  /** One line, no trailing period, safe to print to a terminal. */
  readonly shortMessage: string;
  readonly details?: string;
  readonly metaMessages?: string[];

  constructor(shortMessage: string, options: HashworkErrorOptions = {}) {
    const lines = [shortMessage, ...(options.metaMessages ?? [])];
    if (options.details) lines.push("", `Details: ${options.details}`);
    super(lines.join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages;
  }
}
