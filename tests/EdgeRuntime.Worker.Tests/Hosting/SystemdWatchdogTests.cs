using System.Collections.Concurrent;
using System.Globalization;
using EdgeRuntime.Worker.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Worker.Tests.Hosting;

public sealed class SystemdWatchdogTests
{
    private static Func<string, string?> Environment(string? usec, string? pid = null) => name => name switch
    {
        "WATCHDOG_USEC" => usec,
        "WATCHDOG_PID" => pid,
        _ => null,
    };

    [Theory]
    [InlineData("30000000", 15.0)]
    [InlineData("1000", 0.0005)]
    public void PetInterval_WatchdogSet_HalfThePeriod(string usec, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SystemdWatchdog.PetInterval(Environment(usec)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    public void PetInterval_NoUsableWatchdog_Null(string? usec) => Assert.Null(SystemdWatchdog.PetInterval(Environment(usec)));

    [Fact]
    public void PetInterval_WatchdogForAnotherProcess_Null() =>
        Assert.Null(SystemdWatchdog.PetInterval(Environment("30000000", pid: "1")));

    [Fact]
    public async Task Execute_UnderSystemd_PetsAtHalfThePeriod()
    {
        var time = new FakeTimeProvider();
        var notifier = new RecordingNotifier();
        using var watchdog = new SystemdWatchdog(notifier, time, Environment("20000000", System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));

        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => notifier.States.Count == 1, "the first pet at start");
        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => notifier.States.Count == 2, "a pet after half the period");
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(2, notifier.States.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => notifier.States.Count == 3, "the next pet");
        await watchdog.StopAsync(TestContext.Current.CancellationToken);

        Assert.All(notifier.States, s => Assert.Equal("WATCHDOG=1", s));
    }

    [Fact]
    public async Task Execute_Unhealthy_StopsPettingUntilHealthyAgain()
    {
        var time = new FakeTimeProvider();
        var notifier = new RecordingNotifier();
        var alive = true;
        var asked = 0;
        using var watchdog = new SystemdWatchdog(notifier, time, Environment("20000000"), () =>
        {
            Interlocked.Increment(ref asked);
            return Volatile.Read(ref alive);
        });

        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => notifier.States.Count == 1, "the first pet at start");
        Volatile.Write(ref alive, false);
        for (var i = 2; i <= 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(() => Volatile.Read(ref asked) == i, "the watchdog asking whether the daemon is well");
        }

        // Three periods without a pet: systemd would have restarted the daemon after two.
        Assert.Single(notifier.States);
        Volatile.Write(ref alive, true);
        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => notifier.States.Count == 2, "petting again once healthy");
        await watchdog.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Execute_NotUnderSystemd_NeverPets()
    {
        var notifier = new RecordingNotifier { IsEnabled = false };
        using var watchdog = new SystemdWatchdog(notifier, new FakeTimeProvider(), Environment("20000000"));
        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        await watchdog.ExecuteTask!;
        Assert.Empty(notifier.States);
    }

    /// <summary>Stands in for systemd's notify socket, which a test process does not have.</summary>
    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public ConcurrentQueue<string> States { get; } = new();

        public bool IsEnabled { get; init; } = true;

        public void Notify(ServiceState state) => States.Enqueue(state.ToString());
    }
}
