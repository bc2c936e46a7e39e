import { expect } from "chai";
import { network } from "hardhat";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { RegistryInvalidProfileError } from "../../errors/contract-errors.ts";
import { InvalidParameterError } from "../../errors/sdk.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { createSdkFixtures } from "../../../../testkit/fixtures.ts";
import { registerProvider } from "./register-provider.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const PROFILE = { endpoint: "https://provider.example", pricePerFuel: 3n, maxFuel: 1_000_000n };

describe("registerProvider", function () {
  it("registers the sender and publishes its profile", async function () {
    const d = await loadFixture(fixtures.deployed);
    const r = await registerProvider(d.clients.stranger, PROFILE);
    expect(r.registered).to.equal(true);
    expect(r.providerId).to.equal(1);
    const [log] = await d.publicClient.getContractEvents({
      address: d.deployment.market,
      abi: hashworkMarketAbi,
      eventName: "ProviderProfileUpdated",
      args: { provider: d.address.stranger },
      fromBlock: d.deployment.fromBlock,
    });
    expect(log!.args).to.deep.equal({ provider: d.address.stranger, ...PROFILE });
  });

  it("only updates the profile of a registered provider", async function () {
    const d = await loadFixture(fixtures.staked);
    const r = await registerProvider(d.clients.provider2, { ...PROFILE, maxFuel: 7n });
    expect(r.registered).to.equal(false);
    expect(r.providerId).to.equal(2);
    expect(await d.read("providerCount")).to.equal(2);
  });

  it("throws RegistryInvalidProfileError for a zero maxFuel", async function () {
    const d = await loadFixture(fixtures.deployed);
    await expectRejection(registerProvider(d.clients.stranger, { ...PROFILE, maxFuel: 0n }), RegistryInvalidProfileError);
  });

  it("refuses an endpoint over 256 bytes before sending", async function () {
    const d = await loadFixture(fixtures.deployed);
    const error = await expectRejection(
      registerProvider(d.clients.stranger, { ...PROFILE, endpoint: `https://${"x".repeat(250)}` }),
      InvalidParameterError,
    );
    expect(error.parameter).to.equal("endpoint");
  });
});
