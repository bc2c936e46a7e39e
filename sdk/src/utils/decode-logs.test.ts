import { expect } from "chai";
import {
  encodeAbiParameters,
  encodeEventTopics,
  parseEventLogs,
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Hex,
  type Log,
} from "viem";

import { hashworkDisputesAbi, hashworkMarketAbi } from "../abi/index.ts";
import { decodeEventLogs } from "./decode-logs.ts";

/** A deterministic pseudo-random value of an ABI type. */
function sampleValue(p: AbiParameter, seed: number): unknown {
  const n = BigInt(seed * 2654435761 + 97);
  const array = /^(.*)\[(\d*)\]$/.exec(p.type);
  if (array) {
    const length = array[2] ? Number(array[2]) : (seed % 3) + 1;
    return Array.from({ length }, (_, i) => sampleValue({ ...p, type: array[1]! }, seed + i + 1));
  }
  if (p.type === "tuple") {
    const components = (p as unknown as { components: AbiParameter[] }).components;
    return Object.fromEntries(components.map((c, i) => [c.name, sampleValue(c, seed + i + 1)]));
  }
  if (p.type === "address") return `0x${(n * 7919n).toString(16).padStart(40, "0").slice(-40)}`;
  if (p.type === "bool") return seed % 2 === 0;
  if (p.type === "string") return `s${seed}`;
  if (p.type === "bytes") return `0x${"ab".repeat((seed % 5) + 1)}`;
  const bytes = /^bytes(\d+)$/.exec(p.type);
  if (bytes)
    return `0x${(n * 31n)
      .toString(16)
      .padStart(64, "0")
      .slice(-Number(bytes[1]) * 2)}`;
  const int = /^(u?)int(\d+)$/.exec(p.type);
  if (int) return (n * 1_000_003n) % (1n << BigInt(Number(int[2]) - 1));
  throw new Error(`no test value for ${p.type}`);
}

/** One log of every event of `abi`, encoded by viem. */
function logsOf(abi: Abi): Log[] {
  return abi
    .filter((i): i is AbiEvent => i.type === "event")
    .map((event, k) => {
      const args = Object.fromEntries(event.inputs.map((p, i) => [p.name, sampleValue(p, k * 10 + i)]));
      const plain = event.inputs.filter((p) => !p.indexed);
      return {
        address: "0x0000000000000000000000000000000000000001",
        topics: encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as [Hex, ...Hex[]],
        data: encodeAbiParameters(plain, plain.map((p) => args[p.name!]) as never),
        blockNumber: BigInt(k + 1),
        blockHash: `0x${"11".repeat(32)}`,
        logIndex: k,
        transactionHash: `0x${"22".repeat(32)}`,
        transactionIndex: 0,
        removed: false,
      } as Log;
    });
}

describe("decodeEventLogs (event selectors computed once per ABI)", function () {
  for (const [name, abi] of [
    ["market", hashworkMarketAbi],
    ["disputes", hashworkDisputesAbi],
  ] as const) {
    it(`decodes every ${name} event exactly as viem's parseEventLogs does`, function () {
      const logs = logsOf(abi);
      expect(logs.length).to.be.greaterThan(5);
      const ours = decodeEventLogs(abi, logs);
      expect(ours).to.have.length(logs.length);
      expect(ours).to.deep.equal(parseEventLogs({ abi, logs, strict: true }));
    });
  }

  it("keeps only the named event, and drops logs of other ABIs and logs that do not fit", function () {
    const logs = logsOf(hashworkMarketAbi);
    const claimed = decodeEventLogs(hashworkMarketAbi, logs, "JobClaimed");
    expect(claimed.map((l) => l.eventName)).to.deep.equal(["JobClaimed"]);
    expect(decodeEventLogs(hashworkDisputesAbi, logsOf(hashworkMarketAbi).slice(0, 3))).to.deep.equal(
      parseEventLogs({ abi: hashworkDisputesAbi, logs: logsOf(hashworkMarketAbi).slice(0, 3), strict: true }),
    );
    const short = { ...claimed[0]!, topics: claimed[0]!.topics.slice(0, 1) } as unknown as Log;
    expect(decodeEventLogs(hashworkMarketAbi, [short])).to.deep.equal([]);
  });
});
