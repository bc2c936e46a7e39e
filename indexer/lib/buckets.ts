/** The `pay_bucket` rows (deferred pay): which jobs each provider's bucket holds. */
import type { Context } from "ponder:registry";
import { payBucket } from "ponder:schema";
import type { Address } from "viem";

/** A bucket's key: the provider (lower case) and the bucket's index. */
export const bucketKey = (provider: Address, bucket: number) => `${provider.toLowerCase()}-${bucket}`;

/** A disputed job leaves its bucket (`JobDisputed`): the release will not pay it. */
export async function leaveBucket(db: Context["db"], provider: Address, bucket: number, jobId: bigint) {
  const id = bucketKey(provider, bucket);
  const row = await db.find(payBucket, { id });
  if (row) await db.update(payBucket, { id }).set({ jobIds: row.jobIds.filter((j) => j !== jobId) });
}
