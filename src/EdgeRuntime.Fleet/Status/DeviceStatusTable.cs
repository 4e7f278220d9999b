using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Fleet.Cli;
using Spectre.Console;
using static EdgeRuntime.Fleet.Status.StatusFields;

namespace EdgeRuntime.Fleet.Status;

/// <summary>
/// Renders device listings as the table of <c>edgectl status</c>. Every well-formed document renders: a field that is
/// missing or of another type shows as "?", an unreadable payload as "invalid" with the reason.
/// </summary>
internal static class DeviceStatusTable
{
    private static readonly string[] Headers = ["DEVICE", "STATE", "VERSION", "UPTIME", "MODELS", "PIPELINES", "LAST REPORT"];

    /// <summary>The table as a Spectre.Console renderable (wraps to the terminal's width).</summary>
    public static Spectre.Console.Rendering.IRenderable Build(IReadOnlyList<DeviceListing> devices, DateTimeOffset now)
    {
        if (devices.Count == 0)
        {
            return new Text("No devices have reported a status yet.\n");
        }

        var table = Terminal.PlainTable(Headers);
        foreach (var device in devices)
        {
            var cells = Row(device, now);
            table.AddRow([.. cells.Select((cell, column) => new Text(cell, column == 1 ? StateStyle(cell) : Style.Plain))]);
        }

        return table;
    }

    /// <summary>Colours for a terminal (a redirected table has none): online green, offline and conflict red, unreadable yellow.</summary>
    private static Style StateStyle(string state) => state switch
    {
        "online" => new Style(Color.Green),
        "invalid" or "?" => new Style(Color.Yellow),
        _ when state.StartsWith("conflict", StringComparison.Ordinal) => new Style(Color.Red),
        _ when state.StartsWith("offline", StringComparison.Ordinal) => new Style(Color.Red),
        _ => Style.Plain,
    };

    /// <summary>The table as plain text (redirected output, tests).</summary>
    public static string Render(IReadOnlyList<DeviceListing> devices, DateTimeOffset now) =>
        devices.Count == 0 ? "No devices have reported a status yet.\n" : Terminal.Render(Build(devices, now));

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

    internal static string[] Row(DeviceListing listing, DateTimeOffset now)
    {
        if (listing.Document is not { } status)
        {
            return [listing.DeviceId, "invalid", "-", "-", $"unreadable status: {listing.Problem}", "-", "-"];
        }

        var state = Text(status, "state");
        var online = state is "online" or "conflict";
        var shownState = state switch
        {
            null => "?",
            "offline" when Text(status, "reason") == "connection-lost" => "offline (connection lost)",
            "conflict" => Conflict(status),
            _ => state,
        };
        var uptime = !online ? "-" : Number(status, "uptimeSeconds") is { } seconds ? FormatDuration(TimeSpan.FromSeconds(seconds)) : "?";
        var version = Text(status, "runtimeVersion") is { } runtime ? ShortVersion(runtime) : "?";
        var reported = Time(status, "timestamp") is { } timestamp ? $"{FormatDuration(now - timestamp)} ago" : "?";
        return [listing.DeviceId, shownState, version, uptime, Models(status), Pipelines(status), reported];
    }

    /// <summary>
    /// A device whose client id another process keeps taking over: "conflict (2 processes use this id; the other started
    /// 2026-12-01 10:04:05Z)", so the table shows two devices behind one row instead of one healthy one.
    /// </summary>
    private static string Conflict(JsonElement status)
    {
        var conflict = Has(status, "conflict") ? status.GetProperty("conflict") : (JsonElement?)null;
        var takeovers = Number(conflict, "takeovers") is { } count ? string.Create(CultureInfo.InvariantCulture, $", {count:0} takeovers") : string.Empty;
        var other = Time(conflict, "otherStartedAt") is { } started ? string.Create(CultureInfo.InvariantCulture, $"; the other started {started.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z") : string.Empty;
        return $"conflict (2 processes use this id{takeovers}{other})";
    }

    /// <summary>"0.1.0+fd0c24d5c2ea…" becomes "0.1.0+fd0c24d": the build's commit, short as git shows it.</summary>
    internal static string ShortVersion(string version)
    {
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }

    private static string Models(JsonElement status)
    {
        if (!Has(status, "models"))
        {
            return "?";
        }

        var models = Array(status, "models");
        return models.Count == 0 ? "-" : string.Join(", ", models.Select(m =>
        {
            var version = Number(m, "version") is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "?";
            var text = $"{Text(m, "name") ?? "?"} v{version} {Text(m, "phase") ?? "?"}";
            return Text(m, "detail") is { Length: > 0 } detail ? $"{text} ({detail})" : text;
        }));
    }

    private static string Pipelines(JsonElement status)
    {
        var pipelines = Array(status, "pipelines");
        return pipelines.Count == 0 ? "-" : string.Join(", ", pipelines.Select(p =>
        {
            var p99 = Number(p, "latencyP99Ms") is { } ms ? string.Create(CultureInfo.InvariantCulture, $" p99 {ms:0.00} ms") : string.Empty;
            return $"{Text(p, "name") ?? "?"} {Text(p, "state") ?? "?"}{p99}";
        }));
    }
}
