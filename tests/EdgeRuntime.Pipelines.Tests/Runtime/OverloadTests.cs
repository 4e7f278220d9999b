using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Tests.Runtime;

public sealed class OverloadTests
{
    private const int Capacity = 16;

    [Theory]
    [InlineData(OverloadPolicy.DropOldest)]
    [InlineData(OverloadPolicy.Reject)]
    public async Task FedFarFasterThanServed_QueueStaysBounded_EverySampleAccountedFor(OverloadPolicy policy)
    {
        var options = new PipelineOptions { Name = "busy", Model = new() { Name = "slow-forecast" }, Stage = new() { Type = StageKind.Forecast } };
        var batching = new BatchingOptions { MaxBatch = 4, MaxDelayMs = 1, QueueCapacity = Capacity, Overload = policy };
        await using var rig = PipelineRig.Create(options, SlowForecaster(ForecastModelBuilder.LaneSpec(12)), batching);

        // Measure what the model serves, then feed ten times that rate (and more: as fast as two threads can).
        const int Fed = 4000;
        var maxQueued = 0L;
        var start = DateTimeOffset.UnixEpoch;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < Fed / 2; i++)
            {
                var values = new Dictionary<string, double> { ["count"] = i % 7, ["occupancy"] = 0.1, ["speedKmh"] = 40 };
                rig.Pipeline.Offer(new IntervalSample($"lane-{thread}-{i % 8}", start.AddSeconds(i * 10), TimeSpan.FromSeconds(10), values, TimeProvider.System.GetTimestamp()));
                var queued = rig.Pipeline.Counters.Queued;
                if (queued > Interlocked.Read(ref maxQueued))
                {
                    Interlocked.Exchange(ref maxQueued, queued);
                }
            }
        })));
        await rig.DrainAsync();

        var c = rig.Pipeline.Counters;
        var status = rig.Pipeline.Status();
        Assert.Equal(Fed, c.Fed);
        // The counter includes a request each feeding thread is handing over at that instant.
        Assert.InRange(maxQueued, 1, Capacity + 2);
        Assert.True(c.Served < Fed / 10, $"served {c.Served} of {Fed}: the model was not overloaded tenfold");
        Assert.Equal(Fed - c.Served, status.Dropped + status.Rejected);
        Assert.Equal(0, status.Failed + status.WaitingForModel + status.Queued);
        Assert.Equal(c.Served, rig.Results.Documents.Count);
        if (policy == OverloadPolicy.DropOldest)
        {
            Assert.Equal(0, status.Rejected);
        }
        else
        {
            Assert.Equal(0, status.Dropped);
        }
    }

    /// <summary>The lane forecaster's interface with a deliberately heavy body (twelve 512×512 matrix products).</summary>
    private static byte[] SlowForecaster(FeatureSpec spec)
    {
        var graph = new Graph.Ir.Graph("slow_forecast");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        model.Metadata.Add(new KeyValuePair<string, string>(FeatureSpec.MetadataKey, spec.ToJson()));
        var width = spec.Window * spec.RowWidth;
        var window = graph.AddInput("window", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(spec.Window), Dim.Known(spec.RowWidth)])));
        var flat = graph.AddNode("Reshape", [window, graph.AddInitializer("shape", Tensor.From<long>([-1, width], [2]))], "flat").Outputs[0];
        var random = new Random(1);
        float[] Weights(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 0.01))];
        var hidden = graph.AddNode("MatMul", [flat, graph.AddInitializer("w_in", Tensor.From<float>(Weights(width * 512), [width, 512]))], "h0").Outputs[0];
        for (var layer = 0; layer < 12; layer++)
        {
            hidden = graph.AddNode("MatMul", [hidden, graph.AddInitializer($"w{layer}", Tensor.From<float>(Weights(512 * 512), [512, 512]))], $"h{layer + 1}").Outputs[0];
        }

        graph.AddOutput(graph.AddNode("MatMul", [hidden, graph.AddInitializer("w_out", Tensor.From<float>(Weights(512), [512, 1]))], ["forecast"]).Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }
}
