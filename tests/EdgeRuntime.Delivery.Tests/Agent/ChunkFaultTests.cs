using System.Text.Json;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>
/// Chunks that are missing or wrong on the way: a download that cannot finish must not hold the model's lane, and a
/// message that is not the retained chunk must not condemn the version.
/// </summary>
public sealed class ChunkFaultTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    private static float Answer(DeliveryRig rig, out long version)
    {
        var result = rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) });
        version = result.Version;
        return result.Outputs["y"].AsSpan<float>()[0];
    }

    private static string PhaseName(Core.Models.ModelStatus status) => JsonSerializer.Serialize(status.Phase).Trim('"');

    [Fact]
    public async Task MissingChunk_AnsweringACommandAndTakingANewerVersion_WhileTheStallIsShownNamingTheChunk()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        var model = TestModels.Scale(2, paddingBytes: 20_000);
        var count = (model.Length + 4095) / 4096;
        await rig.PublishAsync(model, 2, _key, onlyChunks: [.. Enumerable.Range(0, count).Where(i => i != 3)]);
        await rig.WaitForStatusAsync(s => s.Version == 2, "v2 downloading");

        // The fleet sees what is missing and since when.
        await rig.WaitForStatusAsync(
            s => s.Version == 2 && PhaseName(s) == "stalled" && s.Detail?.Contains("waiting since", StringComparison.Ordinal) == true && s.Detail.Contains("for chunk 3", StringComparison.Ordinal),
            "v2 shown stalled, naming chunk 3",
            seconds: 30);
        Assert.Equal(1, rig.Status()!.ServingVersion);
        Assert.Equal(Core.Delivery.RefusalCode.ChunkMissing, rig.Status()!.Code);

        // A command never waits behind a download (deploying the serving version changes nothing).
        var reply = await FleetCommands.SendAsync(rig, FleetCommands.Command(DeviceCommand.Deploy, 1), _key);
        Assert.True(reply.Ok, reply.Message);
        Assert.Equal(1, reply.ServingVersion);

        // A newer version is taken although v2 never completes.
        await rig.PublishAsync(TestModels.Scale(3), 3, _key);
        await rig.WaitForStatusAsync(s => s.Phase == Core.Models.ModelPhase.Serving && s.ServingVersion == 3, "v3 serving", seconds: 30);
        Assert.Equal(3f, Answer(rig, out _));
    }

    [Fact]
    public async Task StrayNonRetainedChunkMessage_IsDropped_AndTheRetainedChunkCompletesTheVersion()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        var model = TestModels.Scale(2, paddingBytes: 20_000);
        var count = (model.Length + 4095) / 4096;
        var manifest = await rig.PublishAsync(model, 2, _key, onlyChunks: [.. Enumerable.Range(0, count).Where(i => i != 3)]);
        await rig.WaitForStatusAsync(s => s.Version == 2 && s.Detail?.StartsWith($"chunks {count - 1}/{count}", StringComparison.Ordinal) == true, "every chunk but 3 in");

        // Four bytes, not retained, on the topic the device is waiting on (sent until the device has seen one).
        var before = rig.Chunks.ChunksReceived;
        await Eventually.TrueAsync(
            () =>
            {
                _ = rig.Fleet.PublishAsync(new OutgoingMessage(rig.Topics.ModelChunk(DeliveryRig.Model, 2, 3), new byte[] { 1, 2, 3, 4 }));
                return rig.Chunks.ChunksReceived > before;
            },
            "the stray message to reach the device");

        await rig.PublishChunksAsync(manifest, model, only: [3]);
        await rig.WaitForStatusAsync(s => s.Phase == Core.Models.ModelPhase.Serving && s.ServingVersion == 2, "v2 serving from the retained chunk", seconds: 30);
        Assert.Equal(2f, Answer(rig, out var version));
        Assert.Equal(2, version);
        Assert.True(rig.Chunks.StraysDropped > 0);
    }

    public void Dispose() => _key.Dispose();
}
