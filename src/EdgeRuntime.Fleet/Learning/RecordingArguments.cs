using System.CommandLine;
using System.Globalization;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Simulation;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Sensors.Samples;
using EdgeRuntime.Sensors.Traffic;

namespace EdgeRuntime.Fleet.Learning;

/// <summary>
/// Where training data comes from: a CSV recording (the replay source's two layouts) or the traffic simulator's
/// output for the shipped intersection. Shared by <c>model create</c> (normalisation statistics) and <c>train</c>.
/// </summary>
internal sealed class RecordingArguments
{
    public Option<string?> Data { get; } = new("--data") { Description = "CSV recording: wide (one column per sensor, rows at --interval from --start) or long (--timestamp-column, metric columns)" };

    public Option<string> Format { get; } = new("--format") { Description = "Recording layout: wide or long", DefaultValueFactory = _ => "wide" };

    public Option<string> Interval { get; } = new("--interval") { Description = "Interval length (e.g. 5m, 1h, 10s)", DefaultValueFactory = _ => "5m" };

    public Option<string> Start { get; } = new("--start") { Description = "Time of the first row of a wide recording (ISO 8601)", DefaultValueFactory = _ => "2012-03-01T00:00:00Z" };

    public Option<string> Metric { get; } = new("--metric") { Description = "Metric name of a wide recording's values", DefaultValueFactory = _ => "value" };

    public Option<string> TimestampColumn { get; } = new("--timestamp-column") { Description = "Timestamp column of a long recording", DefaultValueFactory = _ => "timestamp" };

    public Option<string?> StreamColumn { get; } = new("--stream-column") { Description = "Stream column of a long recording (default: one stream)" };

    public Option<string[]> Columns { get; } = new("--column") { Description = "Metric column of a long recording (repeatable; default: all but timestamp and stream)" };

    public Option<string?> Simulate { get; } = new("--simulate") { Description = "Instead of a recording: this long a run of the traffic simulator on the shipped intersection (e.g. 7d)" };

    public Option<int> Intersections { get; } = new("--intersections") { Description = "Simulated intersections (seeds 1..N), for variety", DefaultValueFactory = _ => 4 };

    public Option<string> SimulationStart { get; } = new("--simulation-start") { Description = "Simulated start time (ISO 8601; a Monday midnight by default)", DefaultValueFactory = _ => "2026-01-05T00:00:00Z" };

    public Option<double> IncidentsPerDay { get; } = new("--incidents-per-day") { Description = "Simulated incidents per lane per day", DefaultValueFactory = _ => 1.0 };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Data, Format, Interval, Start, Metric, TimestampColumn, StreamColumn, Columns, Simulate, Intersections, SimulationStart, IncidentsPerDay })
        {
            command.Add(option);
        }
    }

    /// <summary>The samples, in time order; null and a one-line <paramref name="error"/> when the options do not describe data.</summary>
    public IReadOnlyList<IntervalSample>? Load(ParseResult parseResult, out string? error)
    {
        error = null;
        var file = parseResult.GetValue(Data);
        var simulate = parseResult.GetValue(Simulate);
        if ((file is null) == (simulate is null))
        {
            error = "give either --data FILE or --simulate DURATION";
            return null;
        }

        if (simulate is not null)
        {
            var duration = ArgumentParsers.Duration(simulate, out error);
            if (duration is null || !DateTimeOffset.TryParse(parseResult.GetValue(SimulationStart), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                error ??= $"--simulation-start '{parseResult.GetValue(SimulationStart)}' is not a time";
                return null;
            }

            var loops = SimulatedLanes.Intersection();
            var all = new List<IntervalSample>();
            for (var seed = 1; seed <= Math.Max(1, parseResult.GetValue(Intersections)); seed++)
            {
                var scenario = new TrafficScenario { Seed = seed, IncidentsPerLanePerDay = parseResult.GetValue(IncidentsPerDay) };
                all.AddRange(IntervalSeries.Simulate(loops, scenario, at, duration.Value).Select(s => s with { Stream = $"i{seed}/{s.Stream}" }));
            }

            // Streams interleave by time as one source would offer them.
            return [.. all.OrderBy(s => s.Time)];
        }

        var interval = ArgumentParsers.Duration(parseResult.GetValue(Interval)!, out error);
        if (interval is null)
        {
            return null;
        }

        if (!Enum.TryParse<RecordingFormat>(parseResult.GetValue(Format), ignoreCase: true, out var format))
        {
            error = $"--format '{parseResult.GetValue(Format)}' is unknown; allowed: wide, long";
            return null;
        }

        if (!DateTimeOffset.TryParse(parseResult.GetValue(Start), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start))
        {
            error = $"--start '{parseResult.GetValue(Start)}' is not a time";
            return null;
        }

        var options = new ReplayOptions
        {
            File = file!,
            Format = format,
            Interval = interval.Value,
            Start = start,
            Metric = parseResult.GetValue(Metric)!,
            TimestampColumn = parseResult.GetValue(TimestampColumn)!,
            StreamColumn = parseResult.GetValue(StreamColumn) ?? string.Empty,
            Metrics = [.. parseResult.GetValue(Columns) ?? []],
        };
        try
        {
            return IntervalSeries.Load(options, Path.GetFileNameWithoutExtension(file!));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error = ex.Message.ReplaceLineEndings(" ");
            return null;
        }
    }
}
