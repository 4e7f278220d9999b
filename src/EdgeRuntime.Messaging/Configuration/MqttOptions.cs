namespace EdgeRuntime.Messaging.Configuration;

/// <summary>
/// How the daemon reaches its broker. Bound from the <c>Mqtt</c> configuration section
/// (environment form: <c>EDGE_Mqtt__Server</c>). Validated at start by <see cref="MqttOptionsValidator"/>.
/// </summary>
public sealed class MqttOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Mqtt";

    /// <summary>
    /// The broker: <c>host:port</c>, <c>mqtt://host:port</c> or <c>mqtts://host:port</c> (TLS).
    /// Absent or empty: the daemon starts its embedded broker on 127.0.0.1 and connects to it.
    /// </summary>
    public string? Server { get; set; }

    /// <summary>Port of the embedded broker on 127.0.0.1 when <see cref="Server"/> is absent. Default 1883.</summary>
    public int EmbeddedPort { get; set; } = 1883;

    /// <summary>The first level of every topic. Default <c>edge</c>.</summary>
    public string TopicRoot { get; set; } = "edge";

    /// <summary>The MQTT client id. Default: <c>edge-runtime-{DeviceId}</c>; it must be unique on the broker.</summary>
    public string? ClientId { get; set; }

    /// <summary>User name for brokers that require one.</summary>
    public string? Username { get; set; }

    /// <summary>Password; prefer <see cref="PasswordFile"/> so it stays out of config files and process listings.</summary>
    public string? Password { get; set; }

    /// <summary>A file whose first line is the password (systemd credentials, container secrets).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>TLS settings; TLS is on for <c>mqtts://</c> servers.</summary>
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>Seconds between keep-alive pings; a dead link is noticed within 1.5 times this. Default 30.</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>
    /// Start a fresh session on every connect. Default false: the broker keeps the device's subscriptions
    /// and the QoS 1 messages addressed to it while it is offline, for <see cref="SessionExpirySeconds"/>.
    /// </summary>
    public bool CleanStart { get; set; }

    /// <summary>How long the broker keeps the session after a disconnect, in seconds. Default 86400 (one day).</summary>
    public long SessionExpirySeconds { get; set; } = 86_400;

    /// <summary>Seconds to wait for the broker to accept a connection. Default 10.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Backoff between connection attempts.</summary>
    public MqttReconnectOptions Reconnect { get; set; } = new();

    /// <summary>
    /// Messages the daemon holds for the broker while it is unreachable (or unacknowledged). Past this,
    /// new publishes are refused with an error, never dropped silently. Default 10000.
    /// </summary>
    public int MaxQueuedMessages { get; set; } = 10_000;

    /// <summary>QoS 1 messages the broker may send before the daemon has handled them. Default 64.</summary>
    public int ReceiveMaximum { get; set; } = 64;

    /// <summary>
    /// The largest MQTT packet, in bytes (fixed header included, as MQTT 5's Maximum Packet Size counts), the daemon
    /// accepts: sent to the broker in CONNECT so a compliant broker never delivers a larger one, checked on every packet
    /// read before its body is allocated, and the embedded broker's limit for what clients send it. Default
    /// <see cref="DefaultMaxPacketBytes"/>.
    /// </summary>
    public int MaxPacketBytes { get; set; } = DefaultMaxPacketBytes;

    /// <summary>How the daemon tells a client id taken over again and again (another device with its id) from a lost link.</summary>
    public ClientIdConflictOptions Conflict { get; set; } = new();

    /// <summary>
    /// 1 MiB: a model chunk of the default 256 KiB with room to spare, and the signed manifest of a model as large as
    /// the default store quota (2 GiB at 256 KiB chunks: 8192 chunk hashes, about 760 KB in the signed envelope).
    /// </summary>
    public const int DefaultMaxPacketBytes = 1 << 20;

    /// <summary>The smallest <see cref="MaxPacketBytes"/> allowed: 16 KiB (a status document or a command with room to spare).</summary>
    public const int MinMaxPacketBytes = 16 << 10;

    /// <summary>The largest packet MQTT can frame: a Remaining Length of 268,435,455 bytes plus a 5-byte fixed header.</summary>
    public const int MaxMqttPacketBytes = 268_435_460;
}

/// <summary>TLS for an external broker. Paths are to PEM files unless noted.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>Use TLS with a <c>host:port</c> server (an <c>mqtts://</c> server always does).</summary>
    public bool Enabled { get; set; }

    /// <summary>CA certificate(s) that sign the broker's certificate. Absent: the system trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>The device's client certificate: PEM (with <see cref="ClientKeyFile"/>) or PKCS#12 (.pfx/.p12).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>The client certificate's private key (PEM) when the certificate file does not hold it.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Password of a PKCS#12 client certificate file.</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>The name the broker's certificate must carry, when it differs from the host in <see cref="MqttOptions.Server"/>.</summary>
    public string? ServerName { get; set; }

    /// <summary>Accept any broker certificate. For lab set-ups only; the daemon logs a warning at start.</summary>
    public bool AllowUntrustedCertificates { get; set; }
}

/// <summary>
/// When a broker closes the connection because another client connected with the same client id (MQTT 5 DISCONNECT
/// reason 0x8E, Session taken over) <see cref="Takeovers"/> times within <see cref="WindowSeconds"/>, two processes share
/// one id — usually two devices cloned from one SD-card image, with the same machine id. The daemon then reports
/// <c>conflict</c> in its status and waits before it reconnects, instead of taking the connection back at once (which
/// the other side answers in kind, several times a second, forever).
/// </summary>
public sealed class ClientIdConflictOptions
{
    /// <summary>Takeovers within the window that make a conflict. Default 3.</summary>
    public int Takeovers { get; set; } = 3;

    /// <summary>The window, in seconds; also how long a connection must last for a conflict to end. Default 60.</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>The wait before reconnecting after the first takeover in a conflict, in seconds; it doubles with each further one. Default 30.</summary>
    public int BackOffSeconds { get; set; } = 30;

    /// <summary>The longest wait before reconnecting during a conflict, in seconds. Default 600.</summary>
    public int MaxBackOffSeconds { get; set; } = 600;
}

/// <summary>Jittered exponential backoff between connection attempts (the <c>mqtt-reconnect</c> pipeline).</summary>
public sealed class MqttReconnectOptions
{
    /// <summary>The first delay, in milliseconds. Default 500.</summary>
    public int InitialDelayMilliseconds { get; set; } = 500;

    /// <summary>The longest delay, in milliseconds. Default 30000.</summary>
    public int MaxDelayMilliseconds { get; set; } = 30_000;
}
