using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Pets systemd's watchdog (<c>WatchdogSec=</c>) at half its period, but only while <paramref name="isAlive"/> says
/// the daemon is well (the health checks found it healthy or degraded, recently). The pets come from the thread
/// pool, so a starved or deadlocked daemon stops petting too, and systemd restarts it. Inactive outside systemd
/// (where no notifier is registered).
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier? notifier, TimeProvider timeProvider, Func<string, string?>? environment = null, Func<bool>? isAlive = null) : BackgroundService
{
    private static readonly ServiceState Pet = new("WATCHDOG=1");

    /// <summary>Half the watchdog period systemd asks for, or null when there is no watchdog for this process.</summary>
    internal static TimeSpan? PetInterval(Func<string, string?> environment)
    {
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        // WATCHDOG_PID, when set, names the process the watchdog is for; a child of ours must not pet it.
        var pid = environment("WATCHDOG_PID");
        if (pid is { Length: > 0 } && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds / 2.0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = PetInterval(environment ?? Environment.GetEnvironmentVariable);
        if (notifier is not { IsEnabled: true } || interval is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval.Value, timeProvider);
        do
        {
            if (isAlive?.Invoke() != false)
            {
                notifier.Notify(Pet);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
