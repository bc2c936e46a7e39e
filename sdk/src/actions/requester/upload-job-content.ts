import type { Hex } from "viem";

import type { ContentStore } from "../../store/types.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";

export type UploadJobContentParameters = {
  /** Where to put the bytes; its URIs go into the job for providers to fetch. */
  store: ContentStore;
  /** The wasm program. */
  program: Uint8Array;
  /** The program's input. */
  input: Uint8Array;
};

/** Ready to spread into `postJob`'s parameters. */
export type UploadJobContentReturnType = {
  programHash: Hex;
  programURI: string;
  inputHash: Hex;
  inputURI: string;
};

export type UploadJobContentErrorType = Error;

/**
 * Puts a job's program and input into a content store and returns their hashes and URIs, in the
 * shape `postJob` takes. Providers fetch both by URI and verify them by hash.
 *
 * @example
 * const content = await uploadJobContent(client, { store: createLocalStore({ dir }), program: wasm, input })
 * const { jobId } = await postJob(client, { ...content, fuelLimit, reward, executionTime: 600, challengeWindow: 600 })
 */
export async function uploadJobContent(
  _client: HashworkBaseClient,
  { store, program, input }: UploadJobContentParameters,
): Promise<UploadJobContentReturnType> {
  const [p, i] = await Promise.all([store.put(program), store.put(input)]);
  return { programHash: p.hash, programURI: p.uri, inputHash: i.hash, inputURI: i.uri };
}
