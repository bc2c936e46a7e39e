/** EIP-2612 permits for the Hashwork token, as the tests sign them. */
import { Signature } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

interface PermitToken {
  nonces(owner: string): Promise<bigint>;
  getAddress(): Promise<string>;
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** An EIP-2612 permit for the Hashwork token, signed with `signTypedData`. */
export async function signPermit(
  ethers: HardhatEthers,
  token: PermitToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "Hashwork Token", version: "1", chainId, verifyingContract: await token.getAddress() };
  const message = { owner: owner.address, spender, value, nonce: await token.nonces(owner.address), deadline };
  return Signature.from(await owner.signTypedData(domain, PERMIT_TYPES, message));
}
