// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PayClocks} from "../libraries/PayClocks.sol";

/// @title Deferred pay ("lazy finalization") for fast-path jobs.
/// @notice A job claimed and submitted in one call (`claimAndSubmit`, `claimAndSubmitJobs`) is not
/// finalized one by one: its pay (reward minus fee, at the job's fee rate), fee and collateral go
/// into one of its provider's two pay buckets. A bucket takes jobs for `PAY_SEAL` seconds after
/// it opens, only jobs whose challenge ends before its opening + 2 * `PAY_SEAL` (the hostage rule:
/// a longer one is finalized on its own), then matures once the last of its jobs' challenge
/// windows has passed, so before its opening + 2 * `PAY_SEAL` whatever they are; the next
/// fast-path call of that provider, or anyone through `releasePay`, then pays the whole bucket
/// into the provider's stake at once. Such a job reads `Finalized` once its window has passed
/// (its result stands; the money arrives with the release) and never emits `JobFinalized`.
/// A dispute or audit takes the job out of its bucket first (its `JobDisputed` says so: a
/// Disputed job is never in a bucket); it then settles as any other.
/// @dev Soundness: a dispute opens only while `now <= challengeEnd <= bucket.maturesAt`, and a
/// bucket releases only when `now > maturesAt`, so a disputable job's pay is always still in its
/// bucket; a bucket reused after a release only holds jobs with a later challenge end.
interface IPayBuckets {
    /// @notice A bucket's money (one slot). `used` stays 1 once written, so the slot never
    /// returns to zero and reuse costs a rewrite, not a fresh slot. A job that would take a field
    /// past its width is finalized on its own instead.
    /// @param payout Rewards minus fees of the jobs held, owed to the provider.
    /// @param fee Their protocol fees, accrued on release.
    /// @param collateral Their collateral, still locked in the provider's stake until release.
    /// @param used 1 once the bucket was used.
    struct PayPurse {
        uint88 payout;
        uint80 fee;
        uint80 collateral;
        uint8 used;
    }

    /// @notice `finalizeJob` was called on a job its provider is paid for through a pay bucket.
    error MarketPaidByBucket(uint256 jobId);

    /// @notice A fast-path call put these jobs' pay into the provider's bucket `bucket` (0 or 1):
    /// they will get no `JobFinalized`. Emitted once per call that deferred anything. Each job's
    /// fee is its reward (in `ResultSubmitted`) times the rate `feeBps` / `feeChange` give for its
    /// challenge end, rounded down (not emitted: the market's size limit); `PayReleased` carries
    /// each bucket's totals.
    /// @param provider The provider.
    /// @param bucket The bucket's index.
    /// @param jobIds The jobs deferred.
    event PayDeferred(address indexed provider, uint8 bucket, uint256[] jobIds);

    /// @notice A matured bucket was paid out: `payout` into the provider's stake (or its ledger
    /// balance, with `PayoutCreditedToBalance(0, …)`, if the stake is full), `collateral` unlocked,
    /// `fee` accrued, `jobs` counted as completed.
    /// @param provider The provider.
    /// @param bucket The bucket's index.
    /// @param jobs Jobs paid.
    /// @param payout Paid to the provider.
    /// @param fee Accrued as protocol fees.
    /// @param collateral Unlocked.
    /// @param lockedAfter The provider's locked stake afterwards.
    event PayReleased(
        address indexed provider,
        uint8 bucket,
        uint256 jobs,
        uint256 payout,
        uint256 fee,
        uint256 collateral,
        uint256 lockedAfter
    );

    /// @notice Pays out every matured bucket of `provider`. Permissionless; a no-op (returning
    /// 0) when none has matured. Makes no external calls.
    /// @param provider The provider.
    /// @return paid The payout released (into stake, or ledger if the stake is full).
    function releasePay(address provider) external returns (uint256 paid);

    /// @notice Both pay buckets of `provider`: their clocks and counters in one word (layout in
    /// `PayClocks.sol`: per bucket i, from bit 128 * i, maturesAt 40 bits, sealsAt 40, jobs 24,
    /// feeUnits 24) and their money.
    /// @param provider The provider.
    /// @return clocks Both buckets' maturesAt, sealsAt, jobs and feeUnits.
    /// @return purses Bucket 0's and bucket 1's money.
    function pendingPayOf(address provider) external view returns (PayClocks clocks, PayPurse[2] memory purses);

    /// @notice Seconds a bucket takes new jobs after it opens.
    /// @return The seal period.
    function PAY_SEAL() external view returns (uint256);
}
