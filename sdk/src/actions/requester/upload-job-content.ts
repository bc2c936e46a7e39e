import type { Hex } from "viem";

import { computeCid, ipfsUri } from "../../store/ipfs-cid.ts";
import type { ContentStore } from "../../store/types.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";

export type UploadJobContentParameters = {
  /** Where to put the bytes; its URIs go into the job for providers to fetch. */
  store: ContentStore;
  /** The wasm program. */
  program: Uint8Array;
  /** The program's input. */
  input: Uint8Array;
  /**
   * How the job names its content: `"store"` (default) the store's URIs; `"ipfs"`
   * `ipfs://<CIDv1>` (layout `unixfs-v1-2025`, `computeCid`), recorded in the store when it
   * records CIDs (a local store, a content server) so its `/ipfs/` gateway serves them. Providers
   * fetch those from their configured gateways and verify every block, then the keccak256.
   */
  uri?: "store" | "ipfs";
};

/** Ready to spread into `postJob`'s parameters. */
export type UploadJobContentReturnType = {
  programHash: Hex;
  programURI: string;
  inputHash: Hex;
  inputURI: string;
  /** With `uri: "ipfs"`: the CIDs (also in the URIs). */
  programCid?: string;
  inputCid?: string;
};

export type UploadJobContentErrorType = Error;

/**
 * Puts a job's program and input into a content store and returns their hashes and URIs, in the
 * shape `postJob` takes. Providers fetch both by URI and verify them by hash.
 *
 * @example
 * const content = await uploadJobContent(client, { store: createLocalStore({ dir }), program: wasm, input })
 * const { jobId } = await postJob(client, { ...content, fuelLimit, reward, executionTime: 600, challengeWindow: 600 })
 * // content named by IPFS CIDs instead (ipfs://bafk…), served by the store's gateway or any IPFS node
 * const onIpfs = await uploadJobContent(client, { store, program: wasm, input, uri: "ipfs" })
 */
export async function uploadJobContent(
  _client: HashworkBaseClient,
  { store, program, input, uri = "store" }: UploadJobContentParameters,
): Promise<UploadJobContentReturnType> {
  const [p, i] = await Promise.all([store.put(program), store.put(input)]);
  if (uri !== "ipfs") return { programHash: p.hash, programURI: p.uri, inputHash: i.hash, inputURI: i.uri };
  const [programCid, inputCid] = await Promise.all([computeCid(program), computeCid(input)]);
  if (store.recordCid) await Promise.all([store.recordCid(programCid, p.hash), store.recordCid(inputCid, i.hash)]);
  return {
    programHash: p.hash,
    programURI: ipfsUri(programCid),
    inputHash: i.hash,
    inputURI: ipfsUri(inputCid),
    programCid,
    inputCid,
  };
}
