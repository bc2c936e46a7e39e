import type { Address, Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import {
  DisputeChallengeNotCommittedError,
  DisputeChallengeRevealTooEarlyError,
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  type DisputeInvalidChallengeHashError,
  type DisputeProviderCannotChallengeError,
  type MarketChallengeWindowClosedError,
  type MarketTermsMismatchError,
  type MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import { decodeContractError, throwDecoded } from "../../errors/decode.ts";
import {
  InvalidParameterError,
  type JobResultNotFoundError,
  type MissingAccountError,
  type MissingWalletClientError,
  type TransactionRevertedError,
} from "../../errors/sdk.ts";
import { requireWallet, type AccountParameter, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { getTokenAddress } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { commitChallenge } from "./commit-challenge.ts";
import {
  checkBytes32,
  computeChallengeCommitment,
  getDisputesAddress,
  openedDisputeInReceipt,
  randomSalt,
  resolveTerms,
  simulatingPending,
  type OpenedDispute,
} from "../shared/disputes.ts";

export type ChallengeJobParameters = WriteParameters & {
  jobId: bigint;
  /**
   * The result hash you believe is right (`computeResultHash` of your own run). Must be
   * non-zero and differ from the provider's.
   */
  challengerHash: Hex;
  /**
   * The salt of a commitment you made earlier with `commitChallenge`: this call then only
   * reveals it. Default: none — the call commits first (random salt), waits for a later block
   * and reveals.
   */
  salt?: Hex | undefined;
  /**
   * The settlement terms. Default: recovered from the job's `ResultSubmitted` event (searched
   * from the deployment's `fromBlock`).
   */
  terms?: SubmittedJobTerms | undefined;
  /** Called as each step is done (for progress lines); errors it throws are not caught. */
  onProgress?: ((step: ChallengeJobProgress) => void) | undefined;
};

/** The steps of a challenge, in order (`committed` only when the call commits itself). */
export type ChallengeJobProgress =
  | { step: "committed"; commitment: Hex; salt: Hex; commitBlock: bigint; transactionHash: Hash }
  | { step: "approved"; transactionHash: Hash }
  | { step: "waiting"; commitBlock: bigint }
  | { step: "revealing" };

export type ChallengeJobReturnType = {
  /** The dispute as opened (`DisputeOpened`); draw its committee once `seedBlock` is mined. */
  dispute: OpenedDispute;
  terms: SubmittedJobTerms;
  /** The challenge commitment revealed: `keccak256(abi.encode(jobId, challengerHash, challenger, salt))`. */
  commitment: Hex;
  /** Its salt (the one given, or the random one the call committed with). */
  salt: Hex;
  /** The `commitChallenge` this call sent (none when `salt` was given). */
  commitTransactionHash?: Hash | undefined;
  /** The `approve` sent first, when the dispute module's allowance was short of the bond. */
  approvalTransactionHash?: Hash | undefined;
  /** The reveal (`challenge`), which opened the dispute. */
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ChallengeJobErrorType =
  | DisputeProviderCannotChallengeError
  | DisputeInvalidChallengeHashError
  | DisputeChallengeNotCommittedError
  | DisputeChallengeRevealTooEarlyError
  | MarketUnexpectedJobStateError
  | MarketChallengeWindowClosedError
  | MarketTermsMismatchError
  | ERC20InsufficientBalanceError
  | JobResultNotFoundError
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

type ChallengeCall = {
  address: Address;
  abi: typeof hashworkDisputesAbi;
  functionName: "challenge";
  args: readonly [bigint, SubmittedJobTerms, Hex, Hex];
};

/**
 * Challenges a submitted result during its challenge window: names the hash you believe is
 * right and posts the dispute module's `challengeBond`, which the module pulls from your wallet
 * by allowance. Anyone but the provider may challenge (requesters and watchers alike). If the
 * committee sides with you, you get the bond back plus a share of the provider's collateral; if
 * it sides with the provider, the bond pays the provider and the verifiers (`docs/economics.md`).
 *
 * A challenge is two transactions, so nobody can copy it out of the mempool: a commitment
 * (`commitChallenge`), then the reveal (`challenge`) in a later block. Without `salt` this call
 * does both: it first checks that the challenge would be accepted (the hash, the job's state,
 * terms and window, the bond in your wallet), commits with a random salt, waits for a block
 * after the commitment's (on a node that mines on demand the next transaction is that block),
 * and reveals. With `salt` it reveals a commitment you made earlier. When the allowance is short
 * it approves exactly the bond before the reveal — after a dry run shows the reveal itself
 * would succeed, so a refused challenge costs no approval.
 *
 * @example
 * const { outputHash, fuelUsed, status } = await runMyself(job)
 * const { dispute } = await challengeJob(client, { jobId, challengerHash: computeResultHash(outputHash, fuelUsed, status) })
 * // a keeper (anyone) then calls drawCommittee once dispute.seedBlock is mined
 */
export async function challengeJob(client: HashworkBaseClient, parameters: ChallengeJobParameters): Promise<ChallengeJobReturnType> {
  const { jobId, onProgress } = parameters;
  const challengerHash = checkBytes32("challengerHash", parameters.challengerHash);
  const givenSalt = parameters.salt === undefined ? undefined : checkBytes32("salt", parameters.salt);
  if (givenSalt === undefined && parameters.nonce !== undefined) {
    throw new InvalidParameterError({
      parameter: "nonce",
      reason: "only with `salt`: without it the call sends the commitment and the reveal",
    });
  }
  const { account, address: challenger } = requireWallet(client, "challengeJob", parameters.account);
  const disputes = await getDisputesAddress(client);
  const terms = await resolveTerms(client, jobId, parameters.terms);
  const pending = simulatingPending(client);
  const bond = await readBond(client, { disputes, challenger });

  let salt: Hex;
  let commitBlock: bigint;
  let commitTransactionHash: Hash | undefined;
  if (givenSalt === undefined) {
    // Everything the reveal will check, before the commitment costs anything.
    await precheck(pending, { disputes, jobId, terms, challengerHash, account, bond });
    const { maxFeePerGas, maxPriorityFeePerGas } = parameters;
    const committed = await commitChallenge(client, { jobId, challengerHash, account, maxFeePerGas, maxPriorityFeePerGas });
    salt = committed.salt;
    commitBlock = committed.receipt.blockNumber;
    commitTransactionHash = committed.transactionHash;
    onProgress?.({ step: "committed", commitment: committed.commitment, salt, commitBlock, transactionHash: commitTransactionHash });
  } else {
    salt = givenSalt;
    const commitment = computeChallengeCommitment({ jobId, challengerHash, challenger, salt });
    // 0 when never committed: the dry run below then fails with DisputeChallengeNotCommitted.
    commitBlock = await client.publicClient.readContract({
      address: disputes,
      abi: hashworkDisputesAbi,
      functionName: "challengeCommitBlock",
      args: [commitment],
    });
  }
  const commitment = computeChallengeCommitment({ jobId, challengerHash, challenger, salt });
  const call = {
    action: "challengeJob",
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "challenge",
    args: [jobId, terms, challengerHash, salt],
    options: parameters,
  } as const;
  const approvalTransactionHash = await approveBond(pending, { disputes, account, call, bond });
  if (approvalTransactionHash) onProgress?.({ step: "approved", transactionHash: approvalTransactionHash });
  if (commitBlock > 0n) await waitForRevealBlock(client, { commitBlock, call, account, onProgress });
  onProgress?.({ step: "revealing" });
  const sent = await sendContractTransaction(pending, call);
  return {
    dispute: openedDisputeInReceipt(disputes, sent.receipt),
    terms,
    commitment,
    salt,
    commitTransactionHash,
    approvalTransactionHash,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}

/** The module's `challengeBond` and the challenger's allowance and token balance. */
async function readBond(client: HashworkBaseClient, { disputes, challenger }: { disputes: Address; challenger: Address }) {
  const read = client.publicClient;
  const [config, token] = await Promise.all([
    read.readContract({ address: disputes, abi: hashworkDisputesAbi, functionName: "config" }),
    getTokenAddress(client),
  ]);
  const [allowance, balance] = await Promise.all([
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "allowance", args: [challenger, disputes] }),
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [challenger] }),
  ]);
  return { amount: config.challengeBond, allowance, balance, token, challenger };
}

type Bond = Awaited<ReturnType<typeof readBond>>;

/** The token would refuse the transfer; say so before sending anything. */
function checkBalance(bond: Bond): void {
  if (bond.balance < bond.amount) {
    throw new ERC20InsufficientBalanceError([bond.challenger, bond.balance, bond.amount], { contractAddress: bond.token });
  }
}

/**
 * Before committing: the reveal's own checks (dry-run with a salt never committed, so it may
 * only fail on the missing commitment), the market's checks of the job (its state, terms and
 * window: `openDispute` dry-run as the module calls it) and the bond in the wallet.
 */
async function precheck(
  client: HashworkBaseClient,
  {
    disputes,
    jobId,
    terms,
    challengerHash,
    account,
    bond,
  }: { disputes: Address; jobId: bigint; terms: SubmittedJobTerms; challengerHash: Hex; account: AccountParameter; bond: Bond },
): Promise<void> {
  const read = client.publicClient;
  try {
    await read.simulateContract({
      address: disputes,
      abi: hashworkDisputesAbi,
      functionName: "challenge",
      args: [jobId, terms, challengerHash, randomSalt()],
      account,
    });
  } catch (error) {
    const revert = decodeContractError(error);
    if (!(revert instanceof DisputeChallengeNotCommittedError)) throw revert ?? error;
  }
  await read
    .simulateContract({
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "openDispute",
      args: [jobId, terms],
      account: disputes,
    })
    .catch(throwDecoded);
  checkBalance(bond);
}

/**
 * Approves the dispute module for exactly the bond when the allowance is short, after checking
 * the wallet holds the bond and that the challenge would pass every other check (a dry run
 * that may only fail on the missing allowance, or on a reveal still in its commitment's block).
 */
async function approveBond(
  client: HashworkBaseClient,
  { disputes, account, call, bond }: { disputes: Address; account: AccountParameter; call: ChallengeCall; bond: Bond },
): Promise<Hash | undefined> {
  if (bond.allowance >= bond.amount) return undefined;
  try {
    await client.publicClient.simulateContract({
      address: call.address,
      abi: call.abi,
      functionName: call.functionName,
      args: call.args,
      account,
    });
  } catch (error) {
    const revert = decodeContractError(error);
    const expected = revert instanceof ERC20InsufficientAllowanceError || revert instanceof DisputeChallengeRevealTooEarlyError;
    if (!expected) throw revert ?? error;
  }
  checkBalance(bond);
  const { transactionHash } = await sendContractTransaction(client, {
    action: "challengeJob",
    address: bond.token,
    abi: hashworkTokenAbi,
    functionName: "approve",
    args: [disputes, bond.amount],
    options: { account },
  });
  return transactionHash;
}

/**
 * Waits until the reveal can land after its commitment: a block later than `commitBlock` is
 * mined, or the node already accepts the reveal (a node that mines on demand estimates gas in
 * the pending block, where the reveal will land). Any other refusal ends the wait: the reveal's
 * own dry run then reports it.
 */
async function waitForRevealBlock(
  client: HashworkBaseClient,
  {
    commitBlock,
    call,
    account,
    onProgress,
  }: { commitBlock: bigint; call: ChallengeCall; account: AccountParameter; onProgress: ChallengeJobParameters["onProgress"] },
): Promise<void> {
  const read = client.publicClient;
  let reported = false;
  for (;;) {
    if ((await read.getBlockNumber({ cacheTime: 0 })) > commitBlock) return;
    try {
      await read.estimateContractGas({ address: call.address, abi: call.abi, functionName: call.functionName, args: call.args, account });
      return;
    } catch (error) {
      const revert = decodeContractError(error);
      if (revert && !(revert instanceof DisputeChallengeRevealTooEarlyError)) return;
    }
    if (!reported) onProgress?.({ step: "waiting", commitBlock });
    reported = true;
    await new Promise((resolve) => setTimeout(resolve, read.pollingInterval));
  }
}
