using System.Globalization;
using System.Text.RegularExpressions;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Messaging.Tests.Connection;

public sealed partial class MqttReconnectPipelineTests
{
    [Fact]
    public async Task Execute_BrokerDownManyTimes_RetriesWithJitteredDelaysCappedAtMax()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var options = new MqttReconnectOptions { InitialDelayMilliseconds = 100, MaxDelayMilliseconds = 2000 };
        var pipeline = MqttReconnectPipeline.Create(options, "mqtt://broker:1883", time, logger);
        const int failures = 12;
        var attempts = 0;

        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return attempts <= failures
                ? throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)
                : ValueTask.FromResult(attempts);
        }, TestContext.Current.CancellationToken).AsTask();

        // Each retry waits on the fake clock; advancing by the cap always releases the pending delay.
        while (!run.IsCompleted)
        {
            await Eventually.TrueAsync(() => run.IsCompleted || logger.Collector.Count >= attempts, "the next retry to be scheduled");
            time.Advance(TimeSpan.FromMilliseconds(options.MaxDelayMilliseconds));
        }

        Assert.Equal(failures + 1, await run);
        var delays = logger.Collector.GetSnapshot().Select(r => Delay(r.Message)).ToList();
        Assert.Equal(failures, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, 0.0, 2.0));
        Assert.True(delays.Distinct().Count() > 1, "jitter makes the delays differ");
        Assert.Contains("not reachable (attempt 1", logger.Collector.GetSnapshot()[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Cancelled_StopsWithoutFurtherAttempts()
    {
        var pipeline = MqttReconnectPipeline.Create(new MqttReconnectOptions(), "mqtt://broker:1883", new FakeTimeProvider(), new FakeLogger());
        using var cancellation = new CancellationTokenSource();
        var attempts = 0;
        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return ValueTask.FromException<int>(new IOException("down"));
        }, cancellation.Token).AsTask();

        await Eventually.TrueAsync(() => attempts == 1, "the first attempt");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(1, attempts);
    }

    private static double Delay(string message) =>
        double.Parse(DelayPattern().Match(message).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"next try in ([0-9.]+) s")]
    private static partial Regex DelayPattern();
}
