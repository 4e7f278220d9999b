using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Messaging.Configuration;

/// <summary>
/// Checks <see cref="MqttOptions"/> before the daemon connects. Every failure is one line that names the
/// configuration key, the bad value and what is allowed.
/// </summary>
public sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = MqttOptions.SectionName;

        BrokerEndpoint? endpoint = null;
        if (!string.IsNullOrWhiteSpace(options.Server) &&
            !BrokerEndpoint.TryParse(options.Server, out endpoint, out var serverError))
        {
            failures.Add($"{section}:Server: {serverError}");
        }

        if (options.EmbeddedPort is < 1 or > 65535)
        {
            failures.Add($"{section}:EmbeddedPort: {options.EmbeddedPort} is out of range; allowed: 1-65535");
        }

        if (!IsValidTopicLevel(options.TopicRoot))
        {
            failures.Add($"{section}:TopicRoot: '{options.TopicRoot}' is not one topic level; allowed: a non-empty name without '/', '+', '#' or a leading '$'");
        }

        if (options.ClientId is { Length: > 0 } clientId && (clientId.Length > 128 || clientId.Any(char.IsControl)))
        {
            failures.Add($"{section}:ClientId: '{clientId}' is not usable; allowed: up to 128 printable characters");
        }

        if (options.KeepAliveSeconds is < 1 or > 65535)
        {
            failures.Add($"{section}:KeepAliveSeconds: {options.KeepAliveSeconds} is out of range; allowed: 1-65535");
        }

        if (options.SessionExpirySeconds is < 0 or > uint.MaxValue)
        {
            failures.Add($"{section}:SessionExpirySeconds: {options.SessionExpirySeconds} is out of range; allowed: 0-{uint.MaxValue}");
        }
        else if (!options.CleanStart && options.SessionExpirySeconds == 0)
        {
            failures.Add($"{section}:SessionExpirySeconds: 0 keeps no session although {section}:CleanStart is false; allowed: 1-{uint.MaxValue}, or set {section}:CleanStart to true");
        }

        if (options.ConnectTimeoutSeconds is < 1 or > 600)
        {
            failures.Add($"{section}:ConnectTimeoutSeconds: {options.ConnectTimeoutSeconds} is out of range; allowed: 1-600");
        }

        var reconnect = options.Reconnect;
        if (reconnect.InitialDelayMilliseconds is < 1 or > 3_600_000)
        {
            failures.Add($"{section}:Reconnect:InitialDelayMilliseconds: {reconnect.InitialDelayMilliseconds} is out of range; allowed: 1-3600000");
        }

        if (reconnect.MaxDelayMilliseconds < reconnect.InitialDelayMilliseconds || reconnect.MaxDelayMilliseconds > 3_600_000)
        {
            failures.Add($"{section}:Reconnect:MaxDelayMilliseconds: {reconnect.MaxDelayMilliseconds} is out of range; allowed: {reconnect.InitialDelayMilliseconds}-3600000 (not below the initial delay)");
        }

        if (options.MaxQueuedMessages is < 1 or > 10_000_000)
        {
            failures.Add($"{section}:MaxQueuedMessages: {options.MaxQueuedMessages} is out of range; allowed: 1-10000000");
        }

        if (options.ReceiveMaximum is < 1 or > 65535)
        {
            failures.Add($"{section}:ReceiveMaximum: {options.ReceiveMaximum} is out of range; allowed: 1-65535");
        }

        if (options.MaxPacketBytes is < MqttOptions.MinMaxPacketBytes or > MqttOptions.MaxMqttPacketBytes)
        {
            failures.Add($"{section}:MaxPacketBytes: {options.MaxPacketBytes} is out of range; allowed: {MqttOptions.MinMaxPacketBytes}-{MqttOptions.MaxMqttPacketBytes}");
        }

        ValidateConflict(options.Conflict, failures);

        if (string.IsNullOrWhiteSpace(options.Server) && (options.Username is { Length: > 0 } || options.PasswordFile is { Length: > 0 }))
        {
            failures.Add($"{section}:Username: is set but {section}:Server is empty (the embedded broker takes the local credential it keeps in the state directory, broker/password); allowed: set {section}:Server, or remove {section}:Username, {section}:Password and {section}:PasswordFile");
        }

        if (options.PasswordFile is { Length: > 0 } passwordFile && !File.Exists(passwordFile))
        {
            failures.Add($"{section}:PasswordFile: '{passwordFile}' does not exist");
        }

        if (options.Password is { Length: > 0 } && string.IsNullOrEmpty(options.Username))
        {
            failures.Add($"{section}:Username: is empty but a password is set; allowed: a user name whenever {section}:Password or {section}:PasswordFile is set");
        }

        ValidateTls(options, endpoint, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConflict(ClientIdConflictOptions conflict, List<string> failures)
    {
        var section = $"{MqttOptions.SectionName}:Conflict";
        if (conflict.Takeovers is < 2 or > 1000)
        {
            failures.Add($"{section}:Takeovers: {conflict.Takeovers} is out of range; allowed: 2-1000");
        }

        if (conflict.WindowSeconds is < 1 or > 86_400)
        {
            failures.Add($"{section}:WindowSeconds: {conflict.WindowSeconds} is out of range; allowed: 1-86400");
        }

        if (conflict.BackOffSeconds is < 1 or > 86_400)
        {
            failures.Add($"{section}:BackOffSeconds: {conflict.BackOffSeconds} is out of range; allowed: 1-86400");
        }

        if (conflict.MaxBackOffSeconds < conflict.BackOffSeconds || conflict.MaxBackOffSeconds > 86_400)
        {
            failures.Add($"{section}:MaxBackOffSeconds: {conflict.MaxBackOffSeconds} is out of range; allowed: {conflict.BackOffSeconds}-86400 (not below BackOffSeconds)");
        }
    }

    private static void ValidateTls(MqttOptions options, BrokerEndpoint? endpoint, List<string> failures)
    {
        var tls = options.Tls;
        var section = $"{MqttOptions.SectionName}:Tls";
        var usesTls = endpoint?.UseTls == true || tls.Enabled;
        var anyFileSet = tls.CaFile is { Length: > 0 } || tls.ClientCertificateFile is { Length: > 0 } || tls.ClientKeyFile is { Length: > 0 };
        if (anyFileSet && string.IsNullOrWhiteSpace(options.Server))
        {
            failures.Add($"{section}: certificate files are set but {MqttOptions.SectionName}:Server is empty (the embedded broker is plain TCP on 127.0.0.1); allowed: set {MqttOptions.SectionName}:Server to an mqtts:// broker");
            return;
        }

        if (anyFileSet && !usesTls)
        {
            failures.Add($"{section}: certificate files are set but '{options.Server}' is not a TLS connection; allowed: mqtts://host:port, or {section}:Enabled true");
            return;
        }

        if (tls.CaFile is { Length: > 0 } caFile)
        {
            if (!File.Exists(caFile))
            {
                failures.Add($"{section}:CaFile: '{caFile}' does not exist");
            }
            else
            {
                try
                {
                    foreach (var certificate in MqttCertificates.LoadCaFile(caFile))
                    {
                        certificate.Dispose();
                    }
                }
                catch (CryptographicException ex)
                {
                    failures.Add($"{section}:CaFile: '{caFile}' cannot be read as PEM certificates: {ex.Message}");
                }
            }
        }

        if (tls.ClientKeyFile is { Length: > 0 } keyFile && !File.Exists(keyFile))
        {
            failures.Add($"{section}:ClientKeyFile: '{keyFile}' does not exist");
            return;
        }

        if (tls.ClientKeyFile is { Length: > 0 } && string.IsNullOrEmpty(tls.ClientCertificateFile))
        {
            failures.Add($"{section}:ClientCertificateFile: is empty but {section}:ClientKeyFile is set; allowed: the certificate that goes with the key");
            return;
        }

        if (tls.ClientCertificateFile is { Length: > 0 } certificateFile)
        {
            if (!File.Exists(certificateFile))
            {
                failures.Add($"{section}:ClientCertificateFile: '{certificateFile}' does not exist");
                return;
            }

            try
            {
                MqttCertificates.LoadClientCertificate(tls).Dispose();
            }
            catch (CryptographicException ex)
            {
                failures.Add($"{section}:ClientCertificateFile: '{certificateFile}' cannot be read as a certificate with its private key: {ex.Message}");
            }
        }
    }

    private static bool IsValidTopicLevel(string? level) =>
        !string.IsNullOrEmpty(level) &&
        !level.StartsWith('$') &&
        level.IndexOfAny(['/', '+', '#', '\0']) < 0;
}
