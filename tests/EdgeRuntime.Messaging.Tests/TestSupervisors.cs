using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Messaging.Tests;

/// <summary>Supervisors wired as the daemon wires them, with short reconnect delays for tests.</summary>
internal static class TestSupervisors
{
    public static MqttConnectionSupervisor Create(
        string server,
        string? clientId = null,
        MqttLastWill? lastWill = null,
        Action<MqttOptions>? configure = null,
        int maxQueuedMessages = 10_000,
        Microsoft.Extensions.Logging.ILogger<MqttConnectionSupervisor>? logger = null,
        TimeProvider? timeProvider = null)
    {
        var options = new MqttOptions
        {
            Server = server,
            KeepAliveSeconds = 5,
            Reconnect = { InitialDelayMilliseconds = 50, MaxDelayMilliseconds = 300 },
        };
        configure?.Invoke(options);
        var validation = new MqttOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        Assert.True(BrokerEndpoint.TryParse(options.Server, out var endpoint, out var error), error);
        var clientOptions = MqttClientOptionsFactory.Create(options, endpoint!, clientId ?? $"test-{Guid.NewGuid():N}", lastWill);
        var pipeline = MqttReconnectPipeline.Create(options.Reconnect, endpoint!.ToString(), TimeProvider.System, TestLogging.For<MqttConnectionSupervisor>());
        return new MqttConnectionSupervisor(clientOptions, pipeline, maxQueuedMessages, timeProvider ?? TimeProvider.System, logger ?? TestLogging.For<MqttConnectionSupervisor>(), options.Conflict);
    }

    public static MqttConnectionSupervisor Started(string server, string? clientId = null, MqttLastWill? lastWill = null, Action<MqttOptions>? configure = null, IReadOnlyList<string>? holdAtStart = null)
    {
        var supervisor = Create(server, clientId, lastWill, configure);
        supervisor.HoldAtStartFor(holdAtStart ?? []);
        supervisor.Start();
        return supervisor;
    }

    public static OutgoingMessage Text(string topic, string payload, bool retain = false) =>
        new(topic, System.Text.Encoding.UTF8.GetBytes(payload), retain: retain);
}
