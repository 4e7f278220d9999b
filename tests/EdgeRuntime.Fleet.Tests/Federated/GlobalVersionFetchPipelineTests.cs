using EdgeRuntime.Fleet.Federated.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Fleet.Tests.Federated;

/// <summary>Which failed fetches the follower tries again: all but its own cancellation.</summary>
public sealed class GlobalVersionFetchPipelineTests
{
    [Fact]
    public void IsFailure_AnyExceptionButTheFollowersOwnCancellation_IsAFailure()
    {
        using var stop = new CancellationTokenSource();
        using var below = new CancellationTokenSource();
        below.Cancel();
        Assert.True(GlobalVersionFetchPipeline.IsFailure(new IOException("reset"), stop.Token));
        Assert.True(GlobalVersionFetchPipeline.IsFailure(new OperationCanceledException(below.Token), stop.Token));
        Assert.False(GlobalVersionFetchPipeline.IsFailure(null, stop.Token));

        stop.Cancel();
        Assert.False(GlobalVersionFetchPipeline.IsFailure(new OperationCanceledException(stop.Token), stop.Token));
    }

    [Fact]
    public async Task Create_AnIOExceptionThenACancellationFromBelow_EachReportedWithABackOffAndTheThirdAttemptRuns()
    {
        var time = new FakeTimeProvider();
        var reports = new List<(string Kind, int Attempt, TimeSpan Delay)>();
        var pipeline = GlobalVersionFetchPipeline.Create(time, (ex, attempt, delay) => reports.Add((ex.GetType().Name, attempt, delay)));
        var calls = 0;

        var run = pipeline.ExecuteAsync(
            _ => ++calls switch
            {
                1 => throw new IOException("Connection reset by peer"),
                2 => throw new OperationCanceledException("cancelled below the follower"),
                _ => ValueTask.CompletedTask,
            },
            CancellationToken.None).AsTask();
        for (var step = 0; !run.IsCompleted && step < 1000; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        await run;
        Assert.Equal(3, calls);
        Assert.Equal(["IOException", "OperationCanceledException"], reports.Select(r => r.Kind));
        Assert.Equal([1, 2], reports.Select(r => r.Attempt));
        Assert.All(reports, r => Assert.InRange(r.Delay, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Create_CallerCancelled_StopsWithoutAReport()
    {
        var reports = 0;
        var pipeline = GlobalVersionFetchPipeline.Create(new FakeTimeProvider(), (_, _, _) => reports++);
        using var stop = new CancellationTokenSource();

        var run = pipeline.ExecuteAsync(
            async token =>
            {
                await stop.CancelAsync();
                token.ThrowIfCancellationRequested();
            },
            stop.Token).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(0, reports);
    }
}
