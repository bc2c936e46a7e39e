import { HostStop } from "./host-stop.ts";

/**
 * The output of a run: one buffer that doubles up to the cap, never one allocation per write
 * (metering v2). With `truncate`, bytes past the cap are dropped (stderr); otherwise a write past
 * it ends the run as `OutputTooLarge`.
 */
export class OutputBuffer {
  private bytes: Uint8Array<ArrayBuffer>;
  private length = 0;
  private readonly cap: number;
  private readonly truncate: boolean;
  constructor(cap: number, truncate = false) {
    this.cap = cap;
    this.truncate = truncate;
    this.bytes = new Uint8Array(Math.min(cap, 4096));
  }

  append(data: Uint8Array): void {
    if (this.length + data.length > this.cap) {
      if (!this.truncate) throw new HostStop("output");
      data = data.subarray(0, this.cap - this.length);
    }
    if (this.length + data.length > this.bytes.length) {
      let capacity = this.bytes.length || 1;
      while (capacity < this.length + data.length) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, this.cap));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  /** A copy of the bytes written. */
  contents(): Uint8Array<ArrayBuffer> {
    return this.bytes.slice(0, this.length);
  }
}
