using System.Text.Json;
using EdgeRuntime.Fleet.Status;
using static EdgeRuntime.Fleet.Status.StatusFields;

namespace EdgeRuntime.Fleet.Plot;

/// <summary>One pipeline result, reduced to what the plots draw. Fields a document lacks are null.</summary>
/// <param name="Stream">The stream (lane, sensor) it is about.</param>
/// <param name="Time">The interval's start (forecast pipelines) or the result's time.</param>
/// <param name="ModelVersion">The model version that computed it.</param>
/// <param name="LatencyMs">Sample ready to result ready, ms.</param>
/// <param name="Metric">The forecast's target metric (e.g. count).</param>
/// <param name="Observed">The interval's observed value of <paramref name="Metric"/>.</param>
/// <param name="Forecast">The next-interval forecast, and the horizons when the document has them.</param>
internal sealed record ResultRecord(string Stream, DateTimeOffset Time, long? ModelVersion, double? LatencyMs, string? Metric, double? Observed, IReadOnlyList<ForecastPoint> Forecast)
{
    /// <summary>
    /// Reads a result document as published on <c>edge/devices/{id}/results/{pipeline}</c> and stored in results.db.
    /// The next-interval forecast is <c>forecast.value</c> for <c>forecast.start</c> (ahead 1); <c>forecast.horizons</c>
    /// (ahead N, each with value/start/end), when present, adds the further ones. Null when the document has no stream
    /// or no time.
    /// </summary>
    public static ResultRecord? Parse(string json, DateTimeOffset? fallbackTime = null)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object || Text(root, "stream") is not { } stream)
        {
            return null;
        }

        var interval = Property(root, "interval");
        var time = StatusFields.Time(interval, "start") ?? StatusFields.Time(root, "time") ?? fallbackTime;
        if (time is null)
        {
            return null;
        }

        var forecast = Property(root, "forecast");
        var metric = Text(forecast, "metric");
        var observed = metric is null ? null : Number(Property(root, "observed"), metric);
        var points = new List<ForecastPoint>();
        if (Number(forecast, "value") is { } next && StatusFields.Time(forecast, "start") is { } nextStart)
        {
            points.Add(new ForecastPoint(1, nextStart, next));
        }

        foreach (var horizon in Array(forecast, "horizons"))
        {
            if (Number(horizon, "ahead") is { } ahead && ahead > 1 && Number(horizon, "value") is { } value && StatusFields.Time(horizon, "start") is { } start)
            {
                points.Add(new ForecastPoint((int)ahead, start, value));
            }
        }

        var version = Number(Property(root, "model"), "version");
        return new ResultRecord(stream, time.Value, version is null ? null : (long)version, Number(root, "latencyMs"), metric, observed, points);
    }

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Object ? property : null;
}

/// <summary>A forecast of the interval starting at <paramref name="Start"/>, made <paramref name="Ahead"/> intervals before it.</summary>
internal sealed record ForecastPoint(int Ahead, DateTimeOffset Start, double Value);
