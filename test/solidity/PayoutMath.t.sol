// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PayoutMath} from "../../contracts/libraries/PayoutMath.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Fuzzes the payout, collateral and score arithmetic.
contract PayoutMathTest is TestBase {
    function testFuzz_splitFee_payoutPlusFeeIsReward(uint96 reward, uint16 bps) public pure {
        bps = uint16(bound(bps, 0, 1_000));
        (uint256 payout, uint256 fee) = PayoutMath.splitFee(reward, bps);
        assertEq(payout + fee, reward, "payout + fee");
    }

    function testFuzz_splitFee_feeNeverExceedsRate(uint96 reward, uint16 bps) public pure {
        bps = uint16(bound(bps, 0, 1_000));
        (, uint256 fee) = PayoutMath.splitFee(reward, bps);
        assertLe(fee * 10_000, uint256(reward) * bps, "fee above rate");
        assertLe(uint256(reward) * bps, fee * 10_000 + 9_999, "fee rounded down by more than one unit");
    }

    function testFuzz_collateral_coversRatioRoundedUp(uint96 reward, uint16 pct) public pure {
        uint256 c = PayoutMath.collateral(reward, pct);
        assertGe(c * 100, uint256(reward) * pct, "collateral below ratio");
        assertLe(c * 100, uint256(reward) * pct + 99, "collateral rounded up by more than one unit");
    }

    function testFuzz_score_staysWithinRange(uint32 completed, uint32 timedOut, uint32 lost) public pure {
        uint16 s = PayoutMath.score(completed, timedOut, lost);
        assertLe(s, 10_000, "score above max");
    }

    function testFuzz_score_risesWithCompletedJobs(uint32 completed, uint32 timedOut, uint32 lost) public {
        vm.assume(completed < type(uint32).max);
        assertGe(
            PayoutMath.score(uint256(completed) + 1, timedOut, lost),
            PayoutMath.score(completed, timedOut, lost),
            "a completed job lowered the score"
        );
    }

    function testFuzz_score_fallsWithTimeoutsAndLostDisputes(uint32 completed, uint32 timedOut, uint32 lost) public pure {
        uint16 base = PayoutMath.score(completed, timedOut, lost);
        assertLe(PayoutMath.score(completed, uint256(timedOut) + 1, lost), base, "a time-out raised the score");
        assertLe(PayoutMath.score(completed, timedOut, uint256(lost) + 1), base, "a lost dispute raised the score");
    }

    function test_score_newcomerIsNeutral() public pure {
        assertEq(PayoutMath.score(0, 0, 0), 5_000, "newcomer score");
    }
}
