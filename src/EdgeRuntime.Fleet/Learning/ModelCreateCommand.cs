using System.CommandLine;
using System.Globalization;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Fleet.Learning;

/// <summary>
/// <c>edgectl model create traffic-forecaster -o FILE</c>: builds an untrained traffic forecaster (its zero point
/// repeats the last value) with the feature spec in its metadata; normalisation from a recording or the simulator
/// when given, else the lane defaults.
/// </summary>
internal static class ModelCreateCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "What to build: traffic-forecaster" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the ONNX model", Required = true };
        var metrics = new Option<string>("--metrics") { Description = "Interval metrics per window row, comma-separated", DefaultValueFactory = _ => "count,occupancy,speedKmh" };
        var target = new Option<string>("--target") { Description = "The metric to forecast", DefaultValueFactory = _ => "count" };
        var window = new Option<int>("--window") { Description = "Intervals in the input window", DefaultValueFactory = _ => 12 };
        var horizons = new Option<string>("--horizons") { Description = "Intervals ahead to forecast, comma-separated, the first 1", DefaultValueFactory = _ => "1,3,6,12" };
        var profile = new Option<string>("--profile") { Description = "Seasonal profile columns: day, week or none", DefaultValueFactory = _ => "day" };
        var bins = new Option<int?>("--profile-bins") { Description = "Profile bins per period (default 288 a day, 168 a week)" };
        var memory = new Option<double>("--profile-memory") { Description = "Periods the profile remembers", DefaultValueFactory = _ => 7 };
        var smooth = new Option<int?>("--profile-smooth") { Description = "Neighbouring bins averaged on each side (default 2 a day, 0 a week)" };
        var noTime = new Option<bool>("--no-time-encoding") { Description = "Leave out the time-of-day and day-of-week columns" };
        var hidden = new Option<int>("--hidden") { Description = "Units of the hidden layer", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights", DefaultValueFactory = _ => 1 };
        var version = new Option<long>("--model-version") { Description = "The model_version the file carries", DefaultValueFactory = _ => 1 };
        var data = new RecordingArguments();

        var command = new Command("create", "Build an untrained model: traffic-forecaster (per-stream multi-horizon forecasts from a window of intervals)");
        command.Add(kind);
        foreach (var option in new Option[] { output, metrics, target, window, horizons, profile, bins, memory, smooth, noTime, hidden, seed, version })
        {
            command.Add(option);
        }

        data.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetValue(kind) != TrafficForecasterBuilder.Kind)
            {
                await stderr.WriteLineAsync($"edgectl model create: '{parseResult.GetValue(kind)}' is not a kind this version builds; kinds: {TrafficForecasterBuilder.Kind}");
                return 2;
            }

            var spec = Spec(parseResult, metrics, target, window, horizons, profile, bins, memory, smooth, noTime, out var problem);
            if (spec is null)
            {
                await stderr.WriteLineAsync($"edgectl model create: {problem}");
                return 2;
            }

            if (parseResult.GetValue(data.Data) is not null || parseResult.GetValue(data.Simulate) is not null)
            {
                var samples = data.Load(parseResult, out var dataProblem);
                if (samples is null)
                {
                    await stderr.WriteLineAsync($"edgectl model create: {dataProblem}");
                    return 2;
                }

                (spec.Mean, spec.Std) = FeatureStatistics.Fit(spec.Metrics, samples);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"normalisation from {samples.Count} intervals: {string.Join(", ", spec.Metrics.Select((m, i) => $"{m} {spec.Mean[i]:0.###} ± {spec.Std[i]:0.###}"))}"));
            }

            try
            {
                var bytes = TrafficForecasterBuilder.BuildBytes(spec, new ForecasterArchitecture(parseResult.GetValue(hidden), parseResult.GetValue(seed)), parseResult.GetValue(version));
                AtomicFile.WriteAllBytes(parseResult.GetValue(output)!, bytes);
                await stdout.WriteLineAsync($"wrote {parseResult.GetValue(output)}: traffic forecaster, window {spec.Window}x{spec.RowWidth}, horizons [{string.Join(", ", spec.Horizons)}], hidden {parseResult.GetValue(hidden)}, untrained (repeats the last value until trained: edgectl train)");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"edgectl model create: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static FeatureSpec? Spec(ParseResult parseResult, Option<string> metrics, Option<string> target, Option<int> window, Option<string> horizons, Option<string> profile, Option<int?> bins, Option<double> memory, Option<int?> smooth, Option<bool> noTime, out string? problem)
    {
        problem = null;
        var metricList = parseResult.GetValue(metrics)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var horizonList = new List<int>();
        foreach (var h in parseResult.GetValue(horizons)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                problem = $"--horizons: '{h}' is not a whole number";
                return null;
            }

            horizonList.Add(value);
        }

        var profileKind = parseResult.GetValue(profile)?.ToLowerInvariant();
        if (profileKind is not ("none" or "day" or "week"))
        {
            problem = $"--profile '{profileKind}' is unknown; allowed: day, week, none";
            return null;
        }

        SeasonalProfileSpec? seasonal = profileKind switch
        {
            "day" => new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = parseResult.GetValue(bins) ?? 288, Smooth = parseResult.GetValue(smooth) ?? 2 },
            "week" => new SeasonalProfileSpec { Period = SeasonalPeriod.Week, Bins = parseResult.GetValue(bins) ?? 168, Smooth = parseResult.GetValue(smooth) ?? 0 },
            _ => null,
        };
        if (seasonal is not null)
        {
            seasonal.Memory = parseResult.GetValue(memory);
            seasonal.Offsets = [0, .. horizonList];
        }

        var spec = new FeatureSpec
        {
            Metrics = metricList,
            Mean = [.. metricList.Select(m => LaneDefaults.Mean(m))],
            Std = [.. metricList.Select(m => LaneDefaults.Std(m))],
            Window = parseResult.GetValue(window),
            Target = parseResult.GetValue(target)!,
            TimeEncoding = !parseResult.GetValue(noTime),
            Horizons = horizonList,
            Profile = seasonal,
        };
        problem = spec.Check();
        return problem is null ? spec : null;
    }

    // Normalisation for the lane aggregates when no data is given (a 10-second interval of a busy lane).
    private static class LaneDefaults
    {
        public static double Mean(string metric) => metric switch { "count" => 2, "occupancy" => 0.1, "speedKmh" => 45, _ => 0 };

        public static double Std(string metric) => metric switch { "count" => 2, "occupancy" => 0.1, "speedKmh" => 10, _ => 1 };
    }
}
