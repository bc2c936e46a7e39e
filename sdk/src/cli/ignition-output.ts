/**
 * Ignition's deploy UI redraws each batch in place on a terminal; on anything else (a pipe, a
 * log file, `--json` sending it to stderr) every redraw is appended, so each batch shows up two
 * or more times. This filter keeps one copy of each batch, in its final state, and drops the
 * "starting…" line the UI would have erased; all other text passes through unchanged.
 */
import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";

const BATCH = /^Batch #\d+\n/;
const STARTING = /Hardhat Ignition starting for \[ [^\]]* \]\.\.\./g;

export function dedupeIgnitionBatches(): Transform {
  let buffered = "";
  const decoder = new StringDecoder("utf8");
  // The latest version of the batch being redrawn, printed once the next paragraph differs.
  let pendingBatch: string | undefined;
  const paragraphsOut = (text: string): string => {
    const paragraph = text.replace(STARTING, "");
    if (BATCH.test(paragraph)) {
      const header = paragraph.split("\n", 1)[0];
      const flushed = pendingBatch !== undefined && pendingBatch.split("\n", 1)[0] !== header ? pendingBatch : "";
      pendingBatch = paragraph;
      return flushed;
    }
    const flushed = pendingBatch ?? "";
    pendingBatch = undefined;
    return flushed + paragraph;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      buffered += decoder.write(chunk);
      let out = "";
      // Paragraphs end with a blank line; keep the unfinished one.
      for (let end = buffered.indexOf("\n\n"); end !== -1; end = buffered.indexOf("\n\n")) {
        out += paragraphsOut(buffered.slice(0, end + 2));
        buffered = buffered.slice(end + 2);
      }
      done(null, out);
    },
    flush(done) {
      done(null, (pendingBatch ?? "") + (buffered + decoder.end()).replace(STARTING, ""));
    },
  });
}
