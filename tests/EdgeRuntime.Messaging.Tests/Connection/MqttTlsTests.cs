using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Messaging.Tests.Connection;

/// <summary>TLS with the fleet's own CA and a device certificate, against Mosquitto requiring client certificates.</summary>
public sealed class MqttTlsTests
{
    private static async Task<(MosquittoBroker Broker, int TlsPort)> StartTlsBrokerAsync(TestCertificates certificates)
    {
        var tlsPort = FreeTcpPort.Next();
        var broker = await MosquittoBroker.StartAsync(extraConfig:
        [
            $"listener {tlsPort} 127.0.0.1",
            $"cafile {certificates.CaFile}",
            $"certfile {certificates.ServerCertificateFile}",
            $"keyfile {certificates.ServerKeyFile}",
            "require_certificate true",
            "use_identity_as_username true",
        ]);
        return (broker, tlsPort);
    }

    [Fact]
    public async Task Connect_MutualTlsWithFleetCa_PublishesThroughTls()
    {
        using var certificates = TestCertificates.Create();
        var (broker, tlsPort) = await StartTlsBrokerAsync(certificates);
        await using var _ = broker;
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "test/tls");
        await using var supervisor = TestSupervisors.Started($"mqtts://127.0.0.1:{tlsPort}", configure: o =>
        {
            o.Tls.CaFile = certificates.CaFile;
            o.Tls.ClientCertificateFile = certificates.ClientCertificateFile;
            o.Tls.ClientKeyFile = certificates.ClientKeyFile;
        });

        var outcome = await Eventually.CompletesAsync(supervisor.PublishAsync(TestSupervisors.Text("test/tls", "secret")), "a PUBACK over TLS");

        Assert.Equal(PublishOutcome.Acknowledged, outcome);
        await observer.WaitForAsync(m => m.Payload == "secret", "the message at the plain-TCP observer");
        Assert.Contains("u'edge-device-1'", broker.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_BrokerCertificateFromAnotherCa_NeverConnects()
    {
        using var certificates = TestCertificates.Create();
        var (broker, tlsPort) = await StartTlsBrokerAsync(certificates);
        await using var _ = broker;
        await using var supervisor = TestSupervisors.Started($"mqtts://127.0.0.1:{tlsPort}", configure: o =>
        {
            o.Tls.CaFile = certificates.OtherCaFile;
            o.Tls.ClientCertificateFile = certificates.ClientCertificateFile;
            o.Tls.ClientKeyFile = certificates.ClientKeyFile;
        });

        // The device hangs up during the handshake each time; the broker sees the attempts but no client.
        await Eventually.TrueAsync(() => broker.ReadLog().Split('\n').Count(l => l.Contains($"on port {tlsPort}", StringComparison.Ordinal)) >= 2, "two refused TLS handshakes");
        Assert.False(supervisor.IsConnected);
        Assert.DoesNotContain("u'edge-device-1'", broker.ReadLog(), StringComparison.Ordinal);
    }
}
