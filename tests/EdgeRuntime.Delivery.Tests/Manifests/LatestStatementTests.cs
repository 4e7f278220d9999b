using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Tests.Agent;

namespace EdgeRuntime.Delivery.Tests.Manifests;

/// <summary>Freshness of the latest topic against a real broker: an old manifest republished there is reported, not installed.</summary>
public sealed class LatestStatementTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task FreezeAttack_OldManifestRepublishedAsLatest_WithItsExpiredStatement_IsReportedStale_NotInstalled(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);

        // v1's manifest is still within its own month; the statement that once named it expired yesterday.
        var v1 = await rig.PublishAsync(TestModels.Scale(1), 1, _key, announce: false);
        await rig.PublishLatestAsync(v1, _key, createdAt: TimeProvider.System.GetUtcNow().AddDays(-2), lifetime: TimeSpan.FromDays(1));
        await rig.CopyRetainedAsync(rig.Topics.ModelVersionManifest(DeliveryRig.Model, 1), rig.Topics.ModelManifest(DeliveryRig.Model));

        var reason = await rig.WaitUntilRefusedAsync(1);
        Assert.Equal(RefusalCode.Stale, rig.Status()!.Code);
        Assert.Contains("the latest statement (for v1) expired at", reason, StringComparison.Ordinal);
        Assert.Null(rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.Empty(rig.Store.Versions(DeliveryRig.Model));

        // The fleet's real latest, with a fresh statement, is installed.
        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);
    }

    [Fact]
    public async Task ResignedStatement_MakesTheLatestInstallable_ButNotAnOlderManifestPutOnTheTopic()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key, announce: false);
        var v2 = await rig.PublishAsync(TestModels.Scale(2), 2, _key, announce: false);
        await rig.PublishLatestAsync(v2, _key, createdAt: TimeProvider.System.GetUtcNow().AddDays(-2), lifetime: TimeSpan.FromDays(1));
        await rig.CopyRetainedAsync(rig.Topics.ModelVersionManifest(DeliveryRig.Model, 2), rig.Topics.ModelManifest(DeliveryRig.Model));
        await rig.WaitUntilRefusedAsync(2);

        var publisher = new LatestStatementPublisher(rig.Fleet, rig.Topics);
        var statement = await publisher.ResignAsync(DeliveryRig.Model, _key, TimeSpan.FromHours(6), TestContext.Current.CancellationToken);
        Assert.Equal(2, statement.Version);
        await rig.WaitUntilServingAsync(2);

        // Someone puts v1's manifest on the latest topic: the scheduled re-sign does not vouch for it.
        await rig.CopyRetainedAsync(rig.Topics.ModelVersionManifest(DeliveryRig.Model, 1), rig.Topics.ModelManifest(DeliveryRig.Model));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.ResignAsync(DeliveryRig.Model, _key, TimeSpan.FromHours(6), TestContext.Current.CancellationToken));
        Assert.Contains("holds v1, but its last statement named v2", refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _key.Dispose();
}
