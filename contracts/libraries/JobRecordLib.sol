// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";

/// @notice One job in one storage slot. Gas per job is a headline figure, so a job costs exactly
/// one fresh slot at post; later steps rewrite it in place.
///
/// Layout (bit offsets, least significant first):
///   0..7     state (IJobMarket.JobState)
///   8..47    deadline: claim deadline (Open), execution deadline (Claimed),
///            challenge end (Submitted), dispute deadline (Disputed)
/// While Open or Claimed (and kept for the record in Cancelled, Expired, TimedOut):
///   48..143  reward (uint96)
///   144..175 providerId: designated provider or 0 (Open), claimant (Claimed)
///   176..191 collateralPct
///   192..207 minReputation
///   208..231 executionTime (seconds)
///   232..255 challengeWindow (seconds)
/// From Submitted on (Submitted, Disputed, Overturned, Voided):
///   48..55   Submitted: 1 + the provider's pay bucket index for a fast-path job paid through a
///            bucket (IPayBuckets), else 0; from Disputed on: the dispute module's number
///   56..255  the top 200 bits of keccak256(abi.encode(SubmittedJob))
type JobRecord is uint256;

using JobRecordLib for JobRecord global;

/// @title JobRecordLib
/// @notice Reads and builds `JobRecord` slots (layout above).
library JobRecordLib {
    uint256 private constant _STATE_BITS = 0xff;
    uint256 private constant _DEADLINE_SHIFT = 8;
    uint256 private constant _REWARD_SHIFT = 48;
    uint256 private constant _PROVIDER_SHIFT = 144;
    uint256 private constant _COLLATERAL_SHIFT = 176;
    uint256 private constant _MIN_REPUTATION_SHIFT = 192;
    uint256 private constant _EXECUTION_SHIFT = 208;
    uint256 private constant _WINDOW_SHIFT = 232;
    uint256 private constant _MODULE_SHIFT = 48;
    uint256 private constant _COMMITMENT_SHIFT = 56;
    // Clears the deadline and providerId fields (rewritten together on claim).
    uint256 private constant _CLAIM_CLEAR_MASK =
        ~((uint256(type(uint40).max) << _DEADLINE_SHIFT) | (uint256(type(uint32).max) << _PROVIDER_SHIFT) | _STATE_BITS);

    function isEmpty(JobRecord rec) internal pure returns (bool) {
        return JobRecord.unwrap(rec) == 0;
    }

    function state(JobRecord rec) internal pure returns (IJobMarket.JobState) {
        return IJobMarket.JobState(uint8(JobRecord.unwrap(rec)));
    }

    function deadline(JobRecord rec) internal pure returns (uint40) {
        return uint40(JobRecord.unwrap(rec) >> _DEADLINE_SHIFT);
    }

    function reward(JobRecord rec) internal pure returns (uint96) {
        return uint96(JobRecord.unwrap(rec) >> _REWARD_SHIFT);
    }

    function providerId(JobRecord rec) internal pure returns (uint32) {
        return uint32(JobRecord.unwrap(rec) >> _PROVIDER_SHIFT);
    }

    function collateralPct(JobRecord rec) internal pure returns (uint16) {
        return uint16(JobRecord.unwrap(rec) >> _COLLATERAL_SHIFT);
    }

    function minReputation(JobRecord rec) internal pure returns (uint16) {
        return uint16(JobRecord.unwrap(rec) >> _MIN_REPUTATION_SHIFT);
    }

    function executionTime(JobRecord rec) internal pure returns (uint24) {
        return uint24(JobRecord.unwrap(rec) >> _EXECUTION_SHIFT);
    }

    function challengeWindow(JobRecord rec) internal pure returns (uint24) {
        return uint24(JobRecord.unwrap(rec) >> _WINDOW_SHIFT);
    }

    /// @notice The number of the dispute module that opened a Disputed (or later) record's dispute.
    /// @param rec The job record.
    /// @return The module's number.
    function disputeModule(JobRecord rec) internal pure returns (uint8) {
        return uint8(JobRecord.unwrap(rec) >> _MODULE_SHIFT);
    }

    /// @notice For a Submitted record: 1 + the index of the pay bucket holding the job's pay, or
    /// 0 when the job is finalized on its own (meaningless from Disputed on: the module's number).
    /// @param rec The job record.
    /// @return The bucket mark.
    function bucketMark(JobRecord rec) internal pure returns (uint8) {
        return uint8(JobRecord.unwrap(rec) >> _MODULE_SHIFT);
    }

    /// @notice The same record with bucket mark `mark` (bits 48..55, zero in a fresh Submitted
    /// record).
    /// @param rec A Submitted record with mark 0.
    /// @param mark 1 + the bucket index.
    /// @return The new record.
    function withBucketMark(JobRecord rec, uint8 mark) internal pure returns (JobRecord) {
        return JobRecord.wrap(JobRecord.unwrap(rec) | (uint256(mark) << _MODULE_SHIFT));
    }

    /// @notice The 200-bit result commitment of a Submitted (or later) record.
    /// @param rec The job record.
    /// @return The commitment.
    function commitment(JobRecord rec) internal pure returns (uint256) {
        return JobRecord.unwrap(rec) >> _COMMITMENT_SHIFT;
    }

    /// @notice A new Open record.
    /// @param claimDeadline When the job stops being claimable.
    /// @param reward_ The reward.
    /// @param designatedId The designated provider's id, or 0 for anyone.
    /// @param collateralPct_ Collateral in percent of the reward.
    /// @param minReputation_ The least reputation score a claimant needs.
    /// @param executionTime_ Seconds a claimant has to submit.
    /// @param challengeWindow_ Seconds a result can be challenged.
    /// @return The record.
    function open(
        uint40 claimDeadline,
        uint96 reward_,
        uint32 designatedId,
        uint16 collateralPct_,
        uint16 minReputation_,
        uint24 executionTime_,
        uint24 challengeWindow_
    ) internal pure returns (JobRecord) {
        return JobRecord.wrap(
            uint256(uint8(IJobMarket.JobState.Open)) | (uint256(claimDeadline) << _DEADLINE_SHIFT)
                | (uint256(reward_) << _REWARD_SHIFT) | (uint256(designatedId) << _PROVIDER_SHIFT)
                | (uint256(collateralPct_) << _COLLATERAL_SHIFT)
                | (uint256(minReputation_) << _MIN_REPUTATION_SHIFT)
                | (uint256(executionTime_) << _EXECUTION_SHIFT) | (uint256(challengeWindow_) << _WINDOW_SHIFT)
        );
    }

    /// @notice The same record, Claimed by `claimantId` until `executionDeadline`.
    /// @param rec The job record.
    /// @param executionDeadline When the result is due.
    /// @param claimantId The claimant's provider id.
    /// @return The new record.
    function claimed(JobRecord rec, uint40 executionDeadline, uint32 claimantId) internal pure returns (JobRecord) {
        return JobRecord.wrap(
            (JobRecord.unwrap(rec) & _CLAIM_CLEAR_MASK) | uint256(uint8(IJobMarket.JobState.Claimed))
                | (uint256(executionDeadline) << _DEADLINE_SHIFT) | (uint256(claimantId) << _PROVIDER_SHIFT)
        );
    }

    /// @notice A record that keeps only a state, a deadline and a result commitment.
    /// @param state_ The state.
    /// @param deadline_ The deadline.
    /// @param commitment_ The 200-bit result commitment.
    /// @return The record.
    function committed(IJobMarket.JobState state_, uint40 deadline_, uint256 commitment_)
        internal
        pure
        returns (JobRecord)
    {
        return JobRecord.wrap(
            uint256(uint8(state_)) | (uint256(deadline_) << _DEADLINE_SHIFT) | (commitment_ << _COMMITMENT_SHIFT)
        );
    }

    /// @notice A Submitted record's dispute, opened by module number `module` until `deadline_`:
    /// the module is kept in the record, so only it may settle (no extra slot per dispute).
    /// @param rec The job record.
    /// @param deadline_ The dispute deadline.
    /// @param module The dispute module's number.
    /// @return The new record.
    function disputed(JobRecord rec, uint40 deadline_, uint8 module) internal pure returns (JobRecord) {
        return JobRecord.wrap(
            uint256(uint8(IJobMarket.JobState.Disputed)) | (uint256(deadline_) << _DEADLINE_SHIFT)
                | (uint256(module) << _MODULE_SHIFT) | (rec.commitment() << _COMMITMENT_SHIFT)
        );
    }

    /// @notice The same record in another state (every other field kept).
    /// @param rec The job record.
    /// @param state_ The new state.
    /// @return The new record.
    function withState(JobRecord rec, IJobMarket.JobState state_) internal pure returns (JobRecord) {
        return JobRecord.wrap((JobRecord.unwrap(rec) & ~_STATE_BITS) | uint256(uint8(state_)));
    }

    /// @notice The 200-bit commitment to a submitted job's settlement terms. 200 bits leave
    /// 2^200 work for a second preimage: the terms cannot be swapped after submission.
    /// @param terms The settlement terms.
    /// @return The commitment.
    function commit(IJobMarket.SubmittedJob calldata terms) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(terms))) >> _COMMITMENT_SHIFT;
    }

    /// @notice Same as `commit`, for terms given field by field: the same bytes as
    /// `abi.encode(terms)` (static fields, one word each), hashed in scratch memory past the free
    /// memory pointer, so a batch allocates nothing per job.
    /// @param reward_ The job's reward.
    /// @param collateralPct_ Its collateral percentage.
    /// @param provider Its provider.
    /// @param resultHash The committed result hash.
    /// @param submittedBlock The block of the submission.
    /// @return c The commitment.
    function commitFields(
        uint96 reward_,
        uint16 collateralPct_,
        address provider,
        bytes32 resultHash,
        uint64 submittedBlock
    ) internal pure returns (uint256 c) {
        assembly ("memory-safe") {
            // Narrow types may carry dirty high bits in assembly: clean each as abi.encode does.
            let m := mload(0x40)
            mstore(m, and(reward_, 0xffffffffffffffffffffffff))
            mstore(add(m, 0x20), and(collateralPct_, 0xffff))
            mstore(add(m, 0x40), and(provider, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0x60), resultHash)
            mstore(add(m, 0x80), and(submittedBlock, 0xffffffffffffffff))
            c := shr(_COMMITMENT_SHIFT, keccak256(m, 0xa0))
        }
    }
}
