// `hardhat hashwork:audit`: the auditor's view from contract state and events — solvency, jobs by
// state and the money they hold, providers' stakes and reputations (counters and the fees paid
// their scores are built from), disputes by phase.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { encodeEventTopics, type Address } from "viem";

import {
  checkSolvency,
  type CheckSolvencyReturnType,
  getDecodedLogs,
  getProvider,
  listDisputes,
  listJobs,
  type ProviderDetails,
} from "../sdk/src/index.ts";
import { hashworkMarketAbi } from "../sdk/src/abi/index.ts";
import { formatToken, table } from "../scripts/lib/format.ts";
import { resolveDeployment, taskClients, taskConnection, withOneLineErrors } from "./lib.ts";

export type AuditTaskArguments = { deploymentId: string };

export type AuditTaskResult = {
  blockNumber: bigint;
  solvency: CheckSolvencyReturnType;
  /** Jobs by current state, with the rewards they were posted with. */
  jobs: { total: number; byState: Record<string, { count: number; rewards: bigint }> };
  providers: ProviderDetails[];
  disputes: { total: number; byPhase: Record<string, number>; audits: number };
};

export default withOneLineErrors(async function auditTask(
  { deploymentId }: AuditTaskArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<AuditTaskResult> {
  const connection = await taskConnection(hre);
  const deployment = await resolveDeployment(hre, connection, { deploymentId: deploymentId || undefined });
  const client = (await taskClients(connection, deployment)).clientFor(0);
  const blockNumber = await client.publicClient.getBlockNumber();
  const range = { fromBlock: deployment.fromBlock, toBlock: blockNumber };

  const solvency = await checkSolvency(client, { blockNumber });
  const jobList = await listJobs(client, range);
  const byState: AuditTaskResult["jobs"]["byState"] = {};
  for (const j of jobList) {
    byState[j.state] ??= { count: 0, rewards: 0n };
    const s = byState[j.state]!;
    s.count++;
    s.rewards += j.request.reward;
  }
  const registered = await getDecodedLogs(client, {
    address: deployment.market,
    abi: hashworkMarketAbi,
    topics: encodeEventTopics({ abi: hashworkMarketAbi, eventName: "ProviderRegistered" }),
    ...range,
  });
  const addresses = [...new Set(registered.flatMap((l) => (l.eventName === "ProviderRegistered" ? [l.args.provider as Address] : [])))];
  const providers = await Promise.all(addresses.map((provider) => getProvider(client, { provider, blockNumber, includeProfile: false })));
  const disputeList = await listDisputes(client, range);
  const byPhase: Record<string, number> = {};
  for (const d of disputeList) byPhase[d.phase] = (byPhase[d.phase] ?? 0) + 1;

  const tok = (v: bigint) => formatToken(v);
  console.log(`Hashwork audit on ${connection.networkName} at block ${blockNumber} (market ${deployment.market})\n`);
  console.log(
    table(
      [
        "token balance",
        "total owed",
        "accrued fees",
        "audit reserve",
        "surplus",
        "deficit",
        "dispute module held",
        "verifier pool held",
        "solvent",
      ],
      [
        [
          tok(solvency.balance),
          tok(solvency.totalOwed),
          tok(solvency.accruedFees),
          tok(solvency.auditReserve),
          tok(solvency.surplus),
          tok(solvency.deficit),
          solvency.disputes ? tok(solvency.disputes.totalHeld) : "-",
          solvency.verifierPool ? tok(solvency.verifierPool.totalHeld) : "-",
          solvency.solvent ? "yes" : "NO",
        ],
      ],
    ),
  );
  console.log(`\nJobs: ${jobList.length}`);
  if (jobList.length)
    console.log(
      table(
        ["state", "jobs", "rewards posted"],
        Object.entries(byState).map(([s, v]) => [s, v.count, tok(v.rewards)]),
      ),
    );
  console.log(`\nProviders: ${providers.length}`);
  if (providers.length) {
    console.log(
      table(
        ["provider", "staked", "locked", "fees paid", "completed", "timed out", "lost", "won"],
        providers.map((p) => [
          p.address,
          tok(p.staked),
          tok(p.locked),
          tok(p.reputation.feesPaid),
          p.reputation.completed,
          p.reputation.timedOut,
          p.reputation.disputesLost,
          p.reputation.disputesWon,
        ]),
      ),
    );
  }
  console.log(
    `\nDisputes: ${disputeList.length}${
      disputeList.length
        ? ` (${Object.entries(byPhase)
            .map(([p, n]) => `${p} ${n}`)
            .join(", ")})`
        : ""
    }`,
  );
  return {
    blockNumber,
    solvency,
    jobs: { total: jobList.length, byState },
    providers,
    disputes: { total: disputeList.length, byPhase, audits: disputeList.filter((d) => d.isAudit).length },
  };
});
