/** JSON for the REST routes: bigints as decimal strings (JSON has no 64-bit integers). */
import { replaceBigInts } from "ponder";

export function toJson<T>(value: T) {
  return replaceBigInts(value, (v) => v.toString());
}
