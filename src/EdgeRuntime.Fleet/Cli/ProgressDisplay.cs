using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>
/// Progress of a long verb (publish, optimize, plan) on one writer, usually stderr so stdout stays the result. On a
/// terminal: Spectre.Console's live progress (a bar with rate and time left when the total is known, a spinner with
/// the current step when it is not). Redirected: a line per tenth of the total, and each step as its own line, so
/// logs stay readable. Reusable by any verb: create, report, dispose.
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly string _label;
    private readonly double? _total;
    private readonly Func<double, string> _format;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ProgressTask> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task? _live;
    private int _lastTenth = -1;
    private double _value;

    /// <summary>Starts showing progress of <paramref name="label"/>.</summary>
    /// <param name="writer">Where to show it (stderr).</param>
    /// <param name="label">What is in progress.</param>
    /// <param name="total">The total in the caller's unit (bytes …), or null for steps without a known end.</param>
    /// <param name="format">How a value of that unit is written in redirected lines (default: the number).</param>
    /// <param name="interactive">Override for terminal detection (tests).</param>
    public ProgressDisplay(TextWriter writer, string label, double? total = null, Func<double, string>? format = null, bool? interactive = null)
    {
        _writer = writer;
        _label = label;
        _total = total;
        _format = format ?? (v => v.ToString("0", CultureInfo.InvariantCulture));
        _interactive = interactive ?? Terminal.IsInteractive(writer);
        if (_interactive)
        {
            _live = RunLiveAsync();
        }
    }

    /// <summary>Reports how far the work is, in the unit of the total.</summary>
    public void Report(double value)
    {
        lock (_gate)
        {
            _value = value;
            if (_interactive)
            {
                if (_started.Task.IsCompleted)
                {
                    _started.Task.Result.Value = value;
                }

                return;
            }

            if (_total is not { } total)
            {
                return;
            }

            var fraction = total <= 0 ? 1 : Math.Clamp(value / total, 0, 1);
            var tenth = (int)(fraction * 10);
            if (tenth != _lastTenth)
            {
                _lastTenth = tenth;
                var rate = value / Math.Max(0.001, _watch.Elapsed.TotalSeconds);
                _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_label}: {fraction * 100,3:0}% {_format(value)}/{_format(total)} ({_format(rate)}/s)"));
            }
        }
    }

    /// <summary>Names the step in progress: the spinner's text on a terminal, a line otherwise.</summary>
    public void Step(string text)
    {
        lock (_gate)
        {
            if (_interactive)
            {
                if (_started.Task.IsCompleted)
                {
                    _started.Task.Result.Description = Markup.Escape($"{_label}: {text}");
                }

                return;
            }

            _writer.WriteLine($"  {text}");
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> of the value, for APIs that take one.</summary>
    public IProgress<long> AsProgress() => new Relay(this);

    /// <summary>Ends the display (the bar completes on a terminal).</summary>
    public async ValueTask DisposeAsync()
    {
        _done.TrySetResult();
        if (_live is not null)
        {
            await _live;
        }
    }

    private async Task RunLiveAsync()
    {
        var console = Terminal.For(_writer);
        var columns = _total is null
            ? new ProgressColumn[] { new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn() }
            : new ProgressColumn[] { new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn() };
        await console.Progress().AutoClear(false).HideCompleted(false).Columns(columns).StartAsync(async context =>
        {
            var task = context.AddTask(Markup.Escape(_label), maxValue: _total ?? 1);
            task.IsIndeterminate = _total is null;
            lock (_gate)
            {
                task.Value = _value;
                _started.TrySetResult(task);
            }

            await _done.Task;
            lock (_gate)
            {
                task.Value = _total ?? 1;
                task.StopTask();
            }
        });
    }

    private sealed class Relay(ProgressDisplay display) : IProgress<long>
    {
        public void Report(long value) => display.Report(value);
    }
}
