using System.Globalization;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// The embedded broker is the fleet's broker on a device that has no other: what the fleet left retained on it (model
/// offers, chunks) must outlive the daemon process, or nothing resumes until someone publishes again.
/// </summary>
public sealed class EmbeddedBrokerPersistenceTests
{
    [Fact]
    public async Task KillHard_TheDaemonHostingTheEmbeddedBroker_RetainedMessagesSurviveTheRestart()
    {
        var port = FreeTcpPort.Next();
        var settings = new Dictionary<string, string?> { ["EDGE_Mqtt__EmbeddedPort"] = port.ToString(CultureInfo.InvariantCulture) };
        var stateDirectory = Directory.CreateTempSubdirectory("edge-state-").FullName;
        try
        {
            string deviceId;
            await using (var daemon = DaemonProcess.Start(settings, stateDirectory: stateDirectory))
            {
                deviceId = daemon.DeviceId;
                await Eventually.TrueAsync(() => FreeTcpPort.IsListeningAsync(port).GetAwaiter().GetResult(), "the embedded broker to listen");
                await MosquittoPublisher.PublishAsync(port, "edge/models/traffic/manifest", "offer of v1", retain: true, daemon.Login);
                await MosquittoPublisher.PublishAsync(port, "edge/models/traffic/1/chunks/0", "chunk 0", retain: true, daemon.Login);
                await MosquittoPublisher.PublishAsync(port, "edge/models/traffic/1/chunks/1", "chunk 1", retain: true, daemon.Login);
                await MosquittoPublisher.PublishAsync(port, "edge/models/traffic/1/chunks/1", string.Empty, retain: true, daemon.Login);
                await daemon.Process.KillHardAsync();
            }

            await using var restarted = DaemonProcess.Start(settings, deviceId, stateDirectory);
            await Eventually.TrueAsync(() => FreeTcpPort.IsListeningAsync(port).GetAwaiter().GetResult(), "the embedded broker to listen again");
            // The credential outlives the restart too: the same password file, so clients need not learn a new one.
            await using var observer = await MosquittoSubscriber.StartAsync(port, restarted.Login, "edge/models/#");
            await observer.WaitForAsync(m => m is { Topic: "edge/models/traffic/manifest", Payload: "offer of v1" }, "the retained offer after the restart");
            await observer.WaitForAsync(m => m is { Topic: "edge/models/traffic/1/chunks/0", Payload: "chunk 0" }, "the retained chunk after the restart");
            Assert.DoesNotContain(observer.Messages, m => m.Topic == "edge/models/traffic/1/chunks/1");
        }
        finally
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }
}
