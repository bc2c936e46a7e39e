// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Hashwork provider registry: identities, stake, collateral locks and profiles.
/// @notice Providers register (getting a compact id), stake tokens, and lock part of that stake as
/// collateral for each job they claim. Earnings are added to stake. Leaving takes an unbonding
/// period. Only the market's own modules can lock, unlock or slash stake.
interface IProviderRegistry {
    /// @notice A provider's stake and job counters (one storage slot).
    struct StakeInfo {
        uint96 staked; // bonded stake, including locked collateral
        uint96 locked; // collateral locked by claimed jobs and dispute duties
        uint32 completed; // jobs finalized in the provider's favour
        uint32 feeUnits; // protocol fees paid on them, in reputation units (see IReputation)
    }

    /// @notice Stake on its way out.
    struct Unbonding {
        uint96 amount;
        uint40 unlockAt;
    }

    /// @notice The caller has never registered as a provider.
    error RegistryNotProvider(address account);
    /// @notice Free stake (staked minus locked) is too small.
    error RegistryInsufficientFreeStake(address provider, uint256 free, uint256 needed);
    /// @notice Less stake is locked than the unlock or slash asks for.
    error RegistryInsufficientLockedStake(address provider, uint256 locked, uint256 needed);
    /// @notice The provider's stake is below the governance minimum.
    error RegistryBelowMinimumStake(address provider, uint256 staked, uint256 minimum);
    /// @notice Unbonding stake can be withdrawn only after `unlockAt`.
    error RegistryUnbondingNotElapsed(address provider, uint256 unlockAt);
    /// @notice There is no unbonding stake to withdraw.
    error RegistryNothingToWithdraw(address provider);
    /// @notice Stake amounts are capped at `type(uint96).max`.
    error RegistryStakeTooLarge(uint256 amount);
    /// @notice A profile field is out of bounds (endpoint longer than 256 bytes, zero max fuel).
    error RegistryInvalidProfile();
    /// @notice All provider ids are taken.
    error RegistryFull();

    /// @notice `provider` got the compact id `providerId` (used in job records).
    /// @param provider The provider registered.
    /// @param providerId Its compact id.
    event ProviderRegistered(address indexed provider, uint32 indexed providerId);
    /// @notice A provider published where it serves outputs and what it accepts.
    /// @param provider The provider.
    /// @param endpoint Where it serves job outputs.
    /// @param pricePerFuel Its asking price per unit of fuel (advisory).
    /// @param maxFuel The largest fuel limit it accepts.
    event ProviderProfileUpdated(
        address indexed provider,
        string endpoint,
        uint256 pricePerFuel,
        uint64 maxFuel
    );
    /// @notice Stake added (by deposit or by earnings being paid into stake).
    /// @param provider The provider.
    /// @param amount Tokens added.
    /// @param totalStaked Its stake afterwards.
    event Staked(address indexed provider, uint256 amount, uint256 totalStaked);
    /// @notice Stake moved to unbonding; withdrawable from `unlockAt`.
    /// @param provider The provider.
    /// @param amount Tokens moved to unbonding.
    /// @param unlockAt When they can be withdrawn (unix seconds).
    event UnstakeRequested(address indexed provider, uint256 amount, uint256 unlockAt);
    /// @notice Unbonded stake was sent to the provider.
    /// @param provider The provider.
    /// @param to The recipient.
    /// @param amount Tokens sent.
    event UnstakeWithdrawn(address indexed provider, address indexed to, uint256 amount);
    /// @notice Collateral of a voided dispute was unlocked (claims and settlements report their
    /// locks in `JobClaimed` and `JobFinalized`).
    /// @param provider The provider.
    /// @param amount Collateral unlocked.
    /// @param totalLocked Its locked stake afterwards.
    event StakeUnlocked(address indexed provider, uint256 amount, uint256 totalLocked);
    /// @notice Locked stake was taken from `provider` and credited to `beneficiary`'s balance.
    /// @param provider The provider slashed.
    /// @param beneficiary The account credited in the ledger.
    /// @param amount Tokens taken.
    event StakeSlashed(address indexed provider, address indexed beneficiary, uint256 amount);

    /// @notice Register the caller (if new) and publish its profile.
    /// @param endpoint Where it serves job outputs.
    /// @param pricePerFuel Its asking price per unit of fuel (advisory).
    /// @param maxFuel The largest fuel limit it accepts.
    function registerProvider(string calldata endpoint, uint256 pricePerFuel, uint64 maxFuel) external;

    /// @notice Pull `amount` tokens from the caller into its stake, registering it if new.
    /// @param amount Tokens pulled from the caller by allowance.
    function stake(uint256 amount) external;

    /// @notice Apply an EIP-2612 permit, then stake.
    /// @param amount Tokens to stake (and the permit's value).
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Move `amount` of free stake to unbonding (restarts the unbonding clock).
    /// @param amount Free stake to move to unbonding.
    function requestUnstake(uint256 amount) external;

    /// @notice Send all unbonded stake to `to` once its unbonding period has passed.
    /// @param to The recipient.
    function withdrawUnstaked(address to) external;

    /// @notice The provider's stake record.
    /// @param provider The provider asked about.
    /// @return Its stake record: staked, locked, jobs completed and fees paid.
    function stakeOf(address provider) external view returns (StakeInfo memory);

    /// @notice The provider's pending unbonding.
    /// @param provider The provider asked about.
    /// @return Its unbonding amount and unlock time.
    function unbondingOf(address provider) external view returns (Unbonding memory);

    /// @notice Staked minus locked.
    /// @param provider The provider asked about.
    /// @return Its stake not locked as collateral.
    function freeStakeOf(address provider) external view returns (uint256);

    /// @notice The compact id of `provider` (0 if unregistered).
    /// @param provider The provider asked about.
    /// @return Its compact id, or 0.
    function providerIdOf(address provider) external view returns (uint32);

    /// @notice The provider behind a compact id.
    /// @param providerId A compact id.
    /// @return The provider's address (zero if unknown).
    function providerById(uint32 providerId) external view returns (address);

    /// @notice How many providers have registered (ids run from 1 to this number).
    function providerCount() external view returns (uint32);
}
