using System.Text.Json;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>The result documents' field names, encoded once (docs/protocol.md describes the documents).</summary>
internal static class ResultFields
{
    public static readonly JsonEncodedText Pipeline = JsonEncodedText.Encode("pipeline");
    public static readonly JsonEncodedText Stream = JsonEncodedText.Encode("stream");
    public static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    public static readonly JsonEncodedText LatencyMs = JsonEncodedText.Encode("latencyMs");
    public static readonly JsonEncodedText Batch = JsonEncodedText.Encode("batch");
    public static readonly JsonEncodedText Interval = JsonEncodedText.Encode("interval");
    public static readonly JsonEncodedText Start = JsonEncodedText.Encode("start");
    public static readonly JsonEncodedText End = JsonEncodedText.Encode("end");
    public static readonly JsonEncodedText Seconds = JsonEncodedText.Encode("seconds");
    public static readonly JsonEncodedText Observed = JsonEncodedText.Encode("observed");
    public static readonly JsonEncodedText Forecast = JsonEncodedText.Encode("forecast");
    public static readonly JsonEncodedText Metric = JsonEncodedText.Encode("metric");
    public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    public static readonly JsonEncodedText Congestion = JsonEncodedText.Encode("congestion");
    public static readonly JsonEncodedText Warmup = JsonEncodedText.Encode("warmup");
    public static readonly JsonEncodedText Horizons = JsonEncodedText.Encode("horizons");
    public static readonly JsonEncodedText Ahead = JsonEncodedText.Encode("ahead");
}
