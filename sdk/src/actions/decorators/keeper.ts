import type { HashworkBaseClient } from "../../utils/client.ts";
import { arbitrate, type ArbitrateParameters, type ArbitrateReturnType } from "../keeper/arbitrate.ts";
import { drawCommittee, type DrawCommitteeParameters, type DrawCommitteeReturnType } from "../keeper/draw-committee.ts";
import { expireJob, type ExpireJobParameters, type ExpireJobReturnType } from "../keeper/expire-job.ts";
import {
  isSelectedForAudit,
  type IsSelectedForAuditParameters,
  type IsSelectedForAuditReturnType,
} from "../keeper/is-selected-for-audit.ts";
import { pinAuditSeed, type PinAuditSeedParameters, type PinAuditSeedReturnType } from "../keeper/pin-audit-seed.ts";
import { resolveDispute, type ResolveDisputeParameters, type ResolveDisputeReturnType } from "../keeper/resolve-dispute.ts";
import { startAudit, type StartAuditParameters, type StartAuditReturnType } from "../keeper/start-audit.ts";
import { timeOutJob, type TimeOutJobParameters, type TimeOutJobReturnType } from "../keeper/time-out-job.ts";
import { voidDispute, type VoidDisputeParameters, type VoidDisputeReturnType } from "../keeper/void-dispute.ts";

/**
 * The permissionless upkeep actions (draws, tallies, audits, expiries) and the arbiter's
 * decision, bound to a client (see the action files for each one's docs).
 */
export type KeeperActions = {
  drawCommittee: (parameters: DrawCommitteeParameters) => Promise<DrawCommitteeReturnType>;
  resolveDispute: (parameters: ResolveDisputeParameters) => Promise<ResolveDisputeReturnType>;
  voidDispute: (parameters: VoidDisputeParameters) => Promise<VoidDisputeReturnType>;
  isSelectedForAudit: (parameters: IsSelectedForAuditParameters) => Promise<IsSelectedForAuditReturnType>;
  startAudit: (parameters: StartAuditParameters) => Promise<StartAuditReturnType>;
  pinAuditSeed: (parameters: PinAuditSeedParameters) => Promise<PinAuditSeedReturnType>;
  expireJob: (parameters: ExpireJobParameters) => Promise<ExpireJobReturnType>;
  timeOutJob: (parameters: TimeOutJobParameters) => Promise<TimeOutJobReturnType>;
  arbitrate: (parameters: ArbitrateParameters) => Promise<ArbitrateReturnType>;
};

export function keeperActions(client: HashworkBaseClient): KeeperActions {
  return {
    drawCommittee: (parameters) => drawCommittee(client, parameters),
    resolveDispute: (parameters) => resolveDispute(client, parameters),
    voidDispute: (parameters) => voidDispute(client, parameters),
    isSelectedForAudit: (parameters) => isSelectedForAudit(client, parameters),
    startAudit: (parameters) => startAudit(client, parameters),
    pinAuditSeed: (parameters) => pinAuditSeed(client, parameters),
    expireJob: (parameters) => expireJob(client, parameters),
    timeOutJob: (parameters) => timeOutJob(client, parameters),
    arbitrate: (parameters) => arbitrate(client, parameters),
  };
}
