using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// An MQTT 5 broker inside the daemon, on 127.0.0.1 only, for devices that run without a fleet broker
/// (and for the first run on a fresh machine). Sessions persist in memory for the process's lifetime; retained
/// messages, given a <see cref="RetainedMessageStore"/>, on disk — written before each publish is acknowledged, so they
/// survive a kill -9 of the daemon. The caller owns it; dispose to stop.
/// </summary>
public sealed partial class EmbeddedMqttBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly ILogger _logger;

    private EmbeddedMqttBroker(MqttServer server, int port, ILogger logger)
    {
        _server = server;
        Port = port;
        _logger = logger;
    }

    /// <summary>The TCP port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Starts a broker on 127.0.0.1:<paramref name="port"/>; with <paramref name="retained"/>, retained messages persist there.</summary>
    /// <exception cref="EmbeddedBrokerException">The port is taken or cannot be opened.</exception>
    public static async Task<EmbeddedMqttBroker> StartAsync(int port, ILogger<EmbeddedMqttBroker> logger, RetainedMessageStore? retained = null)
    {
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        var server = factory.CreateMqttServer(options, [new ClientIdAssigningServerAdapter()], factory.DefaultLogger);
        if (retained is not null)
        {
            Persist(server, retained, logger);
        }

        try
        {
            await server.StartAsync();
        }
        catch (SocketException ex)
        {
            server.Dispose();
            var why = ex.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? "is already in use (is another broker running? set Mqtt:Server to use it, or choose another Mqtt:EmbeddedPort)"
                : $"cannot be opened: {ex.Message}";
            throw new EmbeddedBrokerException($"Mqtt:EmbeddedPort: port {port} on 127.0.0.1 {why}", ex);
        }

        LogStarted(logger, port);
        return new EmbeddedMqttBroker(server, port, logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync(new MqttServerStopOptions());
            LogStopped(_logger, Port);
        }

        _server.Dispose();
    }

    private static void Persist(MqttServer server, RetainedMessageStore store, ILogger logger)
    {
        server.LoadingRetainedMessageAsync += args =>
        {
            args.LoadedRetainedMessages = store.Load(out var unreadable);
            foreach (var file in unreadable)
            {
                LogUnreadable(logger, file);
            }

            LogLoaded(logger, args.LoadedRetainedMessages.Count, store.Folder);
            return Task.CompletedTask;
        };

        // Runs before the publish is acknowledged (MQTTnet awaits it while dispatching), one change at a time.
        server.RetainedMessageChangedAsync += args =>
        {
            try
            {
                store.Save(args.ChangedRetainedMessage);
            }
            catch (IOException ex)
            {
                // Kept in memory; a restart would lose it. Say so rather than refuse the publish.
                LogNotSaved(logger, args.ChangedRetainedMessage.Topic, ex.Message);
            }

            return Task.CompletedTask;
        };

        server.RetainedMessagesClearedAsync += _ =>
        {
            store.Clear();
            return Task.CompletedTask;
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker: {Count} retained message(s) loaded from {Folder}")]
    private static partial void LogLoaded(ILogger logger, int count, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: retained message file {File} is unreadable and was skipped")]
    private static partial void LogUnreadable(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: the retained message on {Topic} could not be saved ({Reason}); it is lost if the daemon restarts")]
    private static partial void LogNotSaved(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on 127.0.0.1:{Port}")]
    private static partial void LogStarted(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker on 127.0.0.1:{Port} stopped")]
    private static partial void LogStopped(ILogger logger, int port);
}

/// <summary>The embedded broker could not start; the message names the setting to change.</summary>
public sealed class EmbeddedBrokerException(string message, Exception inner) : Exception(message, inner);
