namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// 34 randomly placed faults against a device on the embedded broker — as for Mosquitto, except that killing the broker
/// means killing the daemon that hosts it (its retained messages persist in the state directory) — each followed by
/// recovery and the same invariants.
/// </summary>
public sealed class EmbeddedBrokerFaultCampaignTests
{
    [Fact]
    public async Task RandomFaults_EachRecovers_AndEveryInvariantHolds() =>
        FaultCampaign.AssertHeld(await FaultCampaign.RunAsync("embedded"));
}
