using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// An MQTT 5 broker inside the daemon, on 127.0.0.1 only, for devices that run without a fleet broker
/// (and for the first run on a fresh machine). Sessions persist in memory for the process's lifetime; retained
/// messages, given a <see cref="RetainedMessageStore"/>, on disk — written before each publish is acknowledged, so they
/// survive a kill -9 of the daemon. With a credential (<see cref="EmbeddedBrokerSettings.Credential"/>) it refuses every
/// client that does not log in with it; packets larger than <see cref="EmbeddedBrokerSettings.MaxPacketBytes"/> are
/// refused before they are allocated. The caller owns it; dispose to stop.
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

    /// <summary>The TCP port it listens on (127.0.0.1); the OS's pick where it was started on port 0.</summary>
    public int Port { get; }

    /// <summary>
    /// Starts a broker on 127.0.0.1:<paramref name="port"/> that accepts any client (for tools that run one in-process
    /// for their own clients, and tests); with <paramref name="retained"/>, retained messages persist there. Port 0 binds
    /// a port the OS picks, atomically (no window in which another socket could take it); <see cref="Port"/> tells which.
    /// </summary>
    /// <exception cref="EmbeddedBrokerException">The port is taken or cannot be opened.</exception>
    public static Task<EmbeddedMqttBroker> StartAsync(int port, ILogger<EmbeddedMqttBroker> logger, RetainedMessageStore? retained = null) =>
        StartAsync(new EmbeddedBrokerSettings(port), logger, retained);

    /// <summary>Starts a broker as <paramref name="settings"/> say; with <paramref name="retained"/>, retained messages persist there.</summary>
    /// <exception cref="EmbeddedBrokerException">The port is taken or cannot be opened.</exception>
    public static async Task<EmbeddedMqttBroker> StartAsync(EmbeddedBrokerSettings settings, ILogger<EmbeddedMqttBroker> logger, RetainedMessageStore? retained = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = settings.Port;
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        var adapter = new LoopbackServerAdapter(port, settings.MaxPacketBytes, logger);
        var server = factory.CreateMqttServer(options, [adapter], factory.DefaultLogger);
        var budget = new RetainedBudget(settings.MaxRetainedBytes);
        LimitRetained(server, budget, logger);
        if (retained is not null)
        {
            Persist(server, retained, budget, logger);
        }

        if (settings.Credential is { } credential)
        {
            RequireLogin(server, credential, logger);
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

        LogStarted(logger, adapter.BoundPort);
        return new EmbeddedMqttBroker(server, adapter.BoundPort, logger);
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

    private static void RequireLogin(MqttServer server, BrokerCredential credential, ILogger logger)
    {
        server.ValidatingConnectionAsync += args =>
        {
            if (!credential.Matches(args.UserName, args.RawPassword ?? []))
            {
                args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                LogLoginRefused(logger, args.ClientId, args.RemoteEndPoint?.ToString() ?? "?", string.IsNullOrEmpty(args.UserName) ? "no user name" : $"user '{args.UserName}'", "bad-credential");
            }

            return Task.CompletedTask;
        };
    }

    // A retained publish that would take the retained payload above the budget is refused before it is stored.
    private static void LimitRetained(MqttServer server, RetainedBudget budget, ILogger logger)
    {
        server.InterceptingPublishAsync += args =>
        {
            var message = args.ApplicationMessage;
            if (message.Retain && !budget.TryAdmit(message.Topic, message.Payload.Length))
            {
                args.ProcessPublish = false;
                args.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
                LogRetainedRefused(logger, args.ClientId, message.Topic.Length > 200 ? message.Topic[..200] + "…" : message.Topic, message.Payload.Length, budget.MaxBytes);
            }

            return Task.CompletedTask;
        };

        server.RetainedMessagesClearedAsync += _ =>
        {
            budget.Clear();
            return Task.CompletedTask;
        };
    }

    private static void Persist(MqttServer server, RetainedMessageStore store, RetainedBudget budget, ILogger logger)
    {
        server.LoadingRetainedMessageAsync += args =>
        {
            args.LoadedRetainedMessages = store.Load(out var unreadable);
            foreach (var loaded in args.LoadedRetainedMessages)
            {
                budget.Seed(loaded.Topic, loaded.Payload.Length);
            }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: refused a retained message of {Bytes} bytes from {ClientId} on {Topic}: the retained messages would exceed {MaxBytes} bytes (quota-exceeded)")]
    private static partial void LogRetainedRefused(ILogger logger, string clientId, string topic, long bytes, long maxBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker: {Count} retained message(s) loaded from {Folder}")]
    private static partial void LogLoaded(ILogger logger, int count, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: retained message file {File} is unreadable and was skipped")]
    private static partial void LogUnreadable(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: the retained message on {Topic} could not be saved ({Reason}); it is lost if the daemon restarts")]
    private static partial void LogNotSaved(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: refused client {ClientId} ({Endpoint}) with {Login}: not the local credential ({Code})")]
    private static partial void LogLoginRefused(ILogger logger, string clientId, string endpoint, string login, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on 127.0.0.1:{Port}")]
    private static partial void LogStarted(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker on 127.0.0.1:{Port} stopped")]
    private static partial void LogStopped(ILogger logger, int port);
}

/// <summary>The embedded broker could not start; the message names the setting to change.</summary>
public sealed class EmbeddedBrokerException(string message, Exception inner) : Exception(message, inner);
