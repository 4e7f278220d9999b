using System.Globalization;
using System.Text;

namespace EdgeRuntime.Fleet.Tests.Plot;

/// <summary>
/// Result documents of a forecast pipeline in the daemon's format (docs/protocol.md), for known series: the observed
/// count of stream s in interval i is <see cref="Count"/>, and each result forecasts the next interval exactly, so a
/// correct plot has the two lines on top of each other.
/// </summary>
internal static class RecordedResults
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 6, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>A daily-looking wave per stream: 20 ± 15 vehicles, phase by stream.</summary>
    public static double Count(int stream, int interval) => Math.Round(20 + 15 * Math.Sin((interval + 7 * stream) / 6.0), 1);

    /// <summary>The document of <paramref name="stream"/>'s interval <paramref name="interval"/>.</summary>
    public static string Json(int stream, int interval, long version = 0, bool horizons = false, double latencyMs = 0.5)
    {
        var start = Start + (interval * Interval);
        var end = start + Interval;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""{"pipeline":"traffic","stream":"lane-{{stream}}","model":{"name":"traffic-forecast","version":{{version}}},""");
        text.Append(CultureInfo.InvariantCulture, $$"""
            "interval":{"start":"{{start:O}}","end":"{{end:O}}","seconds":300},"observed":{"count":{{Count(stream, interval)}},"occupancy":0.1},
            """);
        text.Append(CultureInfo.InvariantCulture, $$"""
            "forecast":{"metric":"count","value":{{Count(stream, interval + 1)}},"start":"{{end:O}}","end":"{{end + Interval:O}}"
            """);
        if (horizons)
        {
            text.Append(",\"horizons\":[");
            text.AppendJoin(',', new[] { 1, 3, 6, 12 }.Select(ahead =>
                string.Create(CultureInfo.InvariantCulture, $$"""{"ahead":{{ahead}},"value":{{Count(stream, interval + ahead)}},"start":"{{start + (ahead * Interval):O}}","end":"{{start + ((ahead + 1) * Interval):O}}"}""")));
            text.Append(']');
        }

        text.Append(CultureInfo.InvariantCulture, $$"""},"congestion":"free","latencyMs":{{latencyMs}},"batch":1}""");
        return text.ToString();
    }
}
