using System.CommandLine;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>
/// The options every verb that talks to the broker shares, and the connection they describe. Names follow
/// mosquitto_pub/sub where they overlap (<c>--cafile</c>, <c>--cert</c>, <c>--key</c>, <c>-u</c>); <c>-h</c> stays help,
/// so the broker is <c>--broker</c>/<c>-b</c>. The signing key of deploy, rollback and publish is <c>--signing-key</c>.
/// </summary>
internal sealed class BrokerArguments
{
    public Option<string> Broker { get; } = new("--broker", "-b")
    {
        Description = "Broker as host:port, mqtt://host:port or mqtts://host:port (default: $EDGE_BROKER or 127.0.0.1:1883)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EDGE_BROKER") is { Length: > 0 } fromEnvironment ? fromEnvironment : "127.0.0.1:1883",
    };

    public Option<string> TopicRoot { get; } = new("--root")
    {
        Description = "Topic root the devices use",
        DefaultValueFactory = _ => "edge",
    };

    public Option<string?> Username { get; } = new("--username", "-u") { Description = "User name for the broker" };

    public Option<string?> PasswordFile { get; } = new("--password-file") { Description = "File whose first line is the broker password" };

    public Option<string?> CaFile { get; } = new("--cafile", "--ca-file") { Description = "PEM file of the CA that signed the broker's certificate (mqtts://)" };

    public Option<string?> CertificateFile { get; } = new("--cert") { Description = "Client certificate (PEM or PKCS#12) for brokers that require one" };

    public Option<string?> KeyFile { get; } = new("--key") { Description = "Private key (PEM) of the client certificate (--cert)" };

    private bool _daemonState = true;

    public Option<string?> StateDirectory { get; } = new("--state")
    {
        Description = "State directory of a daemon on this machine: with a broker on 127.0.0.1 and no --username, edgectl logs in with its embedded broker's local credential (default: the first of $EDGE_StateDirectory, ./state, /var/lib/edge-runtime that has one)",
    };

    public Option<string> MaxPacketSize { get; } = new("--max-packet-size")
    {
        Description = "Largest MQTT packet edgectl accepts from the broker (announced in CONNECT; larger ones are refused unread), e.g. 1MiB",
        DefaultValueFactory = _ => "1MiB",
    };

    public Option<double> ConnectTimeoutSeconds { get; } = new("--connect-timeout")
    {
        Description = "Seconds to wait for the broker",
        DefaultValueFactory = _ => 5,
    };

    public TimeSpan ConnectTimeout(ParseResult parseResult) => TimeSpan.FromSeconds(Math.Max(0.1, parseResult.GetValue(ConnectTimeoutSeconds)));

    /// <summary>Adds the broker options to <paramref name="command"/>.</summary>
    /// <param name="command">The verb.</param>
    /// <param name="daemonState">
    /// Whether to add <c>--state</c> (a daemon's state directory, for its embedded broker's credential); false for a verb
    /// whose own <c>--state</c> means something else (the aggregator's folder), which then finds the credential in the
    /// default places only.
    /// </param>
    public void AddTo(Command command, bool daemonState = true)
    {
        _daemonState = daemonState;
        command.Add(Broker);
        command.Add(TopicRoot);
        command.Add(Username);
        command.Add(PasswordFile);
        command.Add(CaFile);
        command.Add(CertificateFile);
        command.Add(KeyFile);
        if (daemonState)
        {
            command.Add(StateDirectory);
        }

        command.Add(MaxPacketSize);
        command.Add(ConnectTimeoutSeconds);
    }

    /// <summary>Validated options for the broker; null and a one-line <paramref name="error"/> when they are not usable.</summary>
    /// <remarks>
    /// On a verb with a signing key, <c>--key</c> names the client certificate's key only when <c>--cert</c> is given
    /// too; alone it is the signing key's old spelling (see <see cref="SigningKeyArgument"/>) and is not used for TLS.
    /// </remarks>
    public MqttOptions? Read(ParseResult parseResult, out BrokerEndpoint? endpoint, out string? error)
    {
        Deprecations.Warn(parseResult, parseResult.InvocationConfiguration.Error);
        var clientKey = parseResult.GetValue(CertificateFile) is null && SigningKeyArgument.IsDeclaredOn(parseResult) ? null : parseResult.GetValue(KeyFile);
        var maxPacketBytes = ArgumentParsers.Size(parseResult.GetValue(MaxPacketSize)!, out var sizeProblem);
        if (maxPacketBytes is null || maxPacketBytes > MqttOptions.MaxMqttPacketBytes)
        {
            endpoint = null;
            error = $"--max-packet-size: {sizeProblem ?? $"'{parseResult.GetValue(MaxPacketSize)}' is larger than MQTT allows ({MqttOptions.MaxMqttPacketBytes} bytes)"}";
            return null;
        }

        var options = new MqttOptions
        {
            Server = parseResult.GetValue(Broker),
            TopicRoot = parseResult.GetValue(TopicRoot)!,
            Username = parseResult.GetValue(Username),
            PasswordFile = parseResult.GetValue(PasswordFile),
            MaxPacketBytes = (int)maxPacketBytes.Value,
            // A command-line tool leaves no session behind on the broker.
            CleanStart = true,
            SessionExpirySeconds = 0,
            ConnectTimeoutSeconds = Math.Max(1, (int)Math.Ceiling(parseResult.GetValue(ConnectTimeoutSeconds))),
            Reconnect = { InitialDelayMilliseconds = 200, MaxDelayMilliseconds = 5_000 },
            Tls =
            {
                CaFile = parseResult.GetValue(CaFile),
                ClientCertificateFile = parseResult.GetValue(CertificateFile),
                ClientKeyFile = clientKey,
            },
        };

        var validation = new MqttOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            endpoint = null;
            error = validation.Failures.First()
                .Replace("Mqtt:Server", "--broker", StringComparison.Ordinal)
                .Replace("Mqtt:Tls: certificate files are set", "--cafile, --cert or --key is set", StringComparison.Ordinal)
                .Replace(", or Mqtt:Tls:Enabled true", string.Empty, StringComparison.Ordinal)
                .Replace("Mqtt:Tls:CaFile", "--cafile", StringComparison.Ordinal)
                .Replace("Mqtt:Tls:ClientCertificateFile", "--cert", StringComparison.Ordinal)
                .Replace("Mqtt:Tls:ClientKeyFile", "--key", StringComparison.Ordinal)
                .Replace("Mqtt:PasswordFile", "--password-file", StringComparison.Ordinal)
                .Replace("Mqtt:TopicRoot", "--root", StringComparison.Ordinal)
                .Replace("Mqtt:MaxPacketBytes", "--max-packet-size", StringComparison.Ordinal);
            return null;
        }

        BrokerEndpoint.TryParse(options.Server, out endpoint, out error);
        if (string.IsNullOrEmpty(options.Username) && LocalBrokerLogin.IsThisMachine(endpoint!) &&
            LocalBrokerLogin.FindPasswordFile(_daemonState ? parseResult.GetValue(StateDirectory) : null, out _) is { } passwordFile)
        {
            // A broker on this machine is usually a daemon's embedded one, which lets in only its local credential.
            options.Username = LocalBrokerCredential.Username;
            options.PasswordFile = passwordFile;
        }

        return options;
    }

    /// <summary>A supervisor for a tool connection (no last will, no kept session); <paramref name="clientId"/> defaults to a random one.</summary>
    public static MqttConnectionSupervisor CreateSupervisor(MqttOptions options, BrokerEndpoint endpoint, TimeProvider timeProvider, string? clientId = null)
    {
        clientId ??= $"edgectl-{Guid.NewGuid():N}"[..24];
        var logger = NullLogger<MqttConnectionSupervisor>.Instance;
        return new MqttConnectionSupervisor(
            MqttClientOptionsFactory.Create(options, endpoint, clientId, lastWill: null),
            MqttReconnectPipeline.Create(options.Reconnect, endpoint.ToString(), timeProvider, logger),
            options.MaxQueuedMessages,
            timeProvider,
            logger);
    }
}
