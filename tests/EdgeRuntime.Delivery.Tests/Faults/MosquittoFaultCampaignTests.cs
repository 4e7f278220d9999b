namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// 34 randomly placed faults against a device on Mosquitto — chunks deleted and stray, damaged state, manifest, model and
/// plan, a full disk, Mosquitto killed (it forgets its retained messages; the fleet republishes with read-back), the
/// daemon killed mid-download and mid-swap — each followed by recovery. After each: a verified version serves within
/// 30 s of the fault, no answer ever came from a file that was not verified, a command is answered within its 10 s,
/// the status names the serving version, disk use is within the quota.
/// </summary>
public sealed class MosquittoFaultCampaignTests
{
    [Fact]
    public async Task RandomFaults_EachRecovers_AndEveryInvariantHolds() =>
        FaultCampaign.AssertHeld(await FaultCampaign.RunAsync("mosquitto"));
}
