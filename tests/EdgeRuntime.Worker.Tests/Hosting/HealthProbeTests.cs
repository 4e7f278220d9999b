using System.Globalization;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary><c>edge-runtime health</c> against a running daemon, as Docker's HEALTHCHECK runs it.</summary>
public sealed class HealthProbeTests
{
    [Fact]
    public async Task Health_BrokerKilledThenBack_UnhealthyThenHealthyAgain()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Health__IntervalSeconds"] = "1",
            ["EDGE_Health__BrokerGraceSeconds"] = "1",
            ["EDGE_Pipelines__0__Enabled"] = "false",
        };
        await using var daemon = DaemonProcess.Start(settings);

        // The probe takes the daemon's configuration (its state directory) as the image's HEALTHCHECK does.
        var probe = new Dictionary<string, string?> { ["EDGE_Health__IntervalSeconds"] = "1" };
        async Task<(int Exit, string Output)> ProbeAsync() => await DaemonProcess.RunToEndAsync(probe, daemon.StateDirectory, "health");

        (int Exit, string Output) result = default;
        bool Healthy() => (result = ProbeAsync().GetAwaiter().GetResult()).Exit == 0 && result.Output.StartsWith("healthy: ", StringComparison.Ordinal);
        await Eventually.TrueAsync(Healthy, "healthy while connected", TimeSpan.FromSeconds(60));

        await broker.KillAsync();
        await Eventually.TrueAsync(() => (result = ProbeAsync().GetAwaiter().GetResult()).Exit == 1, "unhealthy once the broker is gone past the grace period", TimeSpan.FromSeconds(60));
        Assert.Contains($"broker unhealthy: not connected to mqtt://127.0.0.1:{broker.Port.ToString(CultureInfo.InvariantCulture)}", result.Output, StringComparison.Ordinal);

        await broker.RestartAsync();
        await Eventually.TrueAsync(Healthy, "healthy again after the broker returned", TimeSpan.FromSeconds(60));
        Assert.False(daemon.Process.HasExited);
    }

    [Fact]
    public async Task Health_NoDaemon_UnhealthyNamingTheFile()
    {
        var state = Directory.CreateTempSubdirectory("edge-health-").FullName;
        try
        {
            var (exit, output) = await DaemonProcess.RunToEndAsync(new Dictionary<string, string?>(), state, "health");
            Assert.Equal(1, exit);
            Assert.Equal($"unhealthy: no health file at {Path.Combine(state, "health.json")} (the daemon is not running, or has not checked yet)", output.Trim());
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
