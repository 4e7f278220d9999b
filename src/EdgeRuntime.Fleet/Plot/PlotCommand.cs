using System.CommandLine;
using System.Globalization;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Status;

namespace EdgeRuntime.Fleet.Plot;

/// <summary>
/// <c>edgectl plot</c>: pictures of a pipeline's results, from a device's result store (results.db) or live from MQTT:
/// forecast against observed per stream, latency percentiles over time, forecast error over time by model version,
/// and training loss when the store has it. PNG or SVG.
/// </summary>
internal static class PlotCommand
{
    public static Command Create(TimeProvider timeProvider)
    {
        var broker = new BrokerArguments();
        var database = new Option<string?>("--db") { Description = "A device's result store: results.db, or the state directory holding it" };
        var device = new Option<string?>("--device", "-d") { Description = "Plot live: the device whose results to collect from MQTT (with --pipeline and --duration)" };
        var duration = new Option<string>("--duration") { Description = "Live: how long to collect results (e.g. 10m)", DefaultValueFactory = _ => "60s" };
        var pipeline = new Option<string?>("--pipeline", "-p") { Description = "The pipeline (default: the one with most results in the store)" };
        var streams = new Option<string[]>("--stream") { Description = "Only these streams (repeatable; default: all)" };
        var since = new Option<string?>("--last") { Description = "Only the last part of the results, by their time (e.g. 2h)" };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the images to", DefaultValueFactory = _ => "plots" };
        var format = new Option<string>("--format") { Description = "png or svg", DefaultValueFactory = _ => "png" };
        var width = new Option<int>("--width") { Description = "Image width, pixels", DefaultValueFactory = _ => 1200 };
        var height = new Option<int>("--height") { Description = "Image height, pixels", DefaultValueFactory = _ => 500 };
        var window = new Option<int>("--error-window") { Description = "Forecasts in the trailing mean of the error plot", DefaultValueFactory = _ => 50 };

        var command = new Command("plot", "Draw a pipeline's results: forecast against observed per stream, latency over time, forecast error and learning curves");
        foreach (var option in new Option[] { database, device, duration, pipeline, streams, since, output, format, width, height, window })
        {
            command.Add(option);
        }

        broker.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var extension = parseResult.GetValue(format)!.ToLowerInvariant();
            if (extension is not ("png" or "svg"))
            {
                await stderr.WriteLineAsync($"edgectl plot: --format '{extension}' is unknown; allowed: png, svg");
                return 2;
            }

            if ((parseResult.GetValue(database) is null) == (parseResult.GetValue(device) is null))
            {
                await stderr.WriteLineAsync("edgectl plot: give either --db (a result store) or --device (live from MQTT)");
                return 2;
            }

            TimeSpan? last = null;
            if (parseResult.GetValue(since) is { } sinceText)
            {
                last = ArgumentParsers.Duration(sinceText, out var problem);
                if (last is null)
                {
                    await stderr.WriteLineAsync($"edgectl plot: --last {problem}");
                    return 2;
                }
            }

            try
            {
                var (name, results, learning) = parseResult.GetValue(database) is { } db
                    ? FromStore(db, parseResult.GetValue(pipeline))
                    : await LiveAsync(parseResult, broker, parseResult.GetValue(device)!, parseResult.GetValue(pipeline), parseResult.GetValue(duration)!, stderr, timeProvider, cancellationToken);
                if (last is { } lastSpan && results.Count > 0)
                {
                    var newest = results.Max(r => r.Time);
                    results = [.. results.Where(r => r.Time > newest - lastSpan)];
                }

                var wanted = parseResult.GetValue(streams) ?? [];
                if (wanted.Length > 0)
                {
                    results = [.. results.Where(r => wanted.Contains(r.Stream, StringComparer.Ordinal))];
                }

                if (results.Count == 0 && learning.Count == 0)
                {
                    await stderr.WriteLineAsync($"edgectl plot: no results of pipeline '{name}' to plot");
                    return 1;
                }

                var folder = parseResult.GetValue(output)!;
                Directory.CreateDirectory(folder);
                var size = (Width: Math.Clamp(parseResult.GetValue(width), 200, 8000), Height: Math.Clamp(parseResult.GetValue(height), 150, 8000));
                foreach (var line in Draw(name, results, learning, folder, extension, size, Math.Max(1, parseResult.GetValue(window))))
                {
                    await stdout.WriteLineAsync(line);
                }

                return 0;
            }
            catch (Exception ex) when (ex is FileNotFoundException or IOException or UnauthorizedAccessException or ArgumentException or BrokerUnreachableException or Microsoft.Data.Sqlite.SqliteException)
            {
                await stderr.WriteLineAsync($"edgectl plot: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Draws every chart the results allow; returns one line per file written.</summary>
    internal static IEnumerable<string> Draw(string pipeline, IReadOnlyList<ResultRecord> results, IReadOnlyList<LearningPoint> learning, string folder, string extension, (int Width, int Height) size, int errorWindow)
    {
        string PathOf(string what) => Path.Combine(folder, $"{Safe(pipeline)}-{what}.{extension}");

        foreach (var stream in results.Where(r => r.Forecast.Count > 0).GroupBy(r => r.Stream).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var path = PathOf($"forecast-{Safe(stream.Key)}");
            var list = stream.ToList();
            Charts.Save(Charts.Forecast(pipeline, stream.Key, list), path, size.Width, size.Height);
            yield return $"wrote {path} (forecast against observed, {list.Count} intervals, horizons {string.Join(", ", PlotSeries.Horizons(list))})";
        }

        if (results.Any(r => r.LatencyMs is not null))
        {
            var bucket = PlotSeries.BucketFor([.. results]);
            var buckets = PlotSeries.Latency(results, bucket);
            var path = PathOf("latency");
            Charts.Save(Charts.Latency(pipeline, buckets, bucket), path, size.Width, size.Height);
            yield return string.Create(CultureInfo.InvariantCulture, $"wrote {path} (latency p50/p99/max in {buckets.Count} buckets of {bucket.TotalSeconds:0} s)");
        }

        var error = PlotSeries.ForecastError(results, errorWindow);
        if (error.Count > 0)
        {
            var path = PathOf("error");
            Charts.Save(Charts.ForecastError(pipeline, error, errorWindow), path, size.Width, size.Height);
            yield return $"wrote {path} (forecast error over time, {error.Count} forecasts, model versions {string.Join(", ", error.Select(e => e.ModelVersion).Distinct())})";
        }

        if (learning.Count > 0)
        {
            var path = PathOf("learning");
            Charts.Save(Charts.Learning(learning), path, size.Width, size.Height);
            yield return $"wrote {path} (learning curves, {learning.Count} steps)";
        }
    }

    private static (string Pipeline, IReadOnlyList<ResultRecord> Results, IReadOnlyList<LearningPoint> Learning) FromStore(string path, string? pipeline)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "results.db") : path;
        var name = pipeline ?? ResultStoreReader.Pipelines(file).Select(p => p.Pipeline).FirstOrDefault()
            ?? throw new ArgumentException($"'{file}' holds no results");
        // On-device learning keeps its curves beside its examples (learning.db in the state directory).
        var learningFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "learning.db");
        var learning = ResultStoreReader.Learning(file) is { Count: > 0 } inResults ? inResults
            : File.Exists(learningFile) ? ResultStoreReader.Learning(learningFile) : [];
        return (name, ResultStoreReader.Read(file, name, null, null), learning);
    }

    private static async Task<(string, IReadOnlyList<ResultRecord>, IReadOnlyList<LearningPoint>)> LiveAsync(
        ParseResult parseResult, BrokerArguments broker, string device, string? pipeline, string durationText, TextWriter stderr, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var duration = ArgumentParsers.Duration(durationText, out var problem) ?? throw new ArgumentException($"--duration {problem}");
        if (pipeline is null)
        {
            throw new ArgumentException("--pipeline is required with --device");
        }

        await using var connected = await ConnectedBroker.ConnectAsync(broker, parseResult, timeProvider, cancellationToken);
        await using var progress = new ProgressDisplay(stderr, $"collecting {device}/{pipeline} results for {durationText}");
        var results = await LiveResultCollector.CollectAsync(connected.Connection, connected.Topics, device, pipeline, duration, timeProvider, count => progress.Step($"{count} results"), cancellationToken);
        return (pipeline, results, []);
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
