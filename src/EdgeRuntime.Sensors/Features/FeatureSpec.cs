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

    /// <summary>Whether each row ends with sin/cos of the time of day and of the day of week (4 values).</summary>
    public bool TimeEncoding { get; set; } = true;

    /// <summary>Values per row.</summary>
    [JsonIgnore]
    public int RowWidth => Metrics.Count + (TimeEncoding ? 4 : 0);

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

        return Metrics.Contains(Target, StringComparer.Ordinal) ? null : $"target '{Target}' is not one of the metrics";
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FeatureSpec))]
internal sealed partial class FeatureSpecJson : JsonSerializerContext;
