using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Runtime;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Tests.Runtime;

public sealed class WaitingForModelTests
{
    [Fact]
    public async Task NoVersionServing_SamplesCountedAsWaiting_StateSaysWhichModel()
    {
        using var server = new ModelServer();
        await using var batcher = new MicroBatcher(server, "traffic-forecast", new BatchingOptions(), TimeProvider.System);
        var options = new PipelineOptions { Name = "traffic", Model = new() { Name = "traffic-forecast" } };
        var pipeline = new SensorPipeline(options, new ForecastStage(options.Stage), server, batcher, [], TimeProvider.System);

        // Before any sample it says what it waits for: a sample, not the model (which may well be serving already).
        Assert.Equal("waiting for the first sample", pipeline.Status().State);
        Assert.StartsWith("traffic [waiting for the first sample, no model yet] ", pipeline.LiveLine(), StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.False(pipeline.Offer(new IntervalSample("lane", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(10), new Dictionary<string, double> { ["count"] = 1 }, 0)));
        }

        var status = pipeline.Status();
        Assert.Equal("waiting for model traffic-forecast", status.State);
        Assert.Equal(3, status.Fed);
        Assert.Equal(3, status.WaitingForModel);
        Assert.Equal(0, status.Served);
    }
}
