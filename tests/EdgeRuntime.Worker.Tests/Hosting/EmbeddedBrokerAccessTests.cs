using EdgeRuntime.Core.Devices;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// The embedded broker lets in only the local credential the daemon keeps in its state directory: a local process
/// without it can neither read the device's topics nor overwrite its retained status, while mosquitto_sub with
/// <c>-u local -P …</c>, the daemon itself and edgectl on the same machine get in.
/// </summary>
public sealed class EmbeddedBrokerAccessTests
{
    [Fact]
    public async Task LocalClients_WithoutTheCredentialRefused_WithItServed_EdgectlFindsItItself()
    {
        var (running, port) = await DaemonProcess.StartWithEmbeddedBrokerAsync(new Dictionary<string, string?> { ["EDGE_Pipelines__0__Enabled"] = "false" });
        await using var daemon = running;
        Assert.False(daemon.Process.HasExited, daemon.Process.DescribeOutput());

        // The password file: the service user reads and writes it, its group reads it, nobody else.
        var passwordFile = LocalBrokerCredential.PasswordFile(daemon.StateDirectory);
        var mode = File.GetUnixFileMode(passwordFile);
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.UserExecute));
        Assert.Equal(64, daemon.Login.Password.Length);

        // The daemon itself got in with it: its online status is there for a client that has the credential.
        await using var observer = await MosquittoSubscriber.StartAsync(port, daemon.Login, daemon.StatusTopic);
        var online = await observer.WaitForAsync(m => daemon.IsStatus(m, DeviceState.Online), "the online status");

        // Anonymous, and with a wrong password: no reading, no overwriting the retained status.
        foreach (var login in new MqttLogin?[] { null, new(LocalBrokerCredential.Username, "not-the-password") })
        {
            var (readExit, readOutput) = await RunAsync("mosquitto_sub", ["-h", "127.0.0.1", "-p", $"{port}", "-t", "edge/#", "-C", "1", "-W", "5", "-V", "mqttv5", .. login?.Arguments ?? []]);
            Assert.True(readExit != 0 && !readOutput.Contains("\"state\"", StringComparison.Ordinal), $"mosquitto_sub {login} read the broker: {readExit} {readOutput}");
            var (writeExit, writeOutput) = await MosquittoPublisher.TryPublishAsync(port, daemon.StatusTopic, ["-m", """{"deviceId":"forged","state":"offline"}"""], retain: true, login: login);
            Assert.True(writeExit != 0, $"mosquitto_pub {login} wrote the status: {writeOutput}");
        }

        await using (var late = await MosquittoSubscriber.StartAsync(port, daemon.Login, daemon.StatusTopic))
        {
            var retained = await late.WaitForAsync(_ => true, "the retained status");
            Assert.Equal(online.Payload, retained.Payload);
        }

        Assert.Equal(4, daemon.Process.StandardOutput.Count(l => l.Contains("(bad-credential)", StringComparison.Ordinal)));

        // edgectl on the same machine: finds the credential in the daemon's state directory ($EDGE_StateDirectory) by itself.
        var environment = new Dictionary<string, string?> { ["EDGE_StateDirectory"] = daemon.StateDirectory };
        var (statusExit, table) = await RunAsync("dotnet", [EdgeRuntimeBinaries.Edgectl, "status", "--broker", $"127.0.0.1:{port}"], environment);
        Assert.True(statusExit == 0, table);
        Assert.Matches($@"{daemon.DeviceId}\s+online", table);

        // ... and prints it for mosquitto_sub: mosquitto_sub $(edgectl broker-credential) -t …
        var (credentialExit, credential) = await RunAsync("dotnet", [EdgeRuntimeBinaries.Edgectl, "broker-credential", "--state", daemon.StateDirectory]);
        Assert.Equal(0, credentialExit);
        var (subExit, subOutput) = await RunAsync("mosquitto_sub", ["-h", "127.0.0.1", "-p", $"{port}", "-t", daemon.StatusTopic, "-C", "1", "-W", "10", .. credential.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.True(subExit == 0 && subOutput.Contains(daemon.DeviceId, StringComparison.Ordinal), subOutput);

        // Where edgectl cannot find the credential, the refusal says what to do.
        var elsewhere = Directory.CreateTempSubdirectory("edge-no-state-").FullName;
        try
        {
            var (refusedExit, refused) = await RunAsync("dotnet", [EdgeRuntimeBinaries.Edgectl, "status", "--broker", $"127.0.0.1:{port}", "--state", elsewhere]);
            Assert.Equal(1, refusedExit);
            Assert.Contains("Bad user name or password (0x86)", refused, StringComparison.Ordinal);
            Assert.Contains("--password-file", refused, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(elsewhere);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var process = ChildProcess.Start(file == "dotnet" ? file : ExternalTool.Require(file), arguments, environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, string.Join('\n', process.StandardOutput.Concat(process.StandardError)));
    }
}
