// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {JobRecord, JobRecordLib} from "../../contracts/libraries/JobRecordLib.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice The packed job record keeps every field it is given, through every rewrite.
contract JobRecordLibTest is TestBase {
    function testFuzz_open_roundTripsEveryField(
        uint40 deadline,
        uint96 reward,
        uint32 providerId,
        uint16 pct,
        uint16 minRep,
        uint24 exec,
        uint24 window
    ) public pure {
        JobRecord rec = JobRecordLib.open(deadline, reward, providerId, pct, minRep, exec, window);
        assertEq(uint8(rec.state()), uint8(IJobMarket.JobState.Open), "state");
        assertEq(rec.deadline(), deadline, "deadline");
        assertEq(rec.reward(), reward, "reward");
        assertEq(rec.providerId(), providerId, "providerId");
        assertEq(rec.collateralPct(), pct, "collateralPct");
        assertEq(rec.minReputation(), minRep, "minReputation");
        assertEq(rec.executionTime(), exec, "executionTime");
        assertEq(rec.challengeWindow(), window, "challengeWindow");
    }

    function testFuzz_claimed_rewritesOnlyStateDeadlineAndProvider(
        uint96 reward,
        uint16 pct,
        uint24 exec,
        uint24 window,
        uint40 newDeadline,
        uint32 claimant
    ) public pure {
        JobRecord rec = JobRecordLib.open(1, reward, 7, pct, 9, exec, window).claimed(newDeadline, claimant);
        assertEq(uint8(rec.state()), uint8(IJobMarket.JobState.Claimed), "state");
        assertEq(rec.deadline(), newDeadline, "deadline");
        assertEq(rec.providerId(), claimant, "providerId");
        assertEq(rec.reward(), reward, "reward");
        assertEq(rec.collateralPct(), pct, "collateralPct");
        assertEq(rec.minReputation(), 9, "minReputation");
        assertEq(rec.executionTime(), exec, "executionTime");
        assertEq(rec.challengeWindow(), window, "challengeWindow");
    }

    function testFuzz_committed_keepsTheTop200BitsOfTheHash(uint40 deadline, bytes32 h) public pure {
        uint256 commitment = uint256(h) >> 56;
        JobRecord rec = JobRecordLib.committed(IJobMarket.JobState.Submitted, deadline, commitment);
        assertEq(uint8(rec.state()), uint8(IJobMarket.JobState.Submitted), "state");
        assertEq(rec.deadline(), deadline, "deadline");
        assertEq(rec.commitment(), commitment, "commitment");
    }

    function testFuzz_disputed_keepsTheCommitmentAndNamesTheModule(uint40 deadline, bytes32 h, uint8 module)
        public
        pure
    {
        uint256 commitment = uint256(h) >> 56;
        JobRecord submitted = JobRecordLib.committed(IJobMarket.JobState.Submitted, 1, commitment);
        JobRecord rec = submitted.disputed(deadline, module);
        assertEq(uint8(rec.state()), uint8(IJobMarket.JobState.Disputed), "state");
        assertEq(rec.deadline(), deadline, "deadline");
        assertEq(rec.commitment(), commitment, "commitment");
        assertEq(rec.disputeModule(), module, "module");
        assertEq(submitted.disputeModule(), 0, "no module before the dispute");
    }

    function testFuzz_withState_keepsEveryOtherField(uint256 raw, uint8 s) public pure {
        s = uint8(bound(s, 0, uint8(type(IJobMarket.JobState).max)));
        JobRecord rec = JobRecord.wrap(raw).withState(IJobMarket.JobState(s));
        assertEq(uint8(rec.state()), s, "state");
        assertEq(JobRecord.unwrap(rec) >> 8, raw >> 8, "other fields");
    }

    function testFuzz_bucketMark_keepsCommitmentAndDeadline_andDisputeOverwritesIt(
        uint40 deadline,
        bytes32 h,
        uint8 mark,
        uint8 module
    ) public pure {
        uint256 commitment = uint256(h) >> 56;
        JobRecord plain = JobRecordLib.committed(IJobMarket.JobState.Submitted, deadline, commitment);
        assertEq(plain.bucketMark(), 0, "a fresh Submitted record has no mark");
        JobRecord rec = plain.withBucketMark(mark);
        assertEq(rec.bucketMark(), mark, "mark");
        assertEq(uint8(rec.state()), uint8(IJobMarket.JobState.Submitted), "state");
        assertEq(rec.deadline(), deadline, "deadline");
        assertEq(rec.commitment(), commitment, "commitment");
        JobRecord d = rec.disputed(deadline, module);
        assertEq(d.disputeModule(), module, "the dispute's module replaces the mark");
        assertEq(d.commitment(), commitment, "commitment kept");
    }

    /// @notice The field-by-field commitment the market writes at submit equals `commit` of the
    /// same terms (what `finalizeJob` and disputes check against), also with dirty high bits.
    function testFuzz_commitFields_equalsTheCommitmentOfTheTerms(
        uint96 reward,
        uint16 pct,
        address provider,
        bytes32 resultHash,
        uint64 submittedBlock,
        uint256 dirt
    ) public pure {
        IJobMarket.SubmittedJob memory terms = IJobMarket.SubmittedJob({
            reward: reward, collateralPct: pct, provider: provider, resultHash: resultHash, submittedBlock: submittedBlock
        });
        uint256 expected = uint256(keccak256(abi.encode(terms))) >> 56;
        assertEq(JobRecordLib.commitFields(reward, pct, provider, resultHash, submittedBlock), expected, "clean");
        uint96 dirtyReward;
        uint16 dirtyPct;
        address dirtyProvider;
        uint64 dirtyBlock;
        assembly {
            // The same values with garbage above their widths, as assembly may see them.
            dirtyReward := or(reward, shl(96, dirt))
            dirtyPct := or(pct, shl(16, dirt))
            dirtyProvider := or(provider, shl(160, dirt))
            dirtyBlock := or(submittedBlock, shl(64, dirt))
        }
        assertEq(JobRecordLib.commitFields(dirtyReward, dirtyPct, dirtyProvider, resultHash, dirtyBlock), expected, "dirty");
    }
}
