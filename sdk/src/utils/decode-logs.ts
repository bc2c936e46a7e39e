import {
  decodeAbiParameters,
  formatLog,
  parseEventLogs,
  toEventSelector,
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Hex,
  type Log,
  type ParseEventLogsReturnType,
} from "viem";

/** Per ABI: its events by selector (topic 0). */
const tables = new WeakMap<Abi, Map<string, AbiEvent[]>>();

function tableOf(abi: Abi): Map<string, AbiEvent[]> {
  let table = tables.get(abi);
  if (!table) {
    table = new Map();
    for (const item of abi) {
      if (item.type !== "event") continue;
      const selector = toEventSelector(item);
      table.set(selector, [...(table.get(selector) ?? []), item]);
    }
    tables.set(abi, table);
  }
  return table;
}

/** An indexed argument of a dynamic type is only its hash in the topic (as viem returns it). */
const hashedInTopic = (p: AbiParameter) => p.type === "string" || p.type === "bytes" || p.type === "tuple" || p.type.endsWith("]");

/** The event's arguments by name, or undefined when the log does not fit it (viem's strict decoding). */
function decodeArgs(event: AbiEvent, log: Log): Record<string, unknown> | undefined {
  const indexed = event.inputs.filter((p) => p.indexed);
  const plain = event.inputs.filter((p) => !p.indexed);
  if (log.topics.length < indexed.length + 1) return undefined;
  try {
    const args: Record<string, unknown> = {};
    for (const [k, p] of indexed.entries()) {
      const topic = log.topics[k + 1] as Hex;
      args[p.name!] = hashedInTopic(p) ? topic : decodeAbiParameters([p], topic)[0];
    }
    if (plain.length > 0) {
      const values = decodeAbiParameters(plain, log.data);
      for (const [k, p] of plain.entries()) args[p.name!] = values[k];
    }
    return args;
  } catch {
    return undefined;
  }
}

/**
 * `parseEventLogs(..., strict: true)` with the ABI's event selectors computed once per ABI
 * instead of on every call and for every log (hashing event signatures was most of a busy
 * daemon's log decoding). Same result: logs of events in `abi` (of `eventName`, when given),
 * decoded, the rest dropped. An ABI with unnamed event inputs is handed to viem as is.
 */
export function decodeEventLogs<const abi extends Abi>(
  abi: abi,
  logs: Log[],
  eventName?: string,
): ParseEventLogsReturnType<abi, undefined, true> {
  const table = tableOf(abi);
  const out: unknown[] = [];
  for (const raw of logs) {
    // RPC logs (hex quantities) are formatted first, as viem does.
    const log = typeof raw.blockNumber === "string" ? formatLog(raw as never) : raw;
    const candidates = table.get(log.topics[0] ?? "");
    if (!candidates) continue;
    for (const event of candidates) {
      if (event.inputs.some((p) => !p.name)) {
        out.push(...parseEventLogs({ abi: [event], logs: [log], strict: true }));
        break;
      }
      const args = decodeArgs(event, log);
      if (args === undefined) continue;
      if (eventName === undefined || event.name === eventName) out.push({ ...log, args, eventName: event.name });
      break;
    }
  }
  return out as never;
}
