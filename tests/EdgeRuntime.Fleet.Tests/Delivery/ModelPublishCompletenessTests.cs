using System.Globalization;
using System.Security.Cryptography;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Fleet.Tests.Delivery;

/// <summary>
/// A broker's acknowledgement is not durability: a broker killed and restarted without persistence has forgotten
/// chunks it acknowledged. <c>edgectl model publish</c> must end with every chunk retained — read back to prove it —
/// or fail naming what is missing. Mosquitto and mosquitto_sub are the independent parties.
/// </summary>
public sealed class ModelPublishCompletenessTests : IDisposable
{
    private const int ChunkSize = 4096;
    private readonly string _folder = Directory.CreateTempSubdirectory("edgectl-publish-").FullName;

    [Fact]
    public async Task ModelPublish_BrokerKilledAndRestartedMidPublish_EndsWithEveryChunkRetainedOrNamesWhatIsMissing()
    {
        var (key, model, bytes) = await PrepareAsync(megabytes: 16);
        var chunks = (bytes.Length + ChunkSize - 1) / ChunkSize;
        await using var broker = await MosquittoBroker.StartAsync();
        var watcher = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/traffic/7/chunks/#", "-F", "%t");

        var publish = Edgectl.RunAsync(["model", "publish", model, "--name", "traffic", "--version", "7", "--signing-key", key, "--chunk-size", "4KiB", "--broker", broker.Address], TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => publish.IsCompleted || watcher.Messages.Count >= chunks / 3, "a third of the chunks on the broker", TimeSpan.FromSeconds(60));
        if (publish.IsCompleted)
        {
            Assert.Fail($"edgectl finished before the broker could be killed: {(await publish).Error}");
        }

        await watcher.DisposeAsync();
        await broker.KillAsync();
        await broker.RestartAsync();

        var (exit, output, error) = await Eventually.CompletesAsync(publish, "edgectl to finish after the broker came back", TimeSpan.FromMinutes(2));
        TestContext.Current.TestOutputHelper?.WriteLine($"exit {exit}\n{output}\n{error}");
        if (exit != 0)
        {
            Assert.Contains("missing", error, StringComparison.Ordinal);
            return;
        }

        // Exit 0 promises that a device arriving now finds every chunk: read them all back and compare.
        await using var reader = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/traffic/7/#", "-F", "%t %x");
        await Eventually.TrueAsync(
            () => reader.Messages.Count(m => m.Topic.Contains("/chunks/", StringComparison.Ordinal)) >= chunks,
            $"all {chunks} chunks retained (read back {reader.Messages.Count(m => m.Topic.Contains("/chunks/", StringComparison.Ordinal))}) after edgectl said: {output.Trim()}",
            TimeSpan.FromSeconds(30));
        var retained = reader.Messages.Where(m => m.Topic.Contains("/chunks/", StringComparison.Ordinal))
            .ToDictionary(m => int.Parse(m.Topic[(m.Topic.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture), m => Convert.FromHexString(m.Payload));
        for (var index = 0; index < chunks; index++)
        {
            Assert.True(bytes.AsSpan(index * ChunkSize, Math.Min(ChunkSize, bytes.Length - (index * ChunkSize))).SequenceEqual(retained[index]), $"chunk {index} differs");
        }

        await reader.WaitForAsync(m => m.Topic == "edge/models/traffic/7/manifest", "the version's manifest retained");
    }

    [Fact]
    public async Task ModelPublish_BrokerThatDoesNotComeBack_ExitsNonZeroNamingTheMissingChunks()
    {
        var (key, model, bytes) = await PrepareAsync(megabytes: 16);
        var chunks = (bytes.Length + ChunkSize - 1) / ChunkSize;
        await using var broker = await MosquittoBroker.StartAsync();
        var watcher = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/traffic/7/chunks/#", "-F", "%t");

        var publish = Edgectl.RunAsync(["model", "publish", model, "--name", "traffic", "--version", "7", "--signing-key", key, "--chunk-size", "4KiB", "--timeout", "10", "--broker", broker.Address], TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => publish.IsCompleted || watcher.Messages.Count >= chunks / 3, "a third of the chunks on the broker", TimeSpan.FromSeconds(60));
        if (publish.IsCompleted)
        {
            Assert.Fail($"edgectl finished before the broker could be killed: {(await publish).Error}");
        }

        await watcher.DisposeAsync();
        await broker.KillAsync();

        var (exit, _, error) = await Eventually.CompletesAsync(publish, "edgectl to give up", TimeSpan.FromMinutes(1));
        Assert.Equal(1, exit);
        Assert.Matches(@"traffic v7 is incomplete on the broker: \d+ of " + chunks + " chunks", error);
        Assert.Contains("missing", error, StringComparison.Ordinal);
    }

    private async Task<(string Key, string Model, byte[] Bytes)> PrepareAsync(int megabytes)
    {
        var (exit, _, error) = await Edgectl.RunAsync(["keys", "create", "--out", Path.Combine(_folder, "fleet")], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        var bytes = RandomNumberGenerator.GetBytes(megabytes << 20);
        var model = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(model, bytes, TestContext.Current.CancellationToken);
        return (Path.Combine(_folder, "fleet.key"), model, bytes);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
