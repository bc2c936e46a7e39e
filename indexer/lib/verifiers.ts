/** The verifier row writer (pool.ts and disputes.ts). */
import type { Context } from "ponder:registry";
import { verifier } from "ponder:schema";
import type { Address } from "viem";

type VerifierRow = typeof verifier.$inferSelect;
const DEFAULTS = { bonded: 0n, locked: 0n, pending: 0n, slashed: 0n, earned: 0n, seats: 0 };

/** Changes a verifier's row (created on first sight): one upsert. */
export async function updateVerifier(db: Context["db"], address: Address, change: (row: VerifierRow) => Partial<VerifierRow>) {
  const fresh: VerifierRow = { address, unlockAt: null, ...DEFAULTS };
  await db
    .insert(verifier)
    .values({ ...fresh, ...change(fresh) })
    .onConflictDoUpdate(change);
}
