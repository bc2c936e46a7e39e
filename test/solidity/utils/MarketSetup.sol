// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HashworkMarket} from "../../../contracts/HashworkMarket.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {HashworkToken} from "../../../contracts/token/HashworkToken.sol";
import {TestBase} from "./TestBase.sol";

/// @notice Deploys the token and market with the local parameters used everywhere else.
abstract contract MarketSetup is TestBase {
    uint256 internal constant UNIT = 1e18;
    uint16 internal constant FEE_BPS = 100;
    uint96 internal constant MIN_STAKE = uint96(100 * UNIT);
    uint32 internal constant UNBONDING = 7 days;
    /// @dev The local job value bounds (ignition/parameters/defaults.ts): 0.01 token, 100..300 %.
    uint96 internal constant MIN_REWARD = 1e16;
    uint16 internal constant MIN_COLLATERAL_PCT = 100;
    uint16 internal constant MAX_COLLATERAL_PCT = 300;

    HashworkToken internal token;
    HashworkMarket internal market;
    address internal treasury = address(0x7EA5);

    function _deployMarket() internal {
        token = new HashworkToken(address(this), 0);
        IMarketGovernance.MarketConfig memory cfg = IMarketGovernance.MarketConfig({
            paused: false,
            minStake: MIN_STAKE,
            unbondingPeriod: UNBONDING,
            maxClaimDelay: 7 days,
            minExecutionTime: 1,
            maxExecutionTime: 7 days,
            minChallengeWindow: 1,
            maxChallengeWindow: 7 days,
            minReward: MIN_REWARD,
            minCollateralPct: MIN_COLLATERAL_PCT,
            maxCollateralPct: MAX_COLLATERAL_PCT
        });
        market = new HashworkMarket(token, address(this), treasury, cfg, FEE_BPS, 14 days);
    }

    function _fund(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(market), type(uint256).max);
    }

    function _request(uint96 reward, uint16 collateralPct) internal view returns (IJobMarket.JobRequest memory) {
        return IJobMarket.JobRequest({
            programHash: keccak256("program"),
            inputHash: keccak256("input"),
            fuelLimit: 1_000_000,
            reward: reward,
            collateralPct: collateralPct,
            claimDeadline: uint40(block.timestamp + 1 hours),
            executionTime: 600,
            challengeWindow: 600,
            minReputation: 0,
            designatedProvider: address(0),
            programURI: "",
            inputURI: ""
        });
    }
}
