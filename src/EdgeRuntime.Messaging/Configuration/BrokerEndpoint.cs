using System.Globalization;

namespace EdgeRuntime.Messaging.Configuration;

/// <summary>A broker address parsed from <c>host:port</c>, <c>mqtt://host:port</c> or <c>mqtts://host:port</c>.</summary>
/// <param name="Host">Host name or IP address (IPv6 without brackets).</param>
/// <param name="Port">TCP port, 1-65535.</param>
/// <param name="UseTls">True for <c>mqtts://</c>.</param>
public sealed record BrokerEndpoint(string Host, int Port, bool UseTls)
{
    /// <summary>The forms accepted, for error messages.</summary>
    public const string AllowedForms = "host:port, mqtt://host:port or mqtts://host:port";

    /// <summary>The default port of plain MQTT.</summary>
    public const int DefaultPort = 1883;

    /// <summary>The default port of MQTT over TLS.</summary>
    public const int DefaultTlsPort = 8883;

    /// <summary>Parses a broker address; on failure returns false and says what is wrong in <paramref name="error"/>.</summary>
    public static bool TryParse(string? text, out BrokerEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            error = $"is empty; allowed: {AllowedForms}";
            return false;
        }

        var useTls = false;
        var rest = value;
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = value[..schemeEnd].ToLowerInvariant();
            switch (scheme)
            {
                case "mqtt":
                    break;
                case "mqtts":
                    useTls = true;
                    break;
                default:
                    error = $"'{value}' has an unknown scheme '{value[..schemeEnd]}'; allowed: {AllowedForms}";
                    return false;
            }

            rest = value[(schemeEnd + 3)..].TrimEnd('/');
        }

        if (rest.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{value}' has a path; allowed: {AllowedForms}";
            return false;
        }

        if (!TrySplitHostPort(rest, out var host, out var portText))
        {
            error = $"'{value}' is not a host and port (write IPv6 addresses in brackets: [::1]:1883); allowed: {AllowedForms}";
            return false;
        }

        if (host.Length == 0)
        {
            error = $"'{value}' has no host; allowed: {AllowedForms}";
            return false;
        }

        var port = useTls ? DefaultTlsPort : DefaultPort;
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out port))
            {
                error = $"'{value}' has a port '{portText}' that is not a number; allowed: 1-65535";
                return false;
            }

            if (port is < 1 or > 65535)
            {
                error = $"'{value}' has port {port}, out of range; allowed: 1-65535";
                return false;
            }
        }

        endpoint = new BrokerEndpoint(host, port, useTls);
        error = null;
        return true;
    }

    private static bool TrySplitHostPort(string text, out string host, out string? port)
    {
        port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                host = string.Empty;
                return false;
            }

            host = text[1..close];
            var after = text[(close + 1)..];
            if (after.Length == 0)
            {
                return true;
            }

            if (!after.StartsWith(':'))
            {
                return false;
            }

            port = after[1..];
            return true;
        }

        var colons = text.Count(c => c == ':');
        if (colons > 1)
        {
            host = string.Empty;
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        host = colon < 0 ? text : text[..colon];
        port = colon < 0 ? null : text[(colon + 1)..];
        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return $"{(UseTls ? "mqtts" : "mqtt")}://{host}:{Port}";
    }
}
