using System.CommandLine;
using EdgeRuntime.Fleet.Status;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>A verb's connection to the broker, up and running; dispose it to disconnect after queued messages went out.</summary>
internal sealed class ConnectedBroker : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private ConnectedBroker(MqttConnectionSupervisor connection, MqttTopics topics)
    {
        Connection = connection;
        Topics = topics;
    }

    public MqttConnectionSupervisor Connection { get; }

    public MqttTopics Topics { get; }

    /// <summary>Connects with the verb's broker options; <paramref name="minMaxPacketBytes"/> raises the packet limit for a verb that must read larger packets back.</summary>
    /// <exception cref="ArgumentException">The options are wrong; the message is one line.</exception>
    /// <exception cref="BrokerUnreachableException">No connection within the connect timeout.</exception>
    public static async Task<ConnectedBroker> ConnectAsync(BrokerArguments broker, ParseResult parseResult, TimeProvider timeProvider, CancellationToken cancellationToken, string? clientId = null, int minMaxPacketBytes = 0)
    {
        var options = broker.Read(parseResult, out var endpoint, out var problem);
        if (options is null)
        {
            throw new ArgumentException(problem);
        }

        options.MaxPacketBytes = Math.Clamp(minMaxPacketBytes, options.MaxPacketBytes, MqttOptions.MaxMqttPacketBytes);

        var supervisor = BrokerArguments.CreateSupervisor(options, endpoint!, timeProvider, clientId);
        supervisor.Start();
        var timeout = broker.ConnectTimeout(parseResult);
        try
        {
            await supervisor.WaitUntilConnectedAsync(cancellationToken).WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            var reason = supervisor.LastConnectError ?? $"no answer within {timeout.TotalSeconds:F0} s";
            await supervisor.DisposeAsync();
            throw new BrokerUnreachableException(supervisor.Endpoint, reason);
        }

        return new ConnectedBroker(supervisor, new MqttTopics(options.TopicRoot));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.StopAsync(DrainTimeout);
        await Connection.DisposeAsync();
    }
}
