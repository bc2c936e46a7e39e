/**
 * The `pay_bucket` rows (deferred pay): one per job whose pay waits in a provider's bucket. A
 * bucket filled by many single-job calls costs one insert per job, and its release one query.
 */
import type { Context } from "ponder:registry";
import { payBucket } from "ponder:schema";
import { and, eq, isNull } from "ponder";
import type { Address, Hex } from "viem";

type Db = Context["db"];

/** `PayDeferred`: the job's pay is in `bucket` of `provider`. */
export async function deferToBucket(db: Db, provider: Address, bucket: number, jobId: bigint, block: bigint) {
  await db.insert(payBucket).values({ jobId, provider, bucket, deferredBlock: block });
}

/** `JobDisputed` of a bucketed job: it left its bucket, the release will not pay it. */
export async function leaveBucket(db: Db, jobId: bigint) {
  await db.delete(payBucket, { jobId });
}

/**
 * `PayReleased`: the bucket's jobs (one query; Ponder first writes this table's buffered rows),
 * stamped released at `block` so the bucket reads empty again. Returns their ids in job order.
 */
export async function releaseBucket(db: Db, provider: Address, bucket: number, block: bigint): Promise<bigint[]> {
  const rows = await db.sql
    .select({ jobId: payBucket.jobId })
    .from(payBucket)
    .where(and(eq(payBucket.provider, provider.toLowerCase() as Hex), eq(payBucket.bucket, bucket), isNull(payBucket.releasedBlock)))
    .orderBy(payBucket.jobId);
  for (const { jobId } of rows) await db.update(payBucket, { jobId }).set({ releasedBlock: block });
  return rows.map((r) => r.jobId);
}
