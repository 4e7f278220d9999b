using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
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
    private long[] _shape = [];

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
        _shape = [spec.Window, spec.RowWidth];
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
        return new PreparedInput(_input, window.Values, _shape, window);
    }

    /// <inheritdoc />
    public ResultGist Finish(SensorSample sample, PreparedInput input, InferenceReply reply, Utf8JsonWriter result)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(result);
        var interval = (IntervalSample)sample;
        var window = (FeatureWindow)input.Context!;
        var features = window.Builder;
        var forecast = Math.Round(Math.Max(0, features.Denormalise(reply.Output(0).Values.Span[0])), 3);

        result.WriteStartObject(ResultFields.Interval);
        result.WriteString(ResultFields.Start, interval.Time);
        result.WriteString(ResultFields.End, interval.End);
        result.WriteNumber(ResultFields.Seconds, interval.Length.TotalSeconds);
        result.WriteEndObject();
        result.WriteStartObject(ResultFields.Observed);
        foreach (var (metric, value) in interval.Values)
        {
            result.WriteNumber(metric, Math.Round(value, 4));
        }

        result.WriteEndObject();
        result.WriteStartObject(ResultFields.Forecast);
        result.WriteString(ResultFields.Metric, features.Spec.Target);
        result.WriteNumber(ResultFields.Value, forecast);
        result.WriteString(ResultFields.Start, interval.End);
        result.WriteString(ResultFields.End, interval.End + interval.Length);
        result.WriteEndObject();
        string? congestion = null;
        if (interval.Values.TryGetValue(LaneMetrics.Occupancy, out var occupancy))
        {
            congestion = occupancy >= options.JammedOccupancy ? "jammed"
                : occupancy >= options.HeavyOccupancy ? "heavy"
                : occupancy >= options.ModerateOccupancy ? "moderate"
                : "free";
            result.WriteString(ResultFields.Congestion, congestion);
        }

        if (window.Warmup)
        {
            result.WriteString(ResultFields.Warmup, $"{window.Filled}/{features.Spec.Window} intervals seen");
        }

        return new ResultGist(() => Gist(interval, features.Spec.Target, forecast, congestion));
    }

    private static string Gist(IntervalSample interval, string target, double forecast, string? congestion)
    {
        if (target != LaneMetrics.Count)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{target} → {forecast:0.0}");
        }

        var perMinute = 60.0 / interval.Length.TotalSeconds;
        var now = interval.Values.TryGetValue(LaneMetrics.Count, out var count) ? string.Create(CultureInfo.InvariantCulture, $"{count * perMinute:0}/min ") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{now}→ {forecast * perMinute:0.0}/min{(congestion is null ? string.Empty : " " + congestion)}");
    }
}
