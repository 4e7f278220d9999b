using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Federated.Tests;

/// <summary>The real traffic forecaster at a small width: the global model the aggregator tests version.</summary>
internal static class TinyForecaster
{
    public static FeatureSpec Spec { get; } = new()
    {
        Metrics = ["speed"],
        Mean = [60],
        Std = [10],
        Window = 12,
        Target = "speed",
        TimeEncoding = true,
        Horizons = [1, 3],
    };

    public static byte[] Bytes() => TrafficForecasterBuilder.BuildBytes(Spec, new ForecasterArchitecture(4));

    public static GlobalModel Global() => GlobalModel.FromBytes(Bytes());
}
