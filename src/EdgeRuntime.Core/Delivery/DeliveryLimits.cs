namespace EdgeRuntime.Core.Delivery;

/// <summary>The settings the planner applies (from the Delivery options).</summary>
/// <param name="KeepVersions">Versions kept per model besides the serving one (Delivery:KeepVersions).</param>
/// <param name="AbandonedDownloadAge">A partial download untouched this long is deleted (Delivery:AbandonedDownloadHours).</param>
/// <param name="FirstRetryDelay">Wait before a retryable failure is tried again; doubles with each failure.</param>
/// <param name="MaxRetryDelay">The longest such wait.</param>
public sealed record DeliveryLimits(int KeepVersions, TimeSpan AbandonedDownloadAge, TimeSpan FirstRetryDelay, TimeSpan MaxRetryDelay)
{
    /// <summary>The defaults documented in the README.</summary>
    public static DeliveryLimits Default { get; } = new(3, TimeSpan.FromHours(24), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30));

    /// <summary>The wait after the <paramref name="attempts"/>-th failure: 30 s, 60 s, 120 s … capped.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * factor));
    }
}
