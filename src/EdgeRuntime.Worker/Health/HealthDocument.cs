using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// The health file: the latest check of every part, written by the daemon every <see cref="HealthOptions.IntervalSeconds"/>
/// and read by <c>edge-runtime health</c> (Docker's HEALTHCHECK, Kubernetes exec probes).
/// </summary>
/// <param name="Status">"healthy", "degraded" or "unhealthy".</param>
/// <param name="CheckedAt">When the checks ran (UTC).</param>
/// <param name="IntervalSeconds">How often the daemon checks; a file older than three intervals means the daemon stopped checking.</param>
/// <param name="ProcessId">The daemon's process id.</param>
/// <param name="Checks">Each check's verdict.</param>
internal sealed record HealthDocument(string Status, DateTimeOffset CheckedAt, int IntervalSeconds, int ProcessId, IReadOnlyList<HealthCheckEntry> Checks)
{
    private static readonly JsonSerializerOptions Json = new(HealthDocumentJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    /// <summary>The document of <paramref name="report"/>.</summary>
    public static HealthDocument From(HealthReport report, DateTimeOffset checkedAt, int intervalSeconds) => new(
        Name(report.Status),
        checkedAt,
        intervalSeconds,
        Environment.ProcessId,
        [.. report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new HealthCheckEntry(e.Key, Name(e.Value.Status), e.Value.Description ?? e.Value.Exception?.Message ?? string.Empty))]);

    /// <summary>The status name as the file and the metrics' documentation write it.</summary>
    public static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    /// <summary>UTF-8 JSON.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json.GetTypeInfo(typeof(HealthDocument)));

    /// <summary>Parses a health file; null and a reason when it is not one.</summary>
    public static HealthDocument? TryParse(ReadOnlySpan<byte> utf8, out string? problem)
    {
        try
        {
            var document = (HealthDocument?)JsonSerializer.Deserialize(utf8, Json.GetTypeInfo(typeof(HealthDocument)));
            problem = document is null ? "the file is empty" : null;
            return document;
        }
        catch (JsonException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    /// <summary>
    /// Whether a probe should pass: the daemon is healthy or degraded, and it checked within three intervals of
    /// <paramref name="now"/> (a hung or dead daemon stops writing). Returns the one line to print.
    /// </summary>
    public (bool Passed, string Line) Verdict(DateTimeOffset now)
    {
        var age = now - CheckedAt;
        var stale = age > TimeSpan.FromSeconds(3 * Math.Max(1, IntervalSeconds));
        var problems = string.Join("; ", Checks.Where(c => c.Status != "healthy").Select(c => $"{c.Name} {c.Status}: {c.Description}"));
        if (stale)
        {
            return (false, $"unhealthy: the daemon (pid {ProcessId}) last checked its health {age.TotalSeconds:0} s ago (every {IntervalSeconds} s expected)");
        }

        return (Status != "unhealthy", problems.Length == 0 ? $"{Status}: {string.Join(", ", Checks.Select(c => c.Name))} ok" : $"{Status}: {problems}");
    }
}

/// <summary>One check in the health file.</summary>
/// <param name="Name">The check: broker, pipelines, models, disk.</param>
/// <param name="Status">"healthy", "degraded" or "unhealthy".</param>
/// <param name="Description">What it found.</param>
internal sealed record HealthCheckEntry(string Name, string Status, string Description);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthDocument))]
internal sealed partial class HealthDocumentJsonContext : JsonSerializerContext;
