import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType, Hash, TransactionReceipt } from "viem";

import { throwDecoded } from "../errors/decode.ts";
import { TransactionRevertedError } from "../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "./client.ts";

type Mutability = "nonpayable" | "payable";

export type SendContractTransactionParameters<abi extends Abi, functionName extends ContractFunctionName<abi, Mutability>> = {
  /** The SDK action's name, for error messages. */
  action: string;
  address: Address;
  abi: abi;
  functionName: functionName;
  args: ContractFunctionArgs<abi, Mutability, functionName>;
  /** The action's write options (account, gas, fees, nonce); other fields are ignored. */
  options?: WriteParameters | undefined;
};

export type SendContractTransactionReturnType<abi extends Abi, functionName extends ContractFunctionName<abi, Mutability>> = {
  /** What the call returned in the simulation just before sending. */
  result: ContractFunctionReturnType<abi, Mutability, functionName>;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

/**
 * Simulates a contract call (so a revert surfaces as a typed error before anything is signed),
 * sends it, waits for the receipt and checks its status. Reverts, whether found in the
 * simulation or when sending, are thrown as the generated `ContractRevertError` subclasses.
 */
export async function sendContractTransaction<const abi extends Abi, functionName extends ContractFunctionName<abi, Mutability>>(
  client: HashworkBaseClient,
  parameters: SendContractTransactionParameters<abi, functionName>,
): Promise<SendContractTransactionReturnType<abi, functionName>> {
  const options = parameters.options ?? {};
  const { walletClient, account } = requireWallet(client, parameters.action, options.account);
  const call = {
    address: parameters.address,
    abi: parameters.abi as Abi,
    functionName: parameters.functionName as string,
    args: parameters.args as readonly unknown[],
    account,
  };
  let result: unknown;
  try {
    ({ result } = await client.publicClient.simulateContract(call));
  } catch (error) {
    throwDecoded(error);
  }
  let transactionHash: Hash;
  try {
    transactionHash = await walletClient.writeContract({
      ...call,
      chain: walletClient.chain,
      gas: options.gas,
      maxFeePerGas: options.maxFeePerGas,
      maxPriorityFeePerGas: options.maxPriorityFeePerGas,
      nonce: options.nonce,
    });
  } catch (error) {
    throwDecoded(error);
  }
  const receipt = await client.publicClient.waitForTransactionReceipt({ hash: transactionHash });
  if (receipt.status !== "success") {
    throw new TransactionRevertedError({ receipt, functionName: parameters.functionName });
  }
  return {
    result: result as ContractFunctionReturnType<abi, Mutability, functionName>,
    transactionHash,
    receipt,
  };
}
