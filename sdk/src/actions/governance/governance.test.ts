// The governance actions against the real stack (the Ignition deployment, demo parameters):
// delegate → propose → vote → queue (pending with its eta) → execute, the guardian's cancel, and
// the checks made before anything is sent.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import { deploy, DeploymentResultType } from "@nomicfoundation/ignition-core";
import { expect } from "chai";
import { artifacts, network } from "hardhat";
import { getAddress, type Address } from "viem";

import HashworkModule from "../../../../ignition/modules/Hashwork.ts";
import { loadIgnitionDeployment } from "../../deployments.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import type { HashworkBaseClient, HashworkPublicClient, HashworkWalletClient } from "../../utils/client.ts";
import { cancelQueuedChange } from "./cancel-queued-change.ts";
import { castVote } from "./cast-vote.ts";
import { delegateVotes } from "./delegate-votes.ts";
import { executeProposal } from "./execute-proposal.ts";
import { listProposals } from "./list-proposals.ts";
import { proposeChange } from "./propose-change.ts";
import { queueProposal } from "./queue-proposal.ts";
import { parseCallArguments } from "./shared.ts";

const connection = await network.create();
const { loadFixture, time } = connection.networkHelpers;

/** `ignition/parameters/demo.json`'s governance and market bounds (a 6-hour timelock), with account 8 as guardian. */
const DEMO_GOVERNANCE = {
  unbondingPeriod: 3600,
  maxDisputeDuration: 3600,
  maxClaimDelay: 7200,
  maxExecutionTime: 3600,
  maxChallengeWindow: 3600,
  commitPeriod: 60,
  revealPeriod: 60,
  timelockDelay: 21_600,
  votingDelay: 1,
  votingPeriod: 60,
  quorumPercent: 4,
};

/** The Ignition deployment (`ignition/modules/Hashwork.ts`) on the test's chain. */
async function ignitionDeploy(guardian: Address) {
  const dir = await mkdtemp(join(tmpdir(), "hashwork-gov-sdk-"));
  try {
    const deploymentDir = join(dir, "gov");
    const result = await deploy({
      artifactResolver: new HardhatArtifactResolver(artifacts),
      provider: connection.provider,
      deploymentDir,
      ignitionModule: HashworkModule,
      deploymentParameters: { $global: { ...DEMO_GOVERNANCE, guardian } },
      accounts: (await connection.provider.request({ method: "eth_accounts" })) as string[],
    });
    if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) throw new Error(`Ignition failed: ${result.type}`);
    return await loadIgnitionDeployment({ chainId: 31337, deploymentsDir: dirname(deploymentDir), deploymentId: basename(deploymentDir) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const wallets = await connection.viem.getWalletClients();
const accountOf = (index: number) => getAddress(wallets[index]!.account.address);

async function governed() {
  const deployment = await ignitionDeploy(accountOf(8));
  const publicClient = (await connection.viem.getPublicClient()) as HashworkPublicClient;
  const clientFor = (index: number): HashworkBaseClient => ({
    publicClient,
    walletClient: wallets[index] as HashworkWalletClient,
    deployment,
  });
  const holder = clientFor(0);
  await delegateVotes(holder);
  return { deployment, holder, guardian: clientFor(8), publicClient };
}

async function feeChangeQueued() {
  const g = await governed();
  const { proposalId } = await proposeChange(g.holder, {
    calls: [{ contract: "market", functionName: "setFeeBps", args: ["250"] }],
    description: "fee to 2.5%",
  });
  await time.increase(2);
  await castVote(g.holder, { proposalId, support: "for" });
  await time.increase(61);
  const { eta } = await queueProposal(g.holder, { proposalId });
  return { ...g, proposalId, eta };
}

const feeBps = (g: Awaited<ReturnType<typeof governed>>) =>
  g.publicClient.readContract({ address: g.deployment.market, abi: hashworkMarketAbi, functionName: "feeBps" });

describe("governance actions", function () {
  this.timeout(60_000);

  it("propose → vote → queue → execute changes the market's fee after the timelock's delay", async () => {
    const g = await loadFixture(feeChangeQueued);
    await time.increaseTo(g.eta);
    await executeProposal(g.holder, { proposalId: g.proposalId });
    expect(await feeBps(g)).to.equal(250);
  });

  it("listProposals shows a queued change with its decoded call, votes and eta", async () => {
    const g = await loadFixture(feeChangeQueued);
    const { proposals, timelock } = await listProposals(g.holder);
    expect(proposals).to.have.length(1);
    const [p] = proposals;
    expect(p).to.deep.include({ proposalId: g.proposalId, state: "Queued", eta: g.eta, description: "fee to 2.5%" });
    expect(p!.calls[0]).to.deep.include({ contract: "market", functionName: "setFeeBps", args: [250] });
    expect(p!.votes.for > p!.quorum).to.equal(true);
    expect(timelock.delay).to.equal(21_600n);
    expect(timelock.minDelayBound).to.equal(21_600n);
  });

  it("listProposals with the pending states (what `hashwork audit` shows) lists a queued change, then drops it once executed", async () => {
    const g = await loadFixture(feeChangeQueued);
    const pending = ["Pending", "Active", "Succeeded", "Queued"] as const;
    expect((await listProposals(g.holder, { states: [...pending] })).proposals.map((p) => p.proposalId)).to.deep.equal([g.proposalId]);
    await time.increaseTo(g.eta);
    await executeProposal(g.holder, { proposalId: g.proposalId });
    expect((await listProposals(g.holder, { states: [...pending] })).proposals).to.deep.equal([]);
  });

  it("cancelQueuedChange lets the guardian cancel a queued change", async () => {
    const g = await loadFixture(feeChangeQueued);
    await cancelQueuedChange(g.guardian, { proposalId: g.proposalId });
    const { proposals } = await listProposals(g.holder);
    expect(proposals[0]!.state).to.equal("Canceled");
    expect(await feeBps(g)).to.equal(100);
  });

  it("proposeChange refuses a function that is not an owner function before sending", async () => {
    const g = await loadFixture(governed);
    const error = await expectRejection(
      proposeChange(g.holder, { calls: [{ contract: "market", functionName: "postJob", args: [] }], description: "x" }),
      InvalidParameterError,
    );
    expect(error.shortMessage).to.match(/functionName/);
  });

  it("parseCallArguments turns text into ABI values, structs from JSON", () => {
    expect(parseCallArguments("market", "setExecutionTimeBounds", ["60", "86400"])).to.deep.equal([60, 86_400]);
    expect(parseCallArguments("market", "setMinStake", ["5"])).to.deep.equal([5n]);
    const [address] = parseCallArguments("disputes", "setArbiter", [accountOf(3)]);
    expect(address).to.equal(accountOf(3));
  });
});
