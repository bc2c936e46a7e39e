import { encodeEventTopics, zeroAddress, type Address, type Hash, type ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { PhaseName } from "../../abi/enums.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import {
  checksummed,
  indexedBlock,
  indexerPages,
  IndexerUnavailableError,
  withIndexer,
  indexerGet,
  type IndexerOption,
} from "../../utils/indexer.ts";
import { getDecodedLogs, type BlockRange } from "../../utils/logs.ts";
import { getDisputesAddress, phaseName, type OpenedDispute } from "../shared/disputes.ts";

export type ListDisputesParameters = BlockRange & {
  /** Only disputes currently in one of these phases (e.g. `["AwaitingDraw", "Voting"]`). Default: all. */
  phases?: readonly PhaseName[] | undefined;
  /** Only challenges by this address. */
  challenger?: Address | undefined;
  /** Only disputes of this provider's results. */
  provider?: Address | undefined;
  /**
   * Read the list from this indexer (default: the client's `indexer`), falling back to logs.
   * Without `toBlock`, the phases are as of the indexer's last indexed block.
   */
  indexer?: IndexerOption | undefined;
};

export type DisputeSummary = OpenedDispute & {
  /** Whether it is a random audit (no challenger). */
  isAudit: boolean;
  /** The phase as of `toBlock` (default: the latest block). */
  phase: PhaseName;
  /** The round as of `toBlock`. */
  round: number;
  openedBlock: bigint;
  transactionHash: Hash;
};

export type ListDisputesReturnType = DisputeSummary[];

export type ListDisputesErrorType = ReadContractErrorType | MissingDeploymentAddressError;

/** How many `getDispute` reads run at once. */
const READ_CONCURRENCY = 16;

/**
 * Lists disputes from the module's `DisputeOpened` events (in opening order), each with its
 * phase and round read at the block the log search ended at, optionally filtered by phase,
 * challenger and provider. A keeper lists `{ phases: ["AwaitingDraw", "Voting"] }` to find
 * draws and resolutions to run.
 *
 * @example
 * const open = await listDisputes(client, { phases: ["AwaitingDraw", "Voting", "AwaitingArbiter"] })
 * const mine = await listDisputes(client, { provider: account.address })
 */
export async function listDisputes(client: HashworkBaseClient, parameters: ListDisputesParameters = {}): Promise<ListDisputesReturnType> {
  return withIndexer(
    client,
    parameters.indexer,
    (indexer) => listDisputesFromIndexer(client, indexer, parameters),
    () => listDisputesFromLogs(client, parameters),
  );
}

async function listDisputesFromLogs(client: HashworkBaseClient, parameters: ListDisputesParameters): Promise<ListDisputesReturnType> {
  const disputes = await getDisputesAddress(client);
  const toBlock = parameters.toBlock ?? (await client.publicClient.getBlockNumber());
  const args: { challenger?: Address; provider?: Address } = {};
  if (parameters.challenger) args.challenger = parameters.challenger;
  if (parameters.provider) args.provider = parameters.provider;
  const logs = await getDecodedLogs(client, {
    address: disputes,
    abi: hashworkDisputesAbi,
    topics: encodeEventTopics({ abi: hashworkDisputesAbi, eventName: "DisputeOpened", args }),
    fromBlock: parameters.fromBlock,
    toBlock,
    maxBlockRange: parameters.maxBlockRange,
  });
  const opened = logs.flatMap((l) => (l.eventName === "DisputeOpened" ? [l] : []));
  const current: { phase: PhaseName; round: number }[] = new Array(opened.length);
  for (let i = 0; i < opened.length; i += READ_CONCURRENCY) {
    const batch = opened.slice(i, i + READ_CONCURRENCY);
    const read = await Promise.all(
      batch.map((l) =>
        client.publicClient.readContract({
          address: disputes,
          abi: hashworkDisputesAbi,
          functionName: "getDispute",
          args: [l.args.jobId],
          blockNumber: toBlock,
        }),
      ),
    );
    for (const [j, d] of read.entries()) current[i + j] = { phase: phaseName(d.phase), round: d.round };
  }
  const wanted = parameters.phases ? new Set(parameters.phases) : undefined;
  return opened
    .map((l, i) => ({
      jobId: l.args.jobId,
      challenger: l.args.challenger,
      provider: l.args.provider,
      providerHash: l.args.providerHash,
      challengerHash: l.args.challengerHash,
      bond: l.args.bond,
      seedBlock: l.args.seedBlock,
      isAudit: l.args.challenger === zeroAddress,
      phase: current[i]!.phase,
      round: current[i]!.round,
      openedBlock: l.blockNumber,
      transactionHash: l.transactionHash,
    }))
    .filter((d) => !wanted || wanted.has(d.phase));
}

/** A row of the indexer's `dispute` table, as `/api/disputes` sends it. */
type IndexedDispute = {
  jobId: string;
  challenger: string;
  provider: string;
  providerHash: Hash;
  challengerHash: Hash;
  bond: string;
  openedSeedBlock: string | null;
  round: number;
  phase: PhaseName;
  openedBlock: string;
  openedTx: Hash | null;
};

/** The same list from the indexer's `/api/disputes`, when it has indexed exactly `toBlock` (or no `toBlock` was asked). */
async function listDisputesFromIndexer(
  client: HashworkBaseClient,
  indexer: IndexerOption,
  parameters: ListDisputesParameters,
): Promise<ListDisputesReturnType> {
  // The module the indexer follows must be the one this client would scan.
  const module = await getDisputesAddress(client);
  const deployment = await indexerGet<{ disputes?: string }>(indexer, "/api/deployment");
  if (deployment.disputes === undefined || checksummed(deployment.disputes) !== checksummed(module)) {
    throw new IndexerUnavailableError(`indexer follows dispute module ${deployment.disputes}, not ${module}`);
  }
  const block = await indexedBlock(client, indexer);
  if (parameters.toBlock !== undefined && parameters.toBlock !== block) {
    throw new IndexerUnavailableError(`indexer is at block ${block}, phases asked as of ${parameters.toBlock}`);
  }
  const rows = await indexerPages(client, indexer, "/api/disputes", block, (page) => page as IndexedDispute[]);
  const from = parameters.fromBlock ?? client.deployment.fromBlock ?? 0n;
  const wanted = parameters.phases ? new Set(parameters.phases) : undefined;
  const same = (a: string, b: Address | undefined) => b === undefined || checksummed(a) === checksummed(b);
  return rows
    .filter(
      (r) =>
        BigInt(r.openedBlock) >= from &&
        same(r.challenger, parameters.challenger) &&
        same(r.provider, parameters.provider) &&
        (!wanted || wanted.has(r.phase)),
    )
    .map((r) => {
      if (r.openedTx === null || r.openedSeedBlock === null)
        throw new IndexerUnavailableError("indexer has no opening transaction for a dispute (re-index it)");
      const challenger = checksummed(r.challenger);
      return {
        jobId: BigInt(r.jobId),
        challenger,
        provider: checksummed(r.provider),
        providerHash: r.providerHash,
        challengerHash: r.challengerHash,
        bond: BigInt(r.bond),
        seedBlock: BigInt(r.openedSeedBlock),
        isAudit: challenger === zeroAddress,
        phase: r.phase,
        round: r.round,
        openedBlock: BigInt(r.openedBlock),
        transactionHash: r.openedTx,
      };
    });
}
