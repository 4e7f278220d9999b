using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Preflight;

/// <summary>
/// Loads and runs a new model in a separate process before the daemon touches it. ONNX Runtime is native code: a
/// hostile or broken file can crash it or make it allocate without bound, and .NET can catch neither. The child
/// is watched from here: its resident memory is sampled and the process killed past the limit, it is killed
/// past the time limit, and a death by signal is reported as a crash. The daemon only sees a result.
/// </summary>
public sealed partial class PreflightRunner(PreflightCommand command, PreflightLimits limits, TimeProvider timeProvider, ILogger<PreflightRunner> logger)
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Checks <paramref name="modelPath"/>; never throws for anything the model does.</summary>
    public async Task<PreflightResult> RunAsync(string modelPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.LeadingArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(modelPath);
        start.ArgumentList.Add("--runs");
        start.ArgumentList.Add(limits.Runs.ToString(CultureInfo.InvariantCulture));

        // The managed heap gets a hard limit too, so the child fails with an error rather than a kill when the
        // managed side is what grows; native allocations are caught by the sampling below.
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + Math.Max(64L << 20, limits.MemoryBytes / 2).ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";

        var started = timeProvider.GetTimestamp();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new PreflightResult(false, $"cannot start the pre-flight process '{command.FileName}': {ex.Message}", 0, TimeSpan.Zero, null);
        }

        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var peak = 0L;
        string? killedFor = null;
        try
        {
            var exited = process.WaitForExitAsync(CancellationToken.None);
            while (!exited.IsCompleted)
            {
                peak = Math.Max(peak, ResidentBytes(process.Id));
                if (peak > limits.MemoryBytes)
                {
                    killedFor = $"used more than the pre-flight memory limit of {Megabytes(limits.MemoryBytes)} (Delivery:PreflightMemoryMegabytes); killed at {Megabytes(peak)}";
                    break;
                }

                if (timeProvider.GetElapsedTime(started) > limits.Timeout)
                {
                    killedFor = $"did not finish pre-flight within {limits.Timeout.TotalSeconds:0.#} s (Delivery:PreflightTimeoutSeconds)";
                    break;
                }

                await Task.WhenAny(exited, Task.Delay(SampleInterval, timeProvider, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        var stdout = await output;
        var stderr = await errors;
        var last = LastLine(stdout);
        if (killedFor is not null)
        {
            LogKilled(logger, modelPath, killedFor);
            return new PreflightResult(false, killedFor, peak, elapsed, last);
        }

        if (process.ExitCode == 0)
        {
            return new PreflightResult(true, null, peak, elapsed, last);
        }

        if (process.ExitCode > 128 && process.ExitCode < 128 + 65 && LastLine(stderr) is null && last is null)
        {
            var signal = process.ExitCode - 128;
            return new PreflightResult(false, $"crashed in pre-flight ({SignalName(signal)})", peak, elapsed, null);
        }

        var reason = last ?? LastLine(stderr) ?? $"exit code {process.ExitCode}";
        if (process.ExitCode > 128 && process.ExitCode < 128 + 65)
        {
            reason = $"crashed in pre-flight ({SignalName(process.ExitCode - 128)}): {reason}";
        }

        return new PreflightResult(false, reason, peak, elapsed, last);
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();

    private static long ResidentBytes(int pid)
    {
        // VmRSS in /proc/PID/status covers native allocations, which is what ONNX Runtime makes.
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // The process is exiting.
        }

        return 0;
    }

    private static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => $"signal {signal}",
    };

    private static string Megabytes(long bytes) => $"{bytes / (1024 * 1024)} MB";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pre-flight of {Model} stopped: {Reason}")]
    private static partial void LogKilled(ILogger logger, string model, string reason);
}

/// <summary>What a pre-flight process may use.</summary>
/// <param name="MemoryBytes">Resident memory above which it is killed.</param>
/// <param name="Timeout">Wall time after which it is killed.</param>
/// <param name="Runs">Sample inferences it runs.</param>
public sealed record PreflightLimits(long MemoryBytes, TimeSpan Timeout, int Runs);
