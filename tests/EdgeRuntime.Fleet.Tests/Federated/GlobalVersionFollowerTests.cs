using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Tests;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Federated.Simulation;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Exceptions;

namespace EdgeRuntime.Fleet.Tests.Federated;

/// <summary>
/// The simulation's follower of global versions against the embedded broker: a version published through model delivery
/// arrives even when fetching it fails first — in any way, not only the ways a transfer is refused — since no later
/// manifest may come to start another fetch (the first version of a run is announced once).
/// </summary>
public sealed class GlobalVersionFollowerTests : IDisposable
{
    private const string Model = "traffic-forecast";
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-follower-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("io", 1)]
    [InlineData("cancelled-below", 1)]
    [InlineData("mqtt", 1)]
    [InlineData("refused", 6)]
    public async Task Follower_FirstFetchesOfTheOnlyVersionFail_TheVersionStillArrivesWithItsParameters(string failure, int failures)
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedMqttBroker.StartAsync(FreeTcpPort.Next(), TestLogging.For<EmbeddedMqttBroker>());
        await using var fleet = await ConnectAsync(broker, "fleet", cancellation);
        await using var device = await ConnectAsync(broker, "follower", cancellation);
        using var key = SigningKey.Create();
        using var keys = TrustedKeys.Of(key);
        var bytes = TinyForecaster.Bytes();
        var template = GlobalModel.FromBytes(bytes);

        // The real broker source, behind one that fails the first attempts the way a fetch can fail.
        var attempts = 0;
        IChunkSource Source()
        {
            var real = new MqttChunkSource(device, new MqttTopics(), 8, TimeSpan.FromSeconds(10), TimeProvider.System, NullLogger<MqttChunkSource>.Instance);
            return Interlocked.Increment(ref attempts) <= failures ? new FailingChunkSource(Failure(failure)) : real;
        }

        await using var follower = new GlobalVersionFollower(device, new MqttTopics(), Model, keys, template, TimeProvider.System, TestLogging.For<GlobalVersionFollower>(), Source);
        await follower.StartAsync(cancellation);
        await PublishAsync(fleet, key, bytes, version: 2, cancellation);

        Assert.True(await WithinAsync(() => follower.Latest is not null, TimeSpan.FromSeconds(60)), $"v2 not fetched after {failures} failed fetch(es) ({failure}); announced v{follower.Announced}, attempts {Volatile.Read(ref attempts)}");
        Assert.Equal(2, follower.Latest!.Version);
        Assert.Equal(bytes, follower.Latest.Bytes);
        Assert.Equal(template.ReadParameters(bytes), follower.Latest.Parameters);
        Assert.Equal(failures, follower.FetchFailures);
        Assert.Equal(failures + 1, Volatile.Read(ref attempts));
        Assert.StartsWith("v2: ", follower.LastFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follower_ANewerVersionAnnouncedWhileAFetchRuns_FetchesTheNewerOneAfterIt()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedMqttBroker.StartAsync(FreeTcpPort.Next(), TestLogging.For<EmbeddedMqttBroker>());
        await using var fleet = await ConnectAsync(broker, "fleet", cancellation);
        await using var device = await ConnectAsync(broker, "follower", cancellation);
        using var key = SigningKey.Create();
        using var keys = TrustedKeys.Of(key);
        var bytes = TinyForecaster.Bytes();
        var template = GlobalModel.FromBytes(bytes);

        // The first fetch is held until v3 is announced: one reconcile runs at a time, so only the loop can fetch v3.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new System.Collections.Concurrent.ConcurrentQueue<long>();
        IChunkSource Source() => new HeldChunkSource(new MqttChunkSource(device, new MqttTopics(), 8, TimeSpan.FromSeconds(10), TimeProvider.System, NullLogger<MqttChunkSource>.Instance), release.Task, started);

        await using var follower = new GlobalVersionFollower(device, new MqttTopics(), Model, keys, template, TimeProvider.System, TestLogging.For<GlobalVersionFollower>(), Source);
        await follower.StartAsync(cancellation);
        await PublishAsync(fleet, key, bytes, version: 2, cancellation);
        Assert.True(await WithinAsync(() => !started.IsEmpty, TimeSpan.FromSeconds(60)), "the fetch of v2 did not start");
        await PublishAsync(fleet, key, bytes, version: 3, cancellation);
        Assert.True(await WithinAsync(() => follower.Announced == 3, TimeSpan.FromSeconds(60)), $"v3 not announced (announced v{follower.Announced})");
        release.SetResult();

        Assert.True(await WithinAsync(() => follower.Latest?.Version == 3, TimeSpan.FromSeconds(60)), $"v3 not fetched (latest v{follower.Latest?.Version}, fetches started {string.Join(", ", started)})");
        Assert.Equal([2L, 3L], started);
        Assert.Equal(0, follower.FetchFailures);
    }

    private static Exception Failure(string kind)
    {
        using var below = new CancellationTokenSource();
        below.Cancel();
        return kind switch
        {
            "io" => new IOException("Connection reset by peer"),
            "cancelled-below" => new OperationCanceledException("the connection's token was cancelled", below.Token),
            "mqtt" => new MqttCommunicationException("the connection closed while subscribing"),
            "refused" => new TransferException("chunk 0 does not match its signed hash"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, counting time as the simulation does (<see cref="FederatedSimulation.CountWaited"/>):
    /// a process stopped or starved for a while does not run the limit out.
    /// </summary>
    private static async Task<bool> WithinAsync(Func<bool> condition, TimeSpan limit)
    {
        var waited = TimeSpan.Zero;
        var last = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (waited > limit)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System, TestContext.Current.CancellationToken);
            var now = TimeProvider.System.GetTimestamp();
            waited = FederatedSimulation.CountWaited(waited, TimeProvider.System.GetElapsedTime(last, now));
            last = now;
        }

        return true;
    }

    private static async Task<MqttConnectionSupervisor> ConnectAsync(EmbeddedMqttBroker broker, string name, CancellationToken cancellationToken)
    {
        var endpoint = new BrokerEndpoint("127.0.0.1", broker.Port, false);
        var connection = BrokerArguments.CreateSupervisor(new MqttOptions { Server = endpoint.ToString() }, endpoint, TimeProvider.System, $"{name}-{Guid.NewGuid():N}"[..20]);
        connection.Start();
        await connection.WaitUntilConnectedAsync(cancellationToken);
        return connection;
    }

    private async Task PublishAsync(MqttConnectionSupervisor fleet, SigningKey key, byte[] bytes, long version, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_folder, $"v{version}.onnx");
        await File.WriteAllBytesAsync(path, bytes, cancellationToken);
        var now = TimeProvider.System.GetUtcNow();
        var manifest = ManifestBuilder.Build(path, Model, version, 4096, now, now.AddHours(1));
        await new ModelPublisher(fleet, new MqttTopics()).PublishAsync(path, manifest, key, announce: true, progress: null, cancellationToken);
    }

    /// <summary>A fetch that records its version and waits for <paramref name="release"/> before asking the broker.</summary>
    private sealed class HeldChunkSource(IChunkSource inner, Task release, System.Collections.Concurrent.ConcurrentQueue<long> started) : IChunkSource
    {
        public async Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, ChunkHandlers handlers, CancellationToken cancellationToken)
        {
            started.Enqueue(manifest.Version);
            await release.WaitAsync(cancellationToken);
            await inner.FetchAsync(manifest, missing, handlers, cancellationToken);
        }
    }

    /// <summary>A fetch that fails with <paramref name="failure"/> before asking for anything.</summary>
    private sealed class FailingChunkSource(Exception failure) : IChunkSource
    {
        public Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, ChunkHandlers handlers, CancellationToken cancellationToken) => Task.FromException(failure);
    }
}
