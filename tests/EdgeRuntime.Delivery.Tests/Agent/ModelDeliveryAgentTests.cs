using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Agent;

public sealed class ModelDeliveryAgentTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    public static TheoryData<string> Brokers => ["embedded", "mosquitto"];

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task Manifest_ValidNewVersion_IsDownloadedVerifiedInstalledAndServed(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);
        var model = TestModels.Scale(3, paddingBytes: 40_000);
        var manifest = await rig.PublishAsync(model, 1, _key);

        await rig.WaitUntilServingAsync(1);
        Assert.Equal(model, await File.ReadAllBytesAsync(rig.Store.Get(DeliveryRig.Model, 1)!.Path, TestContext.Current.CancellationToken));
        Assert.Equal(manifest.Chunks.Count, rig.Chunks.ChunksReceived);
        var result = rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Graph.Ir.Tensor> { ["x"] = TestModels.Input(1, 2, 3, 4) });
        Assert.Equal(1, result.Version);
        Assert.Equal([3f, 6f, 9f, 12f], result.Outputs["y"].AsSpan<float>().ToArray());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(rig.StateDirectory, "downloads")));
    }

    [Fact]
    public async Task Restart_ServesTheStoredVersionAgain_WithoutDownloadingIt()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(2), 1, _key);
        await rig.WaitUntilServingAsync(1);

        await rig.RestartDeviceAsync();
        await rig.WaitUntilServingAsync(1);
        await rig.Agent.WaitUntilIdleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, rig.Chunks.ChunksReceived);
        Assert.Equal(1, rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Graph.Ir.Tensor> { ["x"] = TestModels.Input() }).Version);
    }

    [Fact]
    public async Task Restart_HalfwayThroughADownload_FetchesOnlyTheMissingChunks()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        var model = TestModels.Scale(5, paddingBytes: 80_000);
        var firstHalf = Enumerable.Range(0, 10).ToList();
        var manifest = await rig.PublishAsync(model, 1, _key, onlyChunks: firstHalf);
        await rig.WaitForStatusAsync(s => s.Detail == $"chunks 10/{manifest.Chunks.Count}", "the first ten chunks in");
        Assert.Equal(10, rig.Chunks.ChunksReceived);

        await rig.RestartDeviceAsync();
        await rig.WaitForStatusAsync(s => s.Detail?.Contains("(10 resumed from disk)", StringComparison.Ordinal) == true, "the download to resume from disk");
        await rig.PublishChunksAsync(manifest, model, only: [.. Enumerable.Range(10, manifest.Chunks.Count - 10)]);

        await rig.WaitUntilServingAsync(1);
        Assert.Equal(manifest.Chunks.Count - 10, rig.Chunks.ChunksReceived);
        Assert.Equal(model, await File.ReadAllBytesAsync(rig.Store.Get(DeliveryRig.Model, 1)!.Path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Manifest_WithFileUrl_IsFetchedFromTheFileAndVerifiedTheSameWay()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        var model = TestModels.Scale(7, paddingBytes: 20_000);
        var source = Path.Combine(rig.StateDirectory, "share-model.onnx");
        await File.WriteAllBytesAsync(source, model, TestContext.Current.CancellationToken);
        await rig.PublishAsync(model, 1, _key, editManifest: m => m with { Url = new Uri(source).AbsoluteUri });

        await rig.WaitUntilServingAsync(1);
        Assert.Equal(0, rig.Chunks.ChunksReceived);
        Assert.Equal(model, await File.ReadAllBytesAsync(rig.Store.Get(DeliveryRig.Model, 1)!.Path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task NewVersions_KeepOnlyTheConfiguredNumberInTheStore()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key, o => o.KeepVersions = 2);
        for (var version = 1; version <= 4; version++)
        {
            await rig.PublishAsync(TestModels.Scale(version), version, _key);
            await rig.WaitUntilServingAsync(version);
        }

        Assert.Equal([3L, 4L], rig.Store.Versions(DeliveryRig.Model));
        Assert.Equal(new Delivery.Store.ModelStoreState(4, 4), rig.Store.State(DeliveryRig.Model));
    }

    public void Dispose() => _key.Dispose();
}
