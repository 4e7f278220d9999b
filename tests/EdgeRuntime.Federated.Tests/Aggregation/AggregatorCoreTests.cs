using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Kernels.Accelerators;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Federated.Tests.Aggregation;

public sealed class AggregatorCoreTests : IDisposable
{
    private readonly GlobalModel _model = TinyForecaster.Global();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-agg-test-");
    private readonly KernelAccelerator _accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
    private readonly DeviceKey _alice = DeviceKey.Create();
    private readonly DeviceKey _bob = DeviceKey.Create();
    private readonly DeviceKey _mallory = DeviceKey.Create();
    private readonly EnrolledDevices _enrolled;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));

    public AggregatorCoreTests() => _enrolled = EnrolledDevices.Of([("alice", _alice.PublicKeyPem), ("bob", _bob.PublicKeyPem)]);

    public void Dispose()
    {
        _enrolled.Dispose();
        _alice.Dispose();
        _bob.Dispose();
        _mallory.Dispose();
        _accelerator.Dispose();
        _folder.Delete(recursive: true);
    }

    private AggregatorCore Open(AggregationOptions? options = null) =>
        AggregatorCore.Open(new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, _folder.FullName, options ?? new AggregationOptions { BufferSize = 2, ClipNorm = 10 }), _model, _enrolled, (_, _, _) => "no partials here", _time, NullLogger.Instance);

    // An update whose every value moves by `step` (f32, so the expected mean is exact), from `baseVersion`.
    private byte[] Update(string id, string device, DeviceKey key, long baseVersion, float step, long samples = 100)
    {
        var start = _model.InitialParameters;
        var trained = start.Select(v => v + step).ToArray();
        var request = new UpdateRequest(id, "traffic", baseVersion, device, samples, _time.GetUtcNow(), _model.Layout, start, trained);
        return new UpdateBuilder(_accelerator).Build(request, new UpdateOptions { ClipNorm = 10, Encoding = UpdateEncoding.Float32 }, DeviceUpdateState.Empty, key, GaussianNoise.Seeded(1)).Bytes;
    }

    [Fact]
    public void Aggregate_BufferOfK_MakesTheNextVersionFromTheSampleWeightedMean()
    {
        using var core = Open();
        var first = core.Version;

        var result = core.Ingest([Update("a1", "alice", _alice, first, 0.001f, 100), Update("b1", "bob", _bob, first, 0.004f, 300)]);
        var version = core.Aggregate();

        Assert.Equal(2, result.Accepted);
        Assert.All(result.Receipts, r => Assert.Equal(OutboxOutcome.Accepted, r.Receipt.Outcome));
        Assert.NotNull(version);
        Assert.Equal(first + 1, core.Version);
        Assert.True(File.Exists(version.Path));

        // (100·0.001 + 300·0.004) / 400 = 0.00325 on every value, server step 1; the file holds the same values.
        var written = _model.ReadParameters(version.Path);
        for (var i = 0; i < written.Length; i++)
        {
            Assert.Equal(_model.InitialParameters[i] + 0.00325f, written[i], 5);
            Assert.Equal(written[i], core.Parameters[i]);
        }

        Assert.Equal(1, core.Accounts()["alice"].Applied);
        Assert.Equal(1, core.Accounts()["bob"].Applied);
    }

    [Fact]
    public void Ingest_SameUpdateIdAgain_CountedOnceEvenAfterReopen()
    {
        var update = Update("a1", "alice", _alice, 1, 0.001f);
        using (var core = Open())
        {
            core.Ingest([update, update]);
            Assert.Equal(1, core.Buffered);
        }

        using var reopened = Open();
        var again = reopened.Ingest([update]);

        Assert.Equal(1, again.Duplicates);
        Assert.Equal(OutboxOutcome.Duplicate, Assert.Single(again.Receipts).Receipt.Outcome);
        Assert.Equal(1, reopened.Buffered);
        Assert.Equal(1, reopened.Accounts()["alice"].Total);
    }

    [Fact]
    public void Open_AfterARestart_RebuildsTheBufferFromDisk()
    {
        // Each state change commits before it returns: a process killed after Ingest loses nothing.
        using (var core = Open())
        {
            core.Ingest([Update("a1", "alice", _alice, 1, 0.002f)]);
        }

        using var reopened = Open();
        reopened.Ingest([Update("b1", "bob", _bob, 1, 0.002f)]);
        var version = reopened.Aggregate();

        Assert.NotNull(version);
        Assert.Equal(2, version.Updates);
        Assert.Equal(_model.InitialParameters[0] + 0.002f, reopened.Parameters[0], 5);
    }

    [Fact]
    public void Ingest_BaseOlderThanMaxStaleness_ExpiredAndCounted()
    {
        using var core = Open(new AggregationOptions { BufferSize = 1, MaxStaleness = 1, ClipNorm = 10 });
        core.Ingest([Update("a1", "alice", _alice, 1, 0.001f)]);
        core.Aggregate();
        core.Ingest([Update("a2", "alice", _alice, 2, 0.001f)]);
        core.Aggregate();

        var result = core.Ingest([Update("b1", "bob", _bob, 1, 0.001f)]);

        Assert.Equal(3, core.Version);
        Assert.Equal(1, result.Expired);
        var receipt = Assert.Single(result.Receipts).Receipt;
        Assert.Equal(OutboxOutcome.Expired, receipt.Outcome);
        Assert.Contains("2 versions old", receipt.Reason, StringComparison.Ordinal);
        Assert.Equal(1, core.Accounts()["bob"].Expired);
    }

    [Fact]
    public void Ingest_UnenrolledKeyOrForgedDevice_RejectedWithAReason()
    {
        using var core = Open();

        var result = core.Ingest([Update("m1", "mallory", _mallory, 1, 0.001f), Update("m2", "alice", _mallory, 1, 0.001f), Update("a1", "alice", _alice, 99, 0.001f)]);

        Assert.Equal(3, result.Rejected);
        Assert.Equal(0, core.Buffered);
        Assert.Contains(result.Receipts, r => r.Receipt.Reason!.Contains("not enrolled", StringComparison.Ordinal));
        Assert.Contains(result.Receipts, r => r.Receipt.Reason!.Contains("never published", StringComparison.Ordinal));
        Assert.Equal(2, core.Accounts()["alice"].Rejected);
    }

    [Fact]
    public void Ingest_OversizedUpdate_ClippedAgainByTheAggregator()
    {
        // A device that skips its own clipping (an attacker) is bounded anyway: ‖Δ‖ ≤ the aggregator's ClipNorm.
        using var core = Open(new AggregationOptions { BufferSize = 1, ClipNorm = 0.01 });
        core.Ingest([Update("a1", "alice", _alice, 1, 1f)]);
        core.Aggregate();

        var moved = Math.Sqrt(core.Parameters.ToArray().Select((v, i) => Math.Pow(v - _model.InitialParameters[i], 2)).Sum());

        Assert.Equal(0.01, moved, 4);
    }

    [Fact]
    public void Ingest_Garbage_CountedUndecodable()
    {
        using var core = Open();

        var result = core.Ingest([new byte[] { 1, 2, 3 }]);

        Assert.Equal(1, result.Undecodable);
        Assert.Empty(result.Receipts);
    }
}
