using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Delivery.Tests.Agent;

public sealed class HotSwapTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task Swap_UnderSteadyLoad_FailsNoRequest_AndEveryAnswerComesFromTheVersionItNames(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        // Four clients, each sending a request every 5 ms: ~ 400-800 requests/s, above the 200/s the swap must survive.
        var answers = new ConcurrentQueue<(long Version, float Output, long Ticks)>();
        var failures = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            var input = new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = rig.Server.Run(DeliveryRig.Model, input);
                    answers.Enqueue((result.Version, result.Outputs["y"].AsSpan<float>()[0], watch.ElapsedTicks));
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, CancellationToken.None);
            }
        })).ToList();

        await Eventually.TrueAsync(() => answers.Count > 200, "load to run");
        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);
        var servedAt = answers.Count;
        await Eventually.TrueAsync(() => answers.Count > servedAt + 200, "load to continue on the new version");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var all = answers.ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"{all.Count} requests in {watch.Elapsed.TotalSeconds:0.0} s ({all.Count / watch.Elapsed.TotalSeconds:0} requests/s), v1: {all.Count(a => a.Version == 1)}, v2: {all.Count(a => a.Version == 2)}");
        Assert.Empty(failures);
        Assert.All(all, a => Assert.Equal(a.Version, (long)a.Output));
        Assert.Contains(all, a => a.Version == 1);
        Assert.Contains(all, a => a.Version == 2);
    }

    public void Dispose() => _key.Dispose();
}
