using System.Globalization;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// The forecaster's accuracy on the real recordings (issue 11, item 2): the Los Angeles loop speeds (80% train, 20%
/// test, chronological) and the I-94 volumes (train to 2017-07-01, test after). Normalisation comes from the training
/// part; hidden widths are chosen on the newest 10% of the training part, never on the test part. Prints markdown
/// tables of test MAE per horizon beside the naive baselines, and the machine.
/// </summary>
internal static class ForecastBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var widths = Array.IndexOf(args, "--hidden") is var at and >= 0 && at + 1 < args.Length
            ? [.. args[at + 1].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture))]
            : new[] { 32, 64, 128 };
        var epochs = BenchmarkMath.IntOption(args, "--epochs", 12);
        Console.WriteLine($"machine: {MachineInfo.Describe()}; parameter updates on {KernelUpdaters.Status}");
        Console.WriteLine($"candidates: hidden {string.Join(", ", widths)}; Adam 1e-3, cosine schedule, weight decay 1e-4, batch 256, up to {epochs} epochs, early stopping (patience 3) on the newest 10% of the training part; MAE loss");
        Console.WriteLine();

        var la = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        Report("Los Angeles loop speeds (mph), 150 sensors, 5-minute intervals", Run(
            IntervalSeries.Load(new ReplayOptions { File = la, Format = RecordingFormat.Wide, Interval = TimeSpan.FromMinutes(5), Metric = "speed" }),
            Spec("speed", window: 12, SeasonalPeriod.Day, bins: 288, memory: 7, smooth: 2),
            widths,
            epochs,
            testFrom: null,
            new SeasonalBaseline(SeasonalPeriod.Day, 288)));

        var i94 = SharedModels.RequireData(Path.Combine("i94-traffic-volume", "Metro_Interstate_Traffic_Volume.csv"));
        Report("I-94 westbound volume (vehicles/h), hourly", Run(
            IntervalSeries.Load(new ReplayOptions { File = i94, Format = RecordingFormat.Long, Interval = TimeSpan.FromHours(1), TimestampColumn = "date_time", Metrics = ["traffic_volume"] }, "i94"),
            Spec("traffic_volume", window: 24, SeasonalPeriod.Week, bins: 168, memory: 26, smooth: 0),
            widths,
            epochs,
            testFrom: new DateTimeOffset(2017, 7, 1, 0, 0, 0, TimeSpan.Zero),
            new SeasonalBaseline(SeasonalPeriod.Week, 168)));
        return Task.FromResult(0);
    }

    /// <summary>The forecaster's spec for one target metric: the window, time encodings, horizons 1/3/6/12 and a seasonal profile.</summary>
    public static FeatureSpec Spec(string metric, int window, SeasonalPeriod period, int bins, double memory, int smooth) => new()
    {
        Metrics = [metric],
        Mean = [0],
        Std = [1],
        Window = window,
        Target = metric,
        TimeEncoding = true,
        Horizons = [1, 3, 6, 12],
        Profile = new SeasonalProfileSpec { Period = period, Bins = bins, Memory = memory, Smooth = smooth, Offsets = [0, 1, 3, 6, 12] },
    };

    private static ForecastExperimentReport Run(IReadOnlyList<Sensors.Samples.IntervalSample> samples, FeatureSpec spec, int[] widths, int epochs, DateTimeOffset? testFrom, SeasonalBaseline baseline)
    {
        var setup = new ForecastExperimentSetup(spec, [.. widths.Select(w => new ForecasterArchitecture(w))], new TrainingOptions { Epochs = epochs, Patience = 3 }, TestFrom: testFrom, Baselines: [baseline]);
        return ForecastExperiment.Run(samples, setup, KernelUpdaters.Create, new Progress<string>(line => Console.WriteLine($"  {line}")));
    }

    private static void Report(string title, ForecastExperimentReport report)
    {
        var horizons = report.Scores[0].Horizons;
        Console.WriteLine($"### {title}");
        Console.WriteLine($"test from {report.TestFrom:u}: {report.TrainingExamples} training windows, {report.TestExamples} test windows; chosen: hidden {report.Chosen.Architecture.Hidden} (validation loss {report.Chosen.ValidationLoss:0.0000}, {report.Chosen.Epochs} epochs, {report.Chosen.Elapsed.TotalSeconds:0} s)");
        Console.WriteLine();
        Console.WriteLine($"| forecaster | {string.Join(" | ", horizons.Select(h => $"+{h} intervals"))} |");
        Console.WriteLine($"| --- |{string.Concat(horizons.Select(_ => " --- |"))}");
        var naive = report.Scores[1];
        foreach (var score in report.Scores)
        {
            var cells = score.Mae.Select((m, k) => ReferenceEquals(score, naive)
                ? string.Create(CultureInfo.InvariantCulture, $"{m:0.000}")
                : string.Create(CultureInfo.InvariantCulture, $"{m:0.000} ({(m / naive.Mae[k]) - 1:+0.0%;-0.0%})"));
            Console.WriteLine($"| {score.Forecaster} | {string.Join(" | ", cells)} |");
        }

        Console.WriteLine();
    }
}
