using System.Diagnostics;

namespace EdgeRuntime.Fleet.Models;

/// <summary>
/// Progress of a byte transfer on stderr: a bar redrawn in place on a terminal, a line per tenth when the output
/// is redirected (logs stay readable).
/// </summary>
internal sealed class ProgressBar(TextWriter output, long total, bool interactive, string label) : IProgress<long>
{
    private const int Width = 30;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private int _lastTenth = -1;
    private long _lastDrawn = -1;

    public void Report(long value)
    {
        lock (_gate)
        {
            var fraction = total == 0 ? 1 : Math.Clamp((double)value / total, 0, 1);
            var rate = value / Math.Max(0.001, _watch.Elapsed.TotalSeconds) / (1024 * 1024);
            var text = $"{label} [{new string('#', (int)(fraction * Width)).PadRight(Width, '.')}] {fraction * 100,3:0}% {value / (1024.0 * 1024):0.0}/{total / (1024.0 * 1024):0.0} MB {rate:0.0} MB/s";
            if (interactive)
            {
                if (value != _lastDrawn)
                {
                    output.Write('\r' + text);
                    if (value >= total)
                    {
                        output.WriteLine();
                    }

                    _lastDrawn = value;
                }

                return;
            }

            var tenth = (int)(fraction * 10);
            if (tenth != _lastTenth)
            {
                _lastTenth = tenth;
                output.WriteLine(text);
            }
        }
    }
}
