using Xunit;

namespace EdgeRuntime.Testing;

/// <summary>Waits for a condition that another process or thread makes true, without fixed sleeps.</summary>
public static class Eventually
{
    /// <summary>The wait used when a test gives none: generous, since CI machines are small and shared.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> on timeout.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (!await HoldsWithinAsync(condition, limit))
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds:F0} s waiting for: {what}");
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> has passed, and says which: for
    /// callers that record a miss and go on (the delivery fault campaigns) instead of failing at once.
    /// </summary>
    public static async Task<bool> HoldsWithinAsync(Func<bool> condition, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var start = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(start) > limit)
            {
                return false;
            }

            await Task.Delay(PollInterval, TimeProvider.System, TestContext.Current.CancellationToken);
        }

        return true;
    }

    /// <summary>Awaits <paramref name="task"/>; fails the test with <paramref name="what"/> on timeout.</summary>
    public static async Task<T> CompletesAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeout, TimeProvider.System, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:F0} s waiting for: {what}");
            throw;
        }
    }

    /// <summary>Awaits <paramref name="task"/>; fails the test with <paramref name="what"/> on timeout.</summary>
    public static async Task CompletesAsync(Task task, string what, TimeSpan? timeout = null) =>
        await CompletesAsync(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), what, timeout);
}
