using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Pipelines.Results;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Where in a latency window the slow samples fall (<c>--timeline MS</c>): every result's completion time and latency
/// (read back from its document), and the learner's rounds as spans, so slow samples can be put next to what the
/// learner was doing. Diagnostic only.
/// </summary>
internal sealed class SlowSampleTimeline(double thresholdMs) : IResultSink
{
    private readonly long[] _done = new long[1 << 16];
    private readonly double[] _latency = new double[1 << 16];
    private readonly List<(long Start, long End)> _rounds = [];
    private int _count;

    public long Started { get; set; } = Stopwatch.GetTimestamp();

    public void Write(PipelineResult result)
    {
        var reader = new Utf8JsonReader(result.Json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("latencyMs"u8) && reader.Read() && _count < _done.Length)
            {
                _done[_count] = Stopwatch.GetTimestamp();
                _latency[_count] = reader.GetDouble();
                _count++;
                return;
            }
        }
    }

    public void Round(long start, long end)
    {
        lock (_rounds)
        {
            _rounds.Add((start, end));
        }
    }

    public string Describe()
    {
        double Ms(long t) => (t - Started) * 1000.0 / Stopwatch.Frequency;
        var slow = Enumerable.Range(0, _count).Where(i => _latency[i] > thresholdMs).ToList();
        var lines = new List<string> { string.Create(CultureInfo.InvariantCulture, $"      {slow.Count} of {_count} samples over {thresholdMs} ms; rounds: {string.Join(" ", _rounds.Select(r => $"[{Ms(r.Start):0}-{Ms(r.End):0}]"))}") };
        foreach (var i in slow)
        {
            var done = _done[i];
            var arrived = done - (long)(_latency[i] / 1000.0 * Stopwatch.Frequency);
            var inRound = _rounds.Where(r => r.Start <= done && arrived <= r.End).Select(r => string.Create(CultureInfo.InvariantCulture, $"round +{Ms(arrived) - Ms(r.Start):0}/{Ms(r.End) - Ms(r.Start):0} ms")).FirstOrDefault() ?? "between rounds";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"        t={Ms(arrived):0.0} ms latency {_latency[i]:0.00} ms ({inRound})"));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
