using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Stages;

/// <summary>
/// Interval aggregates → each stream's sliding window (normalised with the stats the model carries in its
/// <see cref="FeatureSpec.MetadataKey"/> metadata) → the model's forecast of the target metric for the next interval
/// (and for each further horizon the model has), denormalised, with a congestion level from the lane's occupancy.
/// With an <see cref="IForecastObserver"/> (on-device learning), each observed target and each served forecast with its
/// window are handed to it as typed values.
/// </summary>
/// <param name="options">The stage's settings.</param>
/// <param name="pipeline">The pipeline's name, for the observer's records.</param>
/// <param name="model">The model's name, for the observer's records.</param>
/// <param name="observer">Receives observations and forecasts; null when the device does not learn.</param>
public sealed class ForecastStage(StageOptions options, string pipeline = "", string model = "", IForecastObserver? observer = null) : IPipelineStage
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

        if (observer is not null && interval.Values.TryGetValue(features.Spec.Target, out var observed) && double.IsFinite(observed))
        {
            observer.OnObservation(new TargetObservation(pipeline, interval.Stream, interval.Time, observed));
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
        var spec = features.Spec;
        var outputs = reply.Output(0).Values.Span;
        var forecast = Math.Round(Math.Max(0, features.Denormalise(outputs[0])), 3);

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
        if (spec.Horizons.Count > 1 && outputs.Length >= spec.Horizons.Count)
        {
            result.WriteStartArray(ResultFields.Horizons);
            for (var h = 0; h < spec.Horizons.Count; h++)
            {
                var start = interval.Time + (spec.Horizons[h] * interval.Length);
                result.WriteStartObject();
                result.WriteNumber(ResultFields.Ahead, spec.Horizons[h]);
                result.WriteNumber(ResultFields.Value, Math.Round(Math.Max(0, features.Denormalise(outputs[h])), 3));
                result.WriteString(ResultFields.Start, start);
                result.WriteString(ResultFields.End, start + interval.Length);
                result.WriteEndObject();
            }

            result.WriteEndArray();
        }

        result.WriteEndObject();
        if (observer is not null && !window.Warmup)
        {
            var target = spec.TargetColumn;
            observer.OnForecast(new ForecastRecord(
                pipeline, model, reply.Version, interval.Stream, interval.Time, interval.Length, window.Values, spec.Horizons,
                outputs[..Math.Min(outputs.Length, spec.Horizons.Count)].ToArray(), spec.Mean[target], spec.Std[target]));
        }

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
