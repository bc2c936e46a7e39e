import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { RegistryFullError, RegistryInvalidProfileError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import {
  InvalidParameterError,
  type MissingAccountError,
  type MissingWalletClientError,
  type TransactionRevertedError,
} from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

/** What a provider publishes about itself (emitted in `ProviderProfileUpdated`, not stored). */
export type ProviderProfile = {
  /** Base URL where the provider serves outputs (at most 256 bytes). */
  endpoint: string;
  /** The provider's asking price per unit of fuel, in token units (informational). */
  pricePerFuel: bigint;
  /** The largest fuel limit the provider accepts (non-zero). */
  maxFuel: bigint;
};

export type RegisterProviderParameters = WriteParameters & ProviderProfile;

export type RegisterProviderReturnType = {
  /** The provider's compact id. */
  providerId: number;
  /** Whether this call registered the provider (false: it only updated the profile). */
  registered: boolean;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type RegisterProviderErrorType =
  | RegistryInvalidProfileError
  | RegistryFullError
  | InvalidParameterError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Registers the sender as a provider (if new) and publishes its profile: where it serves
 * outputs, its price per fuel and the most fuel it accepts. Calling it again updates the profile.
 * Claiming jobs also needs stake (`stake`).
 *
 * @example
 * await registerProvider(client, { endpoint: "https://provider.example", pricePerFuel: 1n, maxFuel: 1_000_000_000n })
 */
export async function registerProvider(
  client: HashworkBaseClient,
  parameters: RegisterProviderParameters,
): Promise<RegisterProviderReturnType> {
  const { address: provider } = requireWallet(client, "registerProvider", parameters.account);
  if (new TextEncoder().encode(parameters.endpoint).length > 256) {
    throw new InvalidParameterError({ parameter: "endpoint", reason: "must be at most 256 bytes" });
  }
  const sent = await sendContractTransaction(client, {
    action: "registerProvider",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "registerProvider",
    args: [parameters.endpoint, parameters.pricePerFuel, parameters.maxFuel],
    options: parameters,
  });
  const [registration] = marketEventsInReceipt(client, sent.receipt, "ProviderRegistered");
  const providerId =
    registration?.args.providerId ??
    (await client.publicClient.readContract({
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "providerIdOf",
      args: [provider],
    }));
  return { providerId, registered: registration !== undefined, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
