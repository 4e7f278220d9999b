using System.Globalization;
using System.Text;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Fleet.Status;

/// <summary>Renders device listings as the fixed-width table of <c>edgectl status</c>.</summary>
internal static class DeviceStatusTable
{
    private static readonly string[] Headers = ["DEVICE", "STATE", "VERSION", "UPTIME", "MODELS", "LAST REPORT"];

    public static string Render(IReadOnlyList<DeviceListing> devices, DateTimeOffset now)
    {
        if (devices.Count == 0)
        {
            return "No devices have reported a status yet.\n";
        }

        var rows = devices.Select(d => Row(d, now)).ToList();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        AppendLine(text, Headers, widths);
        foreach (var row in rows)
        {
            AppendLine(text, row, widths);
        }

        return text.ToString();
    }

    /// <summary>A duration as people read uptimes: 45s, 12m 03s, 5h 07m, 3d 04h.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalSeconds switch
        {
            < 60 => $"{(int)duration.TotalSeconds}s",
            < 3600 => $"{duration.Minutes}m {duration.Seconds:D2}s",
            < 86_400 => $"{duration.Hours}h {duration.Minutes:D2}m",
            _ => $"{(int)duration.TotalDays}d {duration.Hours:D2}h",
        };
    }

    private static string[] Row(DeviceListing listing, DateTimeOffset now)
    {
        if (listing.Status is not { } status)
        {
            return [listing.DeviceId, "invalid", "-", "-", $"unreadable status: {listing.Problem}", "-"];
        }

        var state = status.State == DeviceState.Online
            ? "online"
            : status.Reason == "connection-lost" ? "offline (connection lost)" : "offline";
        var uptime = status.State == DeviceState.Online ? FormatDuration(TimeSpan.FromSeconds(status.UptimeSeconds)) : "-";
        return [status.DeviceId, state, ShortVersion(status.RuntimeVersion), uptime, Models(status.Models), $"{FormatDuration(now - status.Timestamp)} ago"];
    }

    /// <summary>"0.1.0+fd0c24d5c2ea…" becomes "0.1.0+fd0c24d": the build's commit, short as git shows it.</summary>
    internal static string ShortVersion(string version)
    {
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }

    private static string Models(IReadOnlyList<ModelStatus> models)
    {
        if (models.Count == 0)
        {
            return "-";
        }

        return string.Join(", ", models.Select(m =>
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{m.Name} v{m.Version} {m.Phase.ToString().ToLowerInvariant()}");
            return m.Detail is { Length: > 0 } detail ? $"{text} ({detail})" : text;
        }));
    }

    private static void AppendLine(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            text.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.Append('\n');
    }
}
