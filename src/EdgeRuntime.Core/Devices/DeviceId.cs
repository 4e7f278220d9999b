namespace EdgeRuntime.Core.Devices;

/// <summary>
/// Rules for a device identifier. The id becomes one MQTT topic level (<c>edge/devices/{id}/…</c>),
/// so it may not contain the topic separator or wildcards, and it stays short enough for log lines.
/// </summary>
public static class DeviceId
{
    /// <summary>The longest id accepted, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>The characters an id may contain, for error messages.</summary>
    public const string AllowedDescription = "1-128 characters from A-Z a-z 0-9 . _ - (no '/', '+', '#', spaces or a leading '$')";

    /// <summary>Whether <paramref name="candidate"/> is a usable device id.</summary>
    public static bool IsValid(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate) || candidate.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in candidate)
        {
            var allowed = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The id a device gets when none is configured: the systemd/D-Bus machine id when the host has
    /// one (stable across reboots and unique per installation), else the host name made topic-safe.
    /// </summary>
    public static string FromMachine(IEnumerable<string>? machineIdFiles = null)
    {
        foreach (var path in machineIdFiles ?? ["/etc/machine-id", "/var/lib/dbus/machine-id"])
        {
            try
            {
                var text = File.ReadAllText(path).Trim();
                if (IsValid(text))
                {
                    return text;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return Sanitize(Environment.MachineName);
    }

    /// <summary>Replaces every character an id may not hold with '-'.</summary>
    public static string Sanitize(string text)
    {
        var chars = text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray();
        var result = new string(chars).Trim('-');
        if (result.Length > MaxLength)
        {
            result = result[..MaxLength];
        }

        return result.Length == 0 ? "edge-device" : result;
    }
}
