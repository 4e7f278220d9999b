using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// Two devices with one id (an SD-card image cloned with its machine id): each connection takes the other's over. The
/// daemons see it for what it is — the status says conflict and names the other side's start time, edgectl status
/// shows it, each daemon logs it with its code — and back off instead of taking the connection back several times a
/// second for ever.
/// </summary>
public sealed class ClientIdConflictTests
{
    private static readonly TimeSpan ObservedFor = TimeSpan.FromSeconds(8);

    [Theory]
    [InlineData("mosquitto")]
    [InlineData("embedded")]
    public async Task TwoDaemonsWithOneDeviceId_ReportConflictWithTheOtherStartTime_AndBackOff(string brokerKind)
    {
        var deviceId = $"clone-{Guid.NewGuid():N}"[..18];
        var conflict = new Dictionary<string, string?>
        {
            ["EDGE_Pipelines__0__Enabled"] = "false",
            ["EDGE_Mqtt__Conflict__BackOffSeconds"] = "2",
            ["EDGE_Mqtt__Conflict__MaxBackOffSeconds"] = "4",
        };
        await using var mosquitto = brokerKind == "mosquitto" ? await MosquittoBroker.StartAsync() : null;
        var port = mosquitto?.Port ?? FreeTcpPort.Next();
        var first = new Dictionary<string, string?>(conflict)
        {
            [mosquitto is null ? "EDGE_Mqtt__EmbeddedPort" : "EDGE_Mqtt__Server"] = mosquitto?.Address ?? port.ToString(CultureInfo.InvariantCulture),
        };
        await using var one = DaemonProcess.Start(first, deviceId);
        await Eventually.TrueAsync(() => FreeTcpPort.IsListeningAsync(port).GetAwaiter().GetResult() || one.Process.HasExited, "the broker to listen");
        var login = mosquitto is null ? one.Login : null;
        await using var statuses = await MosquittoSubscriber.StartAsync(port, login, one.StatusTopic);
        await statuses.WaitForAsync(m => one.IsStatus(m, DeviceState.Online), "the first device online");

        // The clone: same device id, its own state; on the embedded broker it logs in with the first one's credential.
        var second = new Dictionary<string, string?>(conflict) { ["EDGE_Mqtt__Server"] = $"127.0.0.1:{port}" };
        if (mosquitto is null)
        {
            second["EDGE_Mqtt__Username"] = LocalBrokerCredential.Username;
            second["EDGE_Mqtt__PasswordFile"] = LocalBrokerCredential.PasswordFile(one.StateDirectory);
        }

        await using var two = DaemonProcess.Start(second, deviceId);

        var reported = await statuses.WaitForAsync(
            m => m.Topic == one.StatusTopic && DaemonProcess.Parse(m) is { State: DeviceState.Conflict, Conflict.OtherStartedAt: not null },
            "a status that says conflict and names the other side's start time",
            TimeSpan.FromSeconds(60));
        var status = DaemonProcess.Parse(reported);
        var startTimes = statuses.Messages.Where(m => m.Topic == one.StatusTopic).Select(m => DaemonProcess.Parse(m).StartedAt).ToHashSet();
        Assert.Equal(2, startTimes.Count);
        Assert.Contains(status.Conflict!.OtherStartedAt!.Value, startTimes);
        Assert.NotEqual(status.StartedAt, status.Conflict.OtherStartedAt);
        Assert.Equal(one.ClientId, status.Conflict.ClientId);

        // Both logged the conflict with its code.
        await Eventually.TrueAsync(
            () => new[] { one, two }.All(d => d.Process.StandardOutput.Any(l => l.Contains("(client-id-conflict)", StringComparison.Ordinal))),
            "both daemons to log the conflict");

        // Backing off: a handful of connections while observed, where taking it back at once makes hundreds.
        var before = Connections(one) + Connections(two);
        await Task.Delay(ObservedFor, TimeProvider.System, TestContext.Current.CancellationToken);
        var during = Connections(one) + Connections(two) - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"{brokerKind}: {during} connections in {ObservedFor.TotalSeconds:F0} s of conflict");
        Assert.InRange(during, 0, 8);

        // edgectl status shows the conflict, not one healthy device. The retained status flips between the two sides'
        // (and a last will between them), so look a few times.
        var environment = new Dictionary<string, string?> { ["EDGE_StateDirectory"] = one.StateDirectory };
        var table = string.Empty;
        await Eventually.TrueAsync(
            () =>
            {
                table = Edgectl(environment, "status", "--broker", $"127.0.0.1:{port}").GetAwaiter().GetResult();
                return table.Contains("conflict (2 processes use this id", StringComparison.Ordinal);
            },
            "edgectl status to show the conflict");
        Assert.Contains(deviceId, table, StringComparison.Ordinal);
        var json = await Edgectl(environment, "status", "--json", "--broker", $"127.0.0.1:{port}");
        Assert.Contains(JsonDocument.Parse(json).RootElement.EnumerateArray(), d => d.GetProperty("deviceId").GetString() == deviceId);
    }

    private static int Connections(DaemonProcess daemon) =>
        daemon.Process.StandardOutput.Count(l => l.Contains("MQTT connected", StringComparison.Ordinal));

    private static async Task<string> Edgectl(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        await using var process = ChildProcess.Start("dotnet", [EdgeRuntimeBinaries.Edgectl, .. arguments], environment);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return string.Join('\n', process.StandardOutput);
    }
}
