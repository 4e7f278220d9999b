using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeRuntime.Messaging.Configuration;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>
/// Turns validated <see cref="MqttOptions"/> into MQTTnet client options (MQTT 5, TLS, credentials, last will, Maximum
/// Packet Size). A password file is read at every connect, so a rotated password (or the embedded broker's, written
/// when it starts) is picked up without a restart.
/// </summary>
public static class MqttClientOptionsFactory
{
    /// <summary>Builds the client options for <paramref name="endpoint"/>.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="endpoint">The broker (the embedded one when <see cref="MqttOptions.Server"/> is empty).</param>
    /// <param name="clientId">The client id, unique on the broker.</param>
    /// <param name="lastWill">Published by the broker if the connection dies; null for none.</param>
    public static MqttClientOptions Create(MqttOptions options, BrokerEndpoint endpoint, string clientId, MqttLastWill? lastWill)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(options.CleanStart)
            .WithSessionExpiryInterval((uint)options.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds))
            .WithReceiveMaximum((ushort)options.ReceiveMaximum)
            .WithMaximumPacketSize((uint)options.MaxPacketBytes);

        if (!string.IsNullOrEmpty(options.Username))
        {
            builder.WithCredentials(new ConfiguredCredentials(options.Username, options.Password, options.PasswordFile));
        }

        if (endpoint.UseTls || options.Tls.Enabled)
        {
            builder.WithTlsOptions(tls => ConfigureTls(tls, options.Tls, endpoint));
        }

        if (lastWill is not null)
        {
            builder
                .WithWillTopic(lastWill.Topic)
                .WithWillPayload(lastWill.Payload)
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillContentType("application/json");
        }

        var built = builder.Build();

        // MQTTnet sizes the socket buffers to 8 KiB by default; a publish larger than about 128 KiB then stalls on
        // TCP's delayed acknowledgements (measured: 86 ms per 256 KiB chunk on loopback, 1.2 ms with 1 MiB buffers).
        // Model chunks are 256 KiB by default, so the buffers must hold a whole chunk or more.
        if (built.ChannelOptions is MqttClientTcpOptions tcp)
        {
            tcp.BufferSize = SocketBufferBytes;
        }

        return built;
    }

    /// <summary>
    /// Makes <paramref name="clientOptions"/> log in as <paramref name="username"/> with the first line of
    /// <paramref name="passwordFile"/>, read at every connect (the embedded broker's local credential, which the broker
    /// writes when it starts).
    /// </summary>
    public static void UsePasswordFile(MqttClientOptions clientOptions, string username, string passwordFile)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        clientOptions.Credentials = new ConfiguredCredentials(username, password: null, passwordFile);
    }

    /// <summary>Socket send and receive buffer size for broker connections.</summary>
    public const int SocketBufferBytes = 1 << 20;

    /// <summary>The broker of a set of client options, as <c>mqtt[s]://host:port</c>.</summary>
    public static string Describe(MqttClientOptions options)
    {
        var tcp = options.ChannelOptions as MqttClientTcpOptions;
        var scheme = tcp?.TlsOptions?.UseTls == true ? "mqtts" : "mqtt";
        return tcp?.RemoteEndpoint switch
        {
            DnsEndPoint dns => $"{scheme}://{dns.Host}:{dns.Port}",
            { } other => $"{scheme}://{other}",
            null => $"{scheme}://(unknown)",
        };
    }

    /// <summary>The configured user name, and the password as given or as the first line of its file at the moment of connecting.</summary>
    private sealed class ConfiguredCredentials(string username, string? password, string? passwordFile) : IMqttClientCredentialsProvider
    {
        public string GetUserName(MqttClientOptions clientOptions) => username;

        /// <exception cref="IOException">The password file cannot be read; the connection attempt fails and is retried.</exception>
        public byte[]? GetPassword(MqttClientOptions clientOptions)
        {
            if (passwordFile is { Length: > 0 })
            {
                using var reader = new StreamReader(passwordFile);
                return System.Text.Encoding.UTF8.GetBytes(reader.ReadLine()?.TrimEnd('\r') ?? string.Empty);
            }

            return password is null ? null : System.Text.Encoding.UTF8.GetBytes(password);
        }
    }

    private static void ConfigureTls(MqttClientTlsOptionsBuilder tls, MqttTlsOptions settings, BrokerEndpoint endpoint)
    {
        var serverName = settings.ServerName ?? endpoint.Host;
        tls.UseTls().WithTargetHost(serverName);
        if (settings.ClientCertificateFile is { Length: > 0 })
        {
            tls.WithClientCertificates([MqttCertificates.LoadClientCertificate(settings)]);
        }

        if (settings.AllowUntrustedCertificates)
        {
            tls.WithCertificateValidationHandler(_ => true);
            return;
        }

        if (settings.CaFile is { Length: > 0 } caFile)
        {
            var roots = MqttCertificates.LoadCaFile(caFile);
            tls.WithCertificateValidationHandler(context =>
            {
                var nameMatched = (context.SslPolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
                return MqttCertificates.IsTrustedByCustomRoots(context.Certificate, roots, nameMatched);
            });
        }

        // Without a CA file the system trust store decides (SslStream's default validation).
    }

    /// <summary>Exposed for tests: whether a chain built against <paramref name="roots"/> succeeds.</summary>
    internal static bool Trusts(X509Certificate2 certificate, X509Certificate2Collection roots) =>
        MqttCertificates.IsTrustedByCustomRoots(certificate, roots, nameMatched: true);
}
