using System.Text;
using System.Text.Json.Nodes;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>
/// Every way a delivery can be wrong: each is refused with a reason in the status, version 1 keeps answering
/// requests, and the device takes a good version afterwards.
/// </summary>
public sealed class RefusalTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    private static float Answer(DeliveryRig rig, out long version)
    {
        var result = rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) });
        version = result.Version;
        return result.Outputs["y"].AsSpan<float>()[0];
    }

    private async Task<DeliveryRig> ServingVersionOneAsync(Action<Delivery.Agent.DeliveryOptions>? configure = null)
    {
        var rig = await DeliveryRig.StartAsync("embedded", _key, configure);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        return rig;
    }

    private static async Task AssertStillServingVersionOneThenAcceptsAGoodOneAsync(DeliveryRig rig, SigningKey key, long goodVersion = 3)
    {
        Assert.Equal(1, rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.Equal(1, rig.Status()!.ServingVersion);
        Assert.Equal(1f, Answer(rig, out var version));
        Assert.Equal(1, version);

        await rig.PublishAsync(TestModels.Scale(goodVersion), goodVersion, key);
        await rig.WaitUntilServingAsync(goodVersion);
        Assert.Equal(goodVersion, Answer(rig, out _));
    }

    [Fact]
    public async Task BadSignature_IsRefused()
    {
        await using var rig = await ServingVersionOneAsync();
        await rig.PublishAsync(TestModels.Scale(2), 2, _key, editEnvelope: envelope =>
        {
            var node = JsonNode.Parse(envelope)!;
            var signature = Convert.FromBase64String(node["signature"]!.GetValue<string>());
            signature[5] ^= 0x40;
            node["signature"] = Convert.ToBase64String(signature);
            return Encoding.UTF8.GetBytes(node.ToJsonString());
        });

        Assert.Equal($"manifest refused: bad signature (key {_key.Id})", await rig.WaitUntilRefusedAsync(0));
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task UnknownKey_IsRefused()
    {
        await using var rig = await ServingVersionOneAsync();
        using var stranger = SigningKey.Create();
        await rig.PublishAsync(TestModels.Scale(2), 2, stranger);

        Assert.Equal($"manifest refused: signed by unknown key {stranger.Id}", await rig.WaitUntilRefusedAsync(0));
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task ExpiredManifest_IsRefused()
    {
        await using var rig = await ServingVersionOneAsync();
        var past = TimeProvider.System.GetUtcNow().AddDays(-2);
        await rig.PublishAsync(TestModels.Scale(2), 2, _key, editManifest: m => m with { CreatedAt = past, ExpiresAt = past.AddDays(1) });

        Assert.StartsWith("manifest refused: it expired at ", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task OlderVersion_IsRefusedByAntiRollback()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 5, _key);
        await rig.WaitUntilServingAsync(5);
        await rig.PublishAsync(TestModels.Scale(9), 4, _key);

        Assert.StartsWith("version 4 is not newer than v5", await rig.WaitUntilRefusedAsync(4), StringComparison.Ordinal);
        Assert.Equal(5, rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.Equal(1f, Answer(rig, out _));
    }

    [Fact]
    public async Task ChunkWithWrongHash_IsRefused_AndNothingOfItStays()
    {
        await using var rig = await ServingVersionOneAsync();
        await rig.PublishAsync(TestModels.Scale(2, paddingBytes: 20_000), 2, _key, editChunk: (index, chunk) =>
        {
            if (index == 2)
            {
                chunk[100] ^= 0xFF;
            }

            return chunk;
        });

        Assert.StartsWith("chunk 2 of traffic v2 has sha256 ", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(rig.StateDirectory, "downloads")));
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task TruncatedFile_IsRefused()
    {
        await using var rig = await ServingVersionOneAsync();
        var model = TestModels.Scale(2, paddingBytes: 20_000);
        var source = Path.Combine(rig.StateDirectory, "truncated.onnx");
        await File.WriteAllBytesAsync(source, model[..^1000], TestContext.Current.CancellationToken);
        await rig.PublishAsync(model, 2, _key, editManifest: m => m with { Url = new Uri(source).AbsoluteUri });

        Assert.Contains($"is {model.Length - 1000} bytes; the manifest says {model.Length} (truncated)", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task TruncatedLastChunk_IsRefused()
    {
        await using var rig = await ServingVersionOneAsync();
        var model = TestModels.Scale(2, paddingBytes: 20_000);
        var manifest = await rig.PublishAsync(model, 2, _key, editChunk: (index, chunk) => index == (model.Length - 1) / 4096 ? chunk[..^10] : chunk);

        Assert.Contains($"chunk {manifest.Chunks.Count - 1} of traffic v2 is", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task FileLargerThanTheQuota_IsRefusedBeforeDownloading()
    {
        await using var rig = await ServingVersionOneAsync(o => o.StoreQuotaMegabytes = 1);
        var received = rig.Chunks.ChunksReceived;
        await rig.PublishAsync(TestModels.Scale(2, paddingBytes: 1_200_000), 2, _key, chunkSize: 64 * 1024);

        Assert.Contains("more than the store quota of 1 MB", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        Assert.Equal(received, rig.Chunks.ChunksReceived);
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task ModelThatBalloonsInPreflight_IsRefused_AndTheDaemonProcessIsUntouched()
    {
        await using var rig = await ServingVersionOneAsync(o => o.PreflightMemoryMegabytes = 400);
        await rig.PublishAsync(TestModels.MemoryBomb(), 2, _key);

        Assert.Contains("pre-flight failed: used more than the pre-flight memory limit of 400 MB", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        Assert.Null(rig.Store.Get(DeliveryRig.Model, 2));
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task ModelThatHangsInPreflight_IsRefused()
    {
        await using var rig = await ServingVersionOneAsync(o => o.PreflightTimeoutSeconds = 5);
        await rig.PublishAsync(TestModels.Endless(), 2, _key);

        Assert.Contains("did not finish pre-flight within 5 s", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task FileThatIsNotAModel_IsRefusedInPreflight()
    {
        await using var rig = await ServingVersionOneAsync();
        await rig.PublishAsync(Encoding.UTF8.GetBytes(new string('x', 10_000)), 2, _key);

        Assert.StartsWith("pre-flight failed: ", await rig.WaitUntilRefusedAsync(2), StringComparison.Ordinal);
        await AssertStillServingVersionOneThenAcceptsAGoodOneAsync(rig, _key);
    }

    [Fact]
    public async Task NoTrustedKeys_EveryManifestIsRefusedWithThatReason()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        using var other = SigningKey.Create();
        await rig.PublishAsync(TestModels.Scale(1), 1, other);
        var reason = await rig.WaitUntilRefusedAsync(0);
        Assert.Contains("unknown key", reason, StringComparison.Ordinal);
        Assert.Null(rig.Status()!.ServingVersion);
        Assert.Equal(ModelPhase.Failed, rig.Status()!.Phase);
    }

    public void Dispose() => _key.Dispose();
}
