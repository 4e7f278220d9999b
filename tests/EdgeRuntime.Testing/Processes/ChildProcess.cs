using Xunit;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeRuntime.Testing.Processes;

/// <summary>
/// A process a test starts, with its output lines collected. Disposing kills it (SIGKILL) if it still runs.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _streamsOpen = 2;

    private ChildProcess(Process process, Action<string>? onLine)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnData(e.Data, _stdout, onLine);
        process.ErrorDataReceived += (_, e) => OnData(e.Data, _stderr, onLine);
    }

    /// <summary>The OS process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Standard output so far, one entry per line.</summary>
    public IReadOnlyCollection<string> StandardOutput => _stdout;

    /// <summary>Standard error so far, one entry per line.</summary>
    public IReadOnlyCollection<string> StandardError => _stderr;

    /// <summary>Starts <paramref name="fileName"/>; <paramref name="onLine"/> sees every output line as it arrives.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, onLine);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Sends a POSIX signal (SIGINT = 2, SIGTERM = 15, SIGKILL = 9).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited && Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGKILL: the process ends at once, with no chance to clean up.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the exit and returns the exit code; fails the test on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? Eventually.DefaultTimeout;
        try
        {
            await _process.WaitForExitAsync().WaitAsync(limit, TimeProvider.System, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            // Say what the process was doing when it would not exit.
            Assert.Fail($"Timed out after {limit.TotalSeconds:F0} s waiting for process {_process.Id} ({_process.StartInfo.FileName}) to exit; its last output:\n"
                + string.Join('\n', _stdout.TakeLast(40)) + "\n" + string.Join('\n', _stderr.TakeLast(20)));
        }

        await _outputClosed.Task.WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System);
        return _process.ExitCode;
    }

    /// <summary>Everything it wrote, for failure messages.</summary>
    public string DescribeOutput() =>
        $"stdout:\n{string.Join('\n', _stdout)}\nstderr:\n{string.Join('\n', _stderr)}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillHardAsync();
        }
        catch (InvalidOperationException)
        {
            // It never started or is already reaped.
        }

        _process.Dispose();
    }

    private void OnData(string? line, ConcurrentQueue<string> sink, Action<string>? onLine)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _streamsOpen) == 0)
            {
                _outputClosed.TrySetResult();
            }

            return;
        }

        sink.Enqueue(line);
        onLine?.Invoke(line);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
