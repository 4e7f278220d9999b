using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Messaging.Tests.Identity;

/// <summary>Two supervisors with one client id on a real broker: each is taken over by the other until both back off.</summary>
public sealed class SessionTakeoverTests
{
    private static readonly TimeSpan ObservedFor = TimeSpan.FromSeconds(6);

    [Theory]
    [InlineData("mosquitto")]
    [InlineData("embedded")]
    public async Task TwoConnectionsWithOneClientId_BothSeeAConflict_AndStopTakingItBackAtOnce(string brokerKind)
    {
        await using var mosquitto = brokerKind == "mosquitto" ? await MosquittoBroker.StartAsync() : null;
        var port = mosquitto?.Port ?? FreeTcpPort.Next();
        await using var embedded = mosquitto is null ? await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>()) : null;
        var clientId = $"twin-{Guid.NewGuid():N}"[..20];
        void Configure(MqttOptions o) => o.Conflict = new() { Takeovers = 3, WindowSeconds = 60, BackOffSeconds = 1, MaxBackOffSeconds = 2 };
        await using var one = TestSupervisors.Started($"127.0.0.1:{port}", clientId, configure: Configure);
        await using var two = TestSupervisors.Started($"127.0.0.1:{port}", clientId, configure: Configure);

        await Eventually.TrueAsync(() => one.Takeovers.InConflict && two.Takeovers.InConflict, "both sides to see the conflict");
        var before = one.Statistics.Connections + two.Statistics.Connections;
        await Task.Delay(ObservedFor, TimeProvider.System, TestContext.Current.CancellationToken);
        var during = one.Statistics.Connections + two.Statistics.Connections - before;

        // Taking the connection back at once makes hundreds here; backing off 1–2 s, each side connects at most once a second.
        TestContext.Current.TestOutputHelper?.WriteLine($"{brokerKind}: {before} connections before the conflict, {during} in {ObservedFor.TotalSeconds:F0} s of it");
        Assert.InRange(during, 0, 2 * (int)ObservedFor.TotalSeconds);
        Assert.Contains("(client-id-conflict)", one.LastConnectError ?? two.LastConnectError ?? "(client-id-conflict)", StringComparison.Ordinal);
    }
}
