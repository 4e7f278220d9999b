using EdgeRuntime.Learning.Data;

namespace EdgeRuntime.Federated.Simulation;

/// <summary>One simulated device's examples: what it trains on, its held-out newest part (validation) and its test part.</summary>
/// <param name="Name">The stream (sensor) it is.</param>
/// <param name="Train">Local training examples, in time order.</param>
/// <param name="Validation">The newest slice before the test part (never trained on).</param>
/// <param name="Test">The test part.</param>
public sealed record DeviceData(string Name, ForecastDataset Train, ForecastDataset Validation, ForecastDataset Test)
{
    /// <summary>
    /// Splits a recording's examples by stream, one device each, with the protocol of the forecaster's evaluation: test
    /// from <paramref name="testFrom"/>, the newest <paramref name="validationFraction"/> of the time before it held out,
    /// the rest to train on — or, with <paramref name="keep"/>, only its last <paramref name="keep"/> before the held-out
    /// slice (a device that holds only its last half day). Targets past a part's end are masked.
    /// </summary>
    public static IReadOnlyList<DeviceData> ByStream(ForecastDataset all, DateTimeOffset testFrom, double validationFraction = 0.1, TimeSpan? keep = null, int? streams = null)
    {
        ArgumentNullException.ThrowIfNull(all);
        var start = all.Span.First;
        var validationFrom = start + ((testFrom - start) * (1 - validationFraction));
        var trainFrom = keep is { } k ? validationFrom - k : start;
        var train = all.Slice(trainFrom, validationFrom);
        var validation = all.Slice(validationFrom, testFrom);
        var test = all.Slice(testFrom, DateTimeOffset.MaxValue);
        var count = Math.Min(streams ?? all.StreamNames.Count, all.StreamNames.Count);
        return [.. Enumerable.Range(0, count).Select(s => new DeviceData(all.StreamNames[s], train.OfStream(s), validation.OfStream(s), test.OfStream(s)))];
    }
}
