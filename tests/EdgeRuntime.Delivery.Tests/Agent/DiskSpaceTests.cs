using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Testing.FileSystems;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>
/// The disk as a resource delivery must account for: a write that fails for want of space is reported against the
/// version it was for and leaves nothing of that version behind; partial downloads count toward the quota and go once
/// nobody needs them.
/// </summary>
public sealed class DiskSpaceTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Fact]
    public async Task FullDiskWhileThePlanIsWritten_NamesTheVersion_RemovesItsFiles_AndANewerVersionStillFits()
    {
        // 1 MiB: room for v2's 600 kB file, not for the 600 kB plan written beside it.
        await using var disk = await SizeLimitedFileSystem.MountAsync(1 << 20);
        await using var rig = await DeliveryRig.StartAsync("embedded", _key, stateDirectory: disk.Path);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        await rig.PublishAsync(TestModels.ScaleWithWeights(2, 600_000), 2, _key, chunkSize: 64 * 1024);
        await rig.WaitForStatusAsync(s => s.Version == 2 && s.Phase == ModelPhase.Failed, "v2 refused for want of space", seconds: 60);
        var status = rig.Status()!;
        Assert.Equal(1, status.ServingVersion);
        Assert.Contains("space", status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Core.Delivery.RefusalCode.DiskFull, status.Code);
        Assert.False(Directory.Exists(rig.Store.VersionFolder(DeliveryRig.Model, 2)), "v2's half-activated files are still on disk");
        Assert.Equal(1, Answer(rig));

        // 300 kB + its plan fit once v2 is gone.
        await rig.PublishAsync(TestModels.ScaleWithWeights(3, 300_000), 3, _key, chunkSize: 64 * 1024);
        await rig.WaitForStatusAsync(s => s.Phase == ModelPhase.Serving && s.ServingVersion == 3, "v3 serving", seconds: 60);
        Assert.Equal(3, Answer(rig));
    }

    [Fact]
    public async Task AbandonedPartialDownload_CountsTowardTheQuota_AndIsRemovedOnceANewerVersionServes()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key, o => o.StoreQuotaMegabytes = 2);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        var partial = TestModels.ScaleWithWeights(2, 600_000);
        var chunks = (partial.Length + 65535) / 65536;
        await rig.PublishAsync(partial, 2, _key, chunkSize: 64 * 1024, onlyChunks: [.. Enumerable.Range(0, chunks / 2)]);
        await rig.WaitForStatusAsync(s => s.Version == 2 && s.Detail?.StartsWith($"chunks {chunks / 2}/{chunks}", StringComparison.Ordinal) == true, "half of v2 in");
        Assert.True(rig.Store.UsedBytes() >= partial.Length, $"the store counts {rig.Store.UsedBytes()} bytes while a {partial.Length}-byte download is on disk");

        await rig.PublishAsync(TestModels.ScaleWithWeights(3, 300_000), 3, _key, chunkSize: 64 * 1024);
        await rig.WaitForStatusAsync(s => s.Phase == ModelPhase.Serving && s.ServingVersion == 3, "v3 serving", seconds: 60);
        await Eventually.TrueAsync(() => !Directory.Exists(Path.Combine(rig.StateDirectory, "downloads")) || !Directory.EnumerateFileSystemEntries(Path.Combine(rig.StateDirectory, "downloads")).Any(), "v2's abandoned download to be removed");
        Assert.InRange(rig.Store.UsedBytes(), 0, rig.Store.QuotaBytes);
    }

    private static float Answer(DeliveryRig rig) =>
        rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) }).Outputs["y"].AsSpan<float>()[0];

    public void Dispose() => _key.Dispose();
}
