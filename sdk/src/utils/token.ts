import { parseSignature, type Address, type Hash, type Hex } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { throwDecoded } from "../errors/decode.ts";
import { requireWallet, type AccountParameter, type HashworkBaseClient } from "./client.ts";
import { sendContractTransaction } from "./write.ts";

/** The ERC20 the market settles in: the deployment's `token`, or `market.token()` when absent. */
export async function getTokenAddress(client: HashworkBaseClient): Promise<Address> {
  if (client.deployment.token) return client.deployment.token;
  return client.publicClient.readContract({
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "token",
  });
}

/** How a write that pulls tokens into the market is paid for. */
export type PaymentMethod =
  /** Send an `approve` for the missing allowance first (two transactions when one is needed). */
  | "approve"
  /** Sign an EIP-2612 permit for the missing allowance and pass it along (one transaction). */
  | "permit";

/**
 * Makes sure the market may pull `amount` from `owner`: approves exactly `amount` when the
 * current allowance is lower (never an unlimited approval). Returns the approval's transaction
 * hash, or `undefined` when the allowance already sufficed.
 */
export async function approveIfNeeded(
  client: HashworkBaseClient,
  { owner, amount, account, action }: { owner: Address; amount: bigint; account?: AccountParameter; action: string },
): Promise<Hash | undefined> {
  if (amount === 0n) return undefined;
  const token = await getTokenAddress(client);
  const allowance = await client.publicClient.readContract({
    address: token,
    abi: hashworkTokenAbi,
    functionName: "allowance",
    args: [owner, client.deployment.market],
  });
  if (allowance >= amount) return undefined;
  const { transactionHash } = await sendContractTransaction(client, {
    action,
    address: token,
    abi: hashworkTokenAbi,
    functionName: "approve",
    args: [client.deployment.market, amount],
    options: { account },
  });
  return transactionHash;
}

/** An EIP-2612 permit, split the way the market's `…WithPermit` functions take it. */
export type SignedPermit = { value: bigint; deadline: bigint; v: number; r: Hex; s: Hex };

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * Signs an EIP-2612 permit letting the market pull `value` of the token from the signer. The
 * domain comes from the token's ERC-5267 `eip712Domain()`, or from `name()` with version "1"
 * for tokens without it.
 */
export async function signPermit(
  client: HashworkBaseClient,
  { value, deadline, account, action }: { value: bigint; deadline: bigint; account?: AccountParameter; action: string },
): Promise<SignedPermit> {
  const { walletClient, account: signer, address: owner } = requireWallet(client, action, account);
  const token = await getTokenAddress(client);
  const read = client.publicClient;
  let domain: { name: string; version: string; chainId: number; verifyingContract: Address };
  try {
    const [, name, version, chainId, verifyingContract] = await read.readContract({
      address: token,
      abi: hashworkTokenAbi,
      functionName: "eip712Domain",
    });
    domain = { name, version, chainId: Number(chainId), verifyingContract };
  } catch {
    const name = await read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "name" }).catch(throwDecoded);
    domain = { name, version: "1", chainId: client.deployment.chainId, verifyingContract: token };
  }
  const nonce = await read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "nonces", args: [owner] });
  const signature = await walletClient.signTypedData({
    account: signer,
    domain,
    types: PERMIT_TYPES,
    primaryType: "Permit",
    message: { owner, spender: client.deployment.market, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { value, deadline, r, s, v: v !== undefined ? Number(v) : yParity + 27 };
}
