using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Tests.Agent;

namespace EdgeRuntime.Delivery.Tests.Trust;

/// <summary>Anti-rollback that deleting the model store's state does not reset.</summary>
public sealed class VersionFloorsTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    /// <summary>v1, v2, v3 serve in turn; an attacker keeps copies of v1's manifest and its statement (still fresh) on the broker to replay.</summary>
    private async Task<DeliveryRig> ThreeVersionsAsync()
    {
        var rig = await DeliveryRig.StartAsync("embedded", _key, options => options.KeepVersions = 1);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.CopyRetainedAsync(rig.Topics.ModelManifest(DeliveryRig.Model), "attacker/manifest");
        await rig.CopyRetainedAsync(rig.Topics.ModelLatest(DeliveryRig.Model), "attacker/latest");
        for (var version = 2; version <= 3; version++)
        {
            await rig.PublishAsync(TestModels.Scale(version), version, _key);
            await rig.WaitUntilServingAsync(version);
        }

        return rig;
    }

    [Fact]
    public async Task StoreStateAndTrustStateDeleted_AnOldValidManifest_IsRefused_FromTheSignedManifestsOnDisk()
    {
        await using var rig = await ThreeVersionsAsync();
        await rig.RestartDeviceAsync(() =>
        {
            File.Delete(Path.Combine(rig.Store.Root, DeliveryRig.Model, "state.json"));
            File.Delete(Path.Combine(rig.StateDirectory, "trust", "versions.json"));
        });
        await rig.WaitUntilServingAsync(3);

        await ReplayAsync(rig);
        Assert.Equal(RefusalCode.NotNewer, rig.Status()!.Code);
        Assert.Equal(3, rig.Server.ServingVersion(DeliveryRig.Model));
    }

    [Fact]
    public async Task WholeModelFolderDeleted_AnOldValidManifest_IsRefused_FromTheTrustState()
    {
        await using var rig = await ThreeVersionsAsync();
        await rig.RestartDeviceAsync(() => Directory.Delete(Path.Combine(rig.Store.Root, DeliveryRig.Model), recursive: true));

        await ReplayAsync(rig);
        Assert.Equal(RefusalCode.NotNewer, rig.Status()!.Code);
        Assert.Null(rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.Empty(rig.Store.Versions(DeliveryRig.Model));
    }

    /// <summary>v1's manifest is published again as the latest, with v1's statement (signed when v1 was published, fresh for a day): anti-rollback alone must refuse it.</summary>
    private async Task ReplayAsync(DeliveryRig rig)
    {
        await rig.CopyRetainedAsync("attacker/latest", rig.Topics.ModelLatest(DeliveryRig.Model));
        await rig.CopyRetainedAsync("attacker/manifest", rig.Topics.ModelManifest(DeliveryRig.Model));
        Assert.Contains("not newer than v3", await rig.WaitUntilRefusedAsync(1), StringComparison.Ordinal);
    }

    public void Dispose() => _key.Dispose();
}
