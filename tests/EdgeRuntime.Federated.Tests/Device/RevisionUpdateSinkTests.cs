using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Messaging.Outbox;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Federated.Tests.Device;

public sealed class RevisionUpdateSinkTests : IDisposable
{
    private static readonly string[] Head = ["head.weight", "head.bias"];
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-revision-sink-");
    private readonly KernelAccelerator _accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
    private readonly DeviceKey _key = DeviceKey.Create();
    private readonly SqliteOutbox _outbox;
    private readonly string _basePath;

    public RevisionUpdateSinkTests()
    {
        _outbox = new SqliteOutbox(Path.Combine(_folder.FullName, "outbox.db"), TimeProvider.System);
        _basePath = Path.Combine(_folder.FullName, "store", "traffic-v1.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(_basePath)!);
        File.WriteAllBytes(_basePath, TinyForecaster.Bytes());
    }

    public void Dispose()
    {
        _outbox.Dispose();
        _accelerator.Dispose();
        _key.Dispose();
        _folder.Delete(recursive: true);
    }

    private RevisionUpdateSink Sink(UpdateOptions? options = null) => new(
        "dev", _key, options ?? new UpdateOptions { ClipNorm = 10, Encoding = UpdateEncoding.Float32 },
        (model, version) => model == "traffic" && version == 1 ? _basePath : null,
        _outbox, _folder.FullName, _accelerator, GaussianNoise.Seeded(7), NullLogger.Instance);

    // A local revision as the learner writes it: the base file with its head moved by `step`.
    private LocalRevision Revision(int number, float step, long version = 1)
    {
        var model = OnnxModelReader.Read(_basePath);
        var moved = Head.ToDictionary(n => n, n => model.Graph.FindValue(n)!.Initializer!.AsSpan<float>().ToArray().Select(v => v + step).ToArray());
        TrainedParameters.ApplyTo(model, moved);
        var path = Path.Combine(_folder.FullName, "learning", "traffic", $"v{version}", $"r{number}", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, OnnxModelWriter.ToBytes(model));
        return new LocalRevision("traffic", version, number, path, Head, 500, new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Accept_RevisionOfTheGlobalVersion_QueuesTheSignedDeltaOfItsTrainableTensors()
    {
        var problem = Sink().Accept(Revision(1, 0.01f));

        Assert.Null(problem);
        var entry = Assert.Single(_outbox.Pending());
        Assert.Equal("dev.traffic.v1.r1", entry.Id);
        var parts = UpdateCodec.Split(entry.Payload);
        using var enrolled = EnrolledDevices.Of([("dev", _key.PublicKeyPem)]);
        Assert.Null(enrolled.Check("dev", parts.KeyId, parts.SignedPart.Span, parts.Signature.Span));
        Assert.Equal(1, parts.Header.BaseVersion);
        Assert.Equal(500, parts.Header.Samples);
        Assert.Equal(Head, parts.Header.Tensors.Select(t => t.Name));
        Assert.All(UpdateCodec.DecodeBody(parts.Header, parts.Body.Span), d => Assert.Equal(0.01f, d, 4));
    }

    [Fact]
    public void Accept_SameRevisionTwice_OneOutboxEntry()
    {
        var revision = Revision(1, 0.01f);
        var sink = Sink();

        sink.Accept(revision);
        sink.Accept(revision);

        Assert.Equal(1, _outbox.PendingCount);
    }

    [Fact]
    public void Accept_GlobalVersionNotInTheStore_RefusedWithOneLine()
    {
        var problem = Sink().Accept(Revision(1, 0.01f, version: 4));

        Assert.Equal("the file of global version 4 is not in the model store", problem);
        Assert.Equal(0, _outbox.PendingCount);
    }

    [Fact]
    public void Accept_WithNoise_PrivacySpentAccumulatesAcrossRestarts()
    {
        var options = new UpdateOptions { ClipNorm = 1, NoiseMultiplier = 1.1 };
        Sink(options).Accept(Revision(1, 0.01f));
        var afterOne = Sink(options).Epsilon("traffic");

        Sink(options).Accept(Revision(2, 0.02f));
        var afterTwo = Sink(options).Epsilon("traffic");

        Assert.True(afterOne > 0);
        Assert.True(afterTwo > afterOne);
        Assert.Equal(2, Sink(options).Updates("traffic"));
        Assert.Equal(2, _outbox.PendingCount);
    }

    [Fact]
    public void Accept_BaseVersionAggregatedOverOtherTensors_RefusedWithTheTrainableMismatchCodeAndNothingQueued()
    {
        // The aggregator (--trainable all) wrote v1; the device trains only its head.
        TinyForecaster.Global().WriteVersion(1, TinyForecaster.Global().InitialParameters, _basePath);

        var problem = Sink().Accept(Revision(1, 0.01f));

        Assert.NotNull(problem);
        Assert.StartsWith("trainable-mismatch: Learning:Trainable selects [head.weight, head.bias] but the aggregator of traffic folds [hidden.weight, hidden.bias, head.weight, head.bias, skip.weight]", problem, StringComparison.Ordinal);
        Assert.Single(problem.Split('\n'));
        Assert.Equal(0, _outbox.PendingCount);
    }

    [Fact]
    public void Accept_BaseVersionAggregatedOverTheSameTensorsListedInAnotherOrder_Queued()
    {
        var global = GlobalModel.FromBytes(TinyForecaster.Bytes(), "head.bias,head.weight");
        global.WriteVersion(1, global.InitialParameters, _basePath);

        var problem = Sink().Accept(Revision(1, 0.01f));

        Assert.Null(problem);
        var parts = UpdateCodec.Split(Assert.Single(_outbox.Pending()).Payload);
        Assert.Equal(Head, parts.Header.Tensors.Select(t => t.Name));
    }
}
