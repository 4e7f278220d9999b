using System.Text.Json.Nodes;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Stages;

/// <summary>
/// Interval aggregates → each stream's sliding window (normalised with the stats the model carries in its
/// <see cref="FeatureSpec.MetadataKey"/> metadata) → the model's forecast of the target metric for the next interval,
/// denormalised, with a congestion level from the lane's occupancy.
/// </summary>
public sealed class ForecastStage(StageOptions options) : IPipelineStage
{
    private WindowFeatureBuilder? _features;
    private string _input = string.Empty;

    /// <inheritdoc />
    public string? Configure(ServedModelFacts model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.Metadata.TryGetValue(FeatureSpec.MetadataKey, out var json))
        {
            return $"model {model.Name} v{model.Version} carries no '{FeatureSpec.MetadataKey}' metadata (window and normalisation); a forecast pipeline needs it";
        }

        var spec = FeatureSpec.TryParse(json, out var error);
        if (spec is null)
        {
            return $"model {model.Name} v{model.Version}: '{FeatureSpec.MetadataKey}' metadata is invalid: {error}";
        }

        var input = string.IsNullOrEmpty(options.Input) ? model.Inputs.Keys.First() : options.Input;
        if (!model.Inputs.TryGetValue(input, out var dims))
        {
            return $"model {model.Name} v{model.Version} has no input '{input}'";
        }

        if (dims.Length != 3 || (dims[1] > 0 && dims[1] != spec.Window) || (dims[2] > 0 && dims[2] != spec.RowWidth))
        {
            return $"model {model.Name} v{model.Version}: input '{input}' is [{string.Join(", ", dims)}], the feature spec makes [batch, {spec.Window}, {spec.RowWidth}]";
        }

        // Keep the streams' history when the new version reads windows the same way.
        if (_features is null || _features.Spec.ToJson() != spec.ToJson())
        {
            _features = new WindowFeatureBuilder(spec);
        }

        _input = input;
        return null;
    }

    /// <inheritdoc />
    public PreparedInput? Prepare(SensorSample sample)
    {
        if (sample is not IntervalSample interval || _features is not { } features)
        {
            return null;
        }

        var window = features.Add(interval);
        return new PreparedInput(_input, window.Values, [features.Spec.Window, features.Spec.RowWidth], (window, features));
    }

    /// <inheritdoc />
    public JsonObject Finish(SensorSample sample, PreparedInput input, InferenceReply reply)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(reply);
        var interval = (IntervalSample)sample;
        var (window, features) = ((FeatureWindow, WindowFeatureBuilder))input.Context!;
        var output = reply.Outputs.Values.First();
        var forecast = features.Denormalise(output.Values[0]);
        var observed = new JsonObject();
        foreach (var (metric, value) in interval.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            observed[metric] = Math.Round(value, 4);
        }

        var result = new JsonObject
        {
            ["interval"] = new JsonObject { ["start"] = interval.Time, ["end"] = interval.End, ["seconds"] = interval.Length.TotalSeconds },
            ["observed"] = observed,
            ["forecast"] = new JsonObject
            {
                ["metric"] = features.Spec.Target,
                ["value"] = Math.Round(Math.Max(0, forecast), 3),
                ["start"] = interval.End,
                ["end"] = interval.End + interval.Length,
            },
        };
        if (interval.Values.TryGetValue(LaneMetrics.Occupancy, out var occupancy))
        {
            result["congestion"] = occupancy >= options.JammedOccupancy ? "jammed"
                : occupancy >= options.HeavyOccupancy ? "heavy"
                : occupancy >= options.ModerateOccupancy ? "moderate"
                : "free";
        }

        if (window.Warmup)
        {
            result["warmup"] = $"{window.Filled}/{features.Spec.Window} intervals seen";
        }

        return result;
    }
}
