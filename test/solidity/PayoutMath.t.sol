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

    function testFuzz_score_staysWithinRange(uint96 fees, uint96 reward, uint32 timedOut, uint32 lost) public pure {
        assertLe(PayoutMath.score(fees, reward, timedOut, lost), 10_000, "score above max");
    }

    function testFuzz_score_risesWithFeesPaid(uint96 fees, uint96 more, uint96 reward, uint32 timedOut, uint32 lost)
        public
        pure
    {
        assertGe(
            PayoutMath.score(uint256(fees) + more, reward, timedOut, lost),
            PayoutMath.score(fees, reward, timedOut, lost),
            "paying fees lowered the score"
        );
    }

    function testFuzz_score_fallsWithTheJobsReward(uint96 fees, uint96 reward, uint96 more) public pure {
        assertLe(
            PayoutMath.score(fees, uint256(reward) + more, 0, 0),
            PayoutMath.score(fees, reward, 0, 0),
            "a larger job scored higher"
        );
    }

    function testFuzz_score_fallsWithTimeoutsAndLostDisputes(uint96 fees, uint96 reward, uint32 timedOut, uint32 lost)
        public
        pure
    {
        uint16 base = PayoutMath.score(fees, reward, timedOut, lost);
        assertLe(PayoutMath.score(fees, reward, uint256(timedOut) + 1, lost), base, "a time-out raised the score");
        assertLe(PayoutMath.score(fees, reward, timedOut, uint256(lost) + 1), base, "a lost dispute raised the score");
    }

    /// @dev The inequality of docs/economics.md: the fees that reach score S for a job of reward R
    /// (the cost of buying it by self-dealing) are at least R × S / (10000 − S), so above 5,000
    /// they exceed the job's reward.
    function testFuzz_score_costsMoreThanTheJobAboveHalf(uint96 fees, uint96 reward, uint16 required) public pure {
        reward = uint96(bound(reward, 1, type(uint96).max));
        required = uint16(bound(required, 5_001, 9_999));
        if (PayoutMath.score(fees, reward, 0, 0) < required) return;
        assertGe(uint256(fees) * (10_000 - required), uint256(reward) * required, "score bought below R*S/(10000-S)");
        assertTrue(fees > reward, "a gate above 5,000 bought for less than the job");
    }

    function test_score_newcomerScoresZero() public pure {
        assertEq(PayoutMath.score(0, 10e18, 0, 0), 0, "newcomer score");
    }

    function test_score_feesNineTimesTheRewardScore9000() public pure {
        assertEq(PayoutMath.score(90e18, 10e18, 0, 0), 9_000, "90 tokens of fees against a 10-token job");
    }
}
