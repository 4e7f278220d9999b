using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Sensors.Features;

/// <summary>
/// How a forecasting model's input window is built, stored with the model (ONNX metadata key
/// <see cref="MetadataKey"/>, JSON) so the normalisation a model was trained with travels with it.
/// </summary>
public sealed class FeatureSpec
{
    /// <summary>The ONNX metadata key that carries the spec.</summary>
    public const string MetadataKey = "edge.features";

    /// <summary>Interval metrics per window row, in order.</summary>
    public List<string> Metrics { get; set; } = [];

    /// <summary>Mean of each metric (subtracted before the model sees it).</summary>
    public List<double> Mean { get; set; } = [];

    /// <summary>Standard deviation of each metric (divided by).</summary>
    public List<double> Std { get; set; } = [];

    /// <summary>Rows in the window: the last N intervals, oldest first.</summary>
    public int Window { get; set; } = 12;

    /// <summary>The metric the model forecasts (its output is normalised like this metric).</summary>
    public string Target { get; set; } = "count";

    /// <summary>Whether each row has sin/cos of the time of day and of the day of week (4 values) after the metrics.</summary>
    public bool TimeEncoding { get; set; } = true;

    /// <summary>
    /// Intervals ahead that the model's output columns forecast, in output order: [1] (the default) is the next
    /// interval only; [1, 3, 6, 12] makes an output [batch, 4]. The first must be 1 (the value results report).
    /// </summary>
    public List<int> Horizons { get; set; } = [1];

    /// <summary>The stream's seasonal profile columns at the end of each row, or null for none.</summary>
    public SeasonalProfileSpec? Profile { get; set; }

    /// <summary>Values per row: metrics, then time encodings, then profile columns.</summary>
    [JsonIgnore]
    public int RowWidth => Metrics.Count + (TimeEncoding ? 4 : 0) + (Profile?.Columns ?? 0);

    /// <summary>Column of the target metric within a row.</summary>
    [JsonIgnore]
    public int TargetColumn => Metrics.IndexOf(Target);

    /// <summary>Column of the first profile value within a row (the profile's values follow in offset order, then its coverage).</summary>
    [JsonIgnore]
    public int ProfileColumn => Metrics.Count + (TimeEncoding ? 4 : 0);

    /// <summary>Reads a spec from JSON; null with a reason when it is not one.</summary>
    public static FeatureSpec? TryParse(string json, out string? error)
    {
        try
        {
            var spec = JsonSerializer.Deserialize(json, FeatureSpecJson.Default.FeatureSpec);
            error = spec?.Check();
            return error is null ? spec : null;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>The spec as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, FeatureSpecJson.Default.FeatureSpec);

    /// <summary>What is wrong with the spec, or null.</summary>
    public string? Check()
    {
        if (Metrics.Count == 0)
        {
            return "no metrics";
        }

        if (Mean.Count != Metrics.Count || Std.Count != Metrics.Count)
        {
            return $"{Metrics.Count} metrics but {Mean.Count} means and {Std.Count} standard deviations";
        }

        if (Std.Any(s => !(s > 0) || !double.IsFinite(s)) || Mean.Any(m => !double.IsFinite(m)))
        {
            return "means must be finite and standard deviations positive";
        }

        if (Window is < 1 or > 10_000)
        {
            return $"window {Window} is outside 1..10000";
        }

        if (Horizons.Count == 0 || Horizons[0] != 1 || Horizons.Any(h => h is < 1 or > 100_000) || Horizons.Distinct().Count() != Horizons.Count)
        {
            return $"horizons [{string.Join(", ", Horizons)}] must be distinct interval counts in 1..100000, the first 1";
        }

        if (Profile?.Check() is { } profileProblem)
        {
            return profileProblem;
        }

        return Metrics.Contains(Target, StringComparer.Ordinal) ? null : $"target '{Target}' is not one of the metrics";
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FeatureSpec))]
internal sealed partial class FeatureSpecJson : JsonSerializerContext;
