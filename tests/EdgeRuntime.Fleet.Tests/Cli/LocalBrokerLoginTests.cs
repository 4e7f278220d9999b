using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Fleet.Tests.Cli;

/// <summary>edgectl against a daemon's embedded broker on this machine: it logs in with the broker's local credential by itself.</summary>
public sealed class LocalBrokerLoginTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("edgectl-state-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private async Task<EmbeddedMqttBroker> BrokerWithCredentialAsync()
    {
        var credential = LocalBrokerCredential.LoadOrCreate(_state);
        var broker = await EmbeddedMqttBroker.StartAsync(new EmbeddedBrokerSettings(FreeTcpPort.Next()) { Credential = credential }, TestLogging.For<EmbeddedMqttBroker>());
        await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/crossing-a/status", """{"deviceId":"crossing-a","state":"online"}""", retain: true, new MqttLogin(credential.Username, credential.Password));
        return broker;
    }

    [Fact]
    public async Task Status_StateDirectoryGiven_LogsInWithItsCredential()
    {
        await using var broker = await BrokerWithCredentialAsync();

        var (exit, output, error) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}", "--state", _state], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        Assert.Matches(@"crossing-a\s+online", output);
    }

    [Fact]
    public async Task Status_NoCredentialFound_RefusalSaysWhereItIsLookedFor()
    {
        await using var broker = await BrokerWithCredentialAsync();
        var empty = Directory.CreateDirectory(Path.Combine(_state, "elsewhere")).FullName;

        var (exit, _, error) = await Edgectl.RunAsync(["status", "--broker", $"127.0.0.1:{broker.Port}", "--state", empty, "--connect-timeout", "2"], TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var line = error.TrimEnd();
        Assert.StartsWith($"edgectl status: the broker mqtt://127.0.0.1:{broker.Port} refused the connection: Bad user name or password (0x86); ", line, StringComparison.Ordinal);
        Assert.Contains("STATE/broker/password", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public async Task BrokerCredential_PrintsTheLoginAsMosquittoSubTakesIt()
    {
        var credential = LocalBrokerCredential.LoadOrCreate(_state);

        var (exit, output, _) = await Edgectl.RunAsync(["broker-credential", "--state", _state], TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Equal($"-u local -P {credential.Password}\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task BrokerCredential_NoneThere_OneLineNamingWhereItLooked()
    {
        var (exit, _, error) = await Edgectl.RunAsync(["broker-credential", "--state", _state], TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Contains(LocalBrokerCredential.PasswordFile(_state), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxPacketSize_NotASize_RefusedNamingTheOption()
    {
        var (exit, _, error) = await Edgectl.RunAsync(["status", "--broker", "127.0.0.1:1", "--max-packet-size", "lots"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith("edgectl status: --max-packet-size: 'lots' is not a size", error, StringComparison.Ordinal);
    }
}
