/**
 * A viem transport that shows Ponder a chain `depth` blocks shorter than it is, so the indexer
 * follows the chain at the daemon's confirmation depth: Ponder has no such option (it indexes
 * the head and unwinds reorgs itself), and it learns the head only from `eth_blockNumber` and
 * `eth_getBlockByNumber("latest")`. Every other request passes through untouched.
 */
import { custom, http, numberToHex, type EIP1193RequestFn, type Transport } from "viem";

export function confirmedTransport(url: string, depth: number): Transport {
  const inner = http(url)({ retryCount: 0 });
  const request = inner.request as EIP1193RequestFn;
  const confirmedHead = async (): Promise<bigint> => {
    const head = BigInt(await request({ method: "eth_blockNumber" }));
    return head > BigInt(depth) ? head - BigInt(depth) : 0n;
  };
  return custom({
    async request({ method, params }: { method: string; params?: unknown }) {
      if (method === "eth_blockNumber") return numberToHex(await confirmedHead());
      if (method === "eth_getBlockByNumber" && Array.isArray(params) && params[0] === "latest") {
        return request({ method, params: [numberToHex(await confirmedHead()), params[1]] } as never);
      }
      return request({ method, params } as never);
    },
  });
}
