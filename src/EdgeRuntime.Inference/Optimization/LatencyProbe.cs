using System.Diagnostics;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Runtime;

namespace EdgeRuntime.Inference.Optimization;

/// <summary>
/// Times several models on the same inputs, one run of each in turn, so that all of them see the same
/// machine noise; reports the median per model. For choosing between verified variants, not for assertions.
/// </summary>
public static class LatencyProbe
{
    /// <summary>
    /// Median milliseconds per run of each model, in the order given: at least <paramref name="runs"/> rounds, and
    /// more until <paramref name="minimumSeconds"/> have passed (tiny models need many runs for a stable median).
    /// </summary>
    public static double[] Measure(IReadOnlyList<byte[]> models, IReadOnlyDictionary<string, Tensor> inputs, SessionSettings settings, int runs, double minimumSeconds = 1.0, int warmup = 5)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(inputs);
        var sessions = new List<ModelSession>();
        try
        {
            foreach (var model in models)
            {
                sessions.Add(ModelSession.Create(model, settings));
            }

            var feeds = sessions.Select(s => inputs.Where(i => s.InputNames.Contains(i.Key)).ToDictionary()).ToList();
            for (var i = 0; i < warmup; i++)
            {
                for (var m = 0; m < sessions.Count; m++)
                {
                    sessions[m].Run(feeds[m]);
                }
            }

            var times = sessions.Select(_ => new List<double>(runs)).ToList();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < runs || Stopwatch.GetElapsedTime(started).TotalSeconds < minimumSeconds; i++)
            {
                for (var m = 0; m < sessions.Count; m++)
                {
                    var run = Stopwatch.GetTimestamp();
                    sessions[m].Run(feeds[m]);
                    times[m].Add(Stopwatch.GetElapsedTime(run).TotalMilliseconds);
                }
            }

            return [.. times.Select(Median)];
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
