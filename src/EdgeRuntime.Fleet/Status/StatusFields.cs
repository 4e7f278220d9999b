using System.Globalization;
using System.Text.Json;

namespace EdgeRuntime.Fleet.Status;

/// <summary>
/// Tolerant reads of a status document's fields: a missing field or one of an unexpected type reads as null, so a
/// document from an older or newer daemon (or another implementation) still shows what it has; the table prints "?".
/// </summary>
internal static class StatusFields
{
    public static string? Text(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static double? Number(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out var number) ? number : null;

    public static DateTimeOffset? Time(JsonElement? element, string name) =>
        Text(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    public static IReadOnlyList<JsonElement> Array(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } value ? [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object)] : [];

    public static bool Has(JsonElement? element, string name) => Property(element, name) is not null;

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var property) && property.ValueKind != JsonValueKind.Null ? property : null;
}
